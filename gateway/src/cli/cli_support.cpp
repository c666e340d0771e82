#include "cli/cli_support.hpp"

#include "cli/exit_status.hpp"
#include "gateway/store_faults.hpp"
#include "tokens/rfc3339.hpp"

#include <unistd.h>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace checkin::cli {
namespace detail {
extern const std::string_view demo_program_json;
extern const std::string_view demo_members_csv;
}

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono;

constexpr const char* demo_program_file = "demo-program.json";

// The demo meeting is moved in time so that it is in progress: its first session began an
// hour ago and the next one starts now, so its posters and codes scan the moment someone
// tries the demo, whatever the time of day. Returns the program's JSON text, moved.
std::string demo_program_moved_to_now() {
  const auto p = tokens::parse_program(embedded_demo_program(), "<embedded demo program>");
  auto first = p.sessions.front().starts_at;
  for (const auto& s : p.sessions) first = std::min(first, s.starts_at);
  const auto shift = floor<minutes>(system_clock::now()) - hours{1} - first;
  // The text is rewritten rather than re-serialized, so every other field stays as written.
  auto doc = json::parse(embedded_demo_program());
  auto& sessions = doc.at("sessions").as_array();
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    auto& s = sessions[i].as_object();
    s["starts_at"] = tokens::format_rfc3339(p.sessions[i].starts_at + shift, p.utc_offset);
    s["ends_at"] = tokens::format_rfc3339(p.sessions[i].ends_at + shift, p.utc_offset);
  }
  return json::serialize(doc) + "\n";
}

// Written under a temporary name and linked into place: two commands starting at once both
// end up reading the one file that won.
void keep_demo_program(const fs::path& file, const std::string& text) {
  const fs::path tmp = file.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error(tmp.string() + ": cannot write the demo program");
  }
  const int linked = ::link(tmp.c_str(), file.c_str());
  const int err = errno;
  fs::remove(tmp);
  if (linked != 0 && err != EEXIST) {
    throw std::runtime_error(file.string() +
                             ": cannot write the demo program: " + std::strerror(err));
  }
}

}  // namespace

std::string_view embedded_demo_program() noexcept { return detail::demo_program_json; }
std::string_view embedded_demo_members() noexcept { return detail::demo_members_csv; }

tokens::meeting_program load_program_or_demo(const std::string& path, const fs::path& data_dir) {
  if (!path.empty()) return tokens::load_program(path);
  const auto file = data_dir / demo_program_file;
  if (fs::exists(file)) return tokens::load_program(file);
  const auto text = demo_program_moved_to_now();
  if (!fs::is_directory(data_dir)) return tokens::parse_program(text, "<embedded demo program>");
  keep_demo_program(file, text);
  return tokens::load_program(file);
}

void require_data_dir(const fs::path& data_dir) {
  const auto hint = " (give the data folder `serve` uses: --data-dir DIR, or data_dir in --config)";
  if (!fs::is_directory(data_dir)) {
    throw command_failure(exit_status::data,
                          "data folder " + data_dir.string() + " does not exist" + hint);
  }
  if (!fs::is_directory(data_dir / "db")) {
    throw command_failure(exit_status::data, "data folder " + data_dir.string() +
                                                 " holds no gateway data (no " +
                                                 (data_dir / "db").string() + ")" + hint);
  }
}

tokens::key_ring load_key_ring(const std::vector<std::string>& public_key_files,
                               const std::vector<std::string>& retired_ids) {
  tokens::key_ring ring;
  for (const auto& file : public_key_files) ring.add(tokens::load_public_key(file));
  for (const auto& text : retired_ids) {
    const auto id = tokens::key_id_from_hex(text);
    if (!id)
      throw command_failure(exit_status::usage,
                            "--retired " + text + ": not a key id (8 hex digits)");
    if (!ring.retire(*id)) {
      throw command_failure(exit_status::usage,
                            "--retired " + text + ": no public key with this id was given");
    }
  }
  return ring;
}

std::string describe_claims(const tokens::session_claims& c,
                            const tokens::meeting_program* program) {
  const bool same_meeting = program && program->id == c.meeting_id;
  const auto offset = same_meeting ? program->utc_offset : minutes{0};
  const tokens::session_info* session = same_meeting ? program->find(c.session_id) : nullptr;

  std::ostringstream out;
  out << "meeting:     " << c.meeting_id;
  if (same_meeting) out << "  " << program->name;
  out << "\nsession:     " << c.session_id;
  if (session) out << "  " << session->title << "\nroom:        " << session->room;
  out << "\ncredit:      " << tokens::to_string(c.kind) << " (" << tokens::japanese_label(c.kind)
      << "), " << tokens::to_string(c.units) << " unit(s)"
      << "\ntoken type:  " << tokens::to_string(c.type)
      << "\nvalid from:  " << tokens::format_rfc3339(c.valid_from, offset)
      << "\nvalid until: " << tokens::format_rfc3339(c.valid_until, offset)
      << "\nkey id:      " << tokens::to_hex(c.key) << '\n';
  if (program && !same_meeting) {
    out << "note:        the token's meeting is not the program's (" << program->id << ")\n";
  } else if (same_meeting && !session) {
    out << "note:        session " << c.session_id << " is not in the program\n";
  }
  return out.str();
}

store::scan_store open_store(const std::filesystem::path& data_dir, std::size_t map_size_mib,
                             std::size_t map_size_limit_mib) {
  store::store_options options;
  options.directory = gateway::store_directory(data_dir);
  options.map_size = map_size_mib << 20;
  options.map_size_limit = std::max(map_size_mib, map_size_limit_mib) << 20;
  // Keys and a bearer secret mean `serve` has run here, so a store was written: an empty
  // data.mdb is a lost one, not a first start.
  const bool in_use = std::filesystem::exists(data_dir / "keys") &&
                      std::filesystem::exists(data_dir / "bearer.secret");
  options.on_empty_data_file =
      in_use ? store::empty_data_file::refuse : store::empty_data_file::create;
  auto opened = store::scan_store::open(options);
  if (opened) return std::move(*opened);
  const auto file = store::scan_store::data_file(options.directory);
  std::string why;
  if (opened.error() == store::store_error::truncated) {
    std::error_code ec;
    why = std::filesystem::file_size(file, ec) == 0 && !ec
              ? "the file is empty, but this data folder has been in use (keys/ and bearer.secret "
                "exist)"
              : "the file is shorter than the store recorded in it (cut, or copied in part)";
    why += "; restore it from a backup, or move the db folder aside to start an empty store";
  } else {
    why = store::make_error_code(opened.error()).message();
  }
  // A cut, emptied or damaged file is the data folder's problem (exit 3); the rest, such as a
  // failing disk or no memory, is a runtime failure (exit 1).
  const auto e = opened.error();
  const bool data_problem = e == store::store_error::truncated ||
                            e == store::store_error::corrupted ||
                            e == store::store_error::incompatible ||
                            e == store::store_error::unsupported_schema;
  throw command_failure(
      data_problem ? exit_status::data : exit_status::failure,
      file.string() + ": cannot open the store: " + std::string(store::to_string(e)) + ": " + why +
          " (docs/storage.md, \"When the disk fails\")");
}

tokens::sys_seconds time_argument(std::string_view option, const std::string& text) {
  if (text == "now") return floor<seconds>(system_clock::now());
  const auto t = tokens::parse_rfc3339(text);
  if (!t) {
    throw command_failure(exit_status::usage, std::string(option) + " " + text +
                                                  ": expected 'now' or an RFC 3339 time");
  }
  return t->utc;
}

void add_program_option(CLI::App& cmd, std::string& path, std::string& data_dir) {
  cmd.add_option("--program", path,
                 "Meeting program (program.json); default: the demo meeting kept in "
                 "DATA_DIR/demo-program.json (made by the first command, moved to be in progress)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--data-dir", data_dir,
                 "The gateway's data folder, where the demo program is kept")
      ->capture_default_str();
}

void add_config_options(CLI::App& cmd, config_options& o) {
  cmd.add_option("--config", o.config_file, "TOML configuration file (docs/configuration.md)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--data-dir", o.data_dir, "The gateway's data folder (default: data)");
  cmd.add_option("--program", o.program,
                 "Meeting program (default: the demo meeting kept in DATA_DIR/demo-program.json)")
      ->check(CLI::ExistingFile);
}

gateway::gateway_config load_config(const config_options& o) {
  gateway::gateway_config c;
  if (!o.config_file.empty()) c = gateway::load_config(o.config_file, c);
  if (!o.data_dir.empty()) c.data_dir = o.data_dir;
  if (!o.program.empty()) c.program = o.program;
  return c;
}

}  // namespace checkin::cli
