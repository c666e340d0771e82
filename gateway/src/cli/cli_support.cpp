#include "cli/cli_support.hpp"

#include "cli/exit_status.hpp"
#include "tokens/rfc3339.hpp"

#include <chrono>
#include <sstream>
#include <stdexcept>

namespace checkin::cli {
namespace detail {
extern const std::string_view demo_program_json;
extern const std::string_view demo_members_csv;
}

namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

// The demo meeting is moved in time so that it is in progress: its first session began an
// hour ago and the next one starts now, so its posters and codes scan the moment someone
// tries the demo, whatever the time of day.
void move_to_now(tokens::meeting_program& p) {
  auto first = p.sessions.front().starts_at;
  for (const auto& s : p.sessions) first = std::min(first, s.starts_at);
  const auto target = floor<minutes>(system_clock::now()) - hours{1};
  const auto shift = target - first;
  for (auto& s : p.sessions) {
    s.starts_at += shift;
    s.ends_at += shift;
  }
}

}  // namespace

std::string_view embedded_demo_program() noexcept { return detail::demo_program_json; }
std::string_view embedded_demo_members() noexcept { return detail::demo_members_csv; }

tokens::meeting_program load_program_or_demo(const std::string& path) {
  if (!path.empty()) return tokens::load_program(path);
  auto p = tokens::parse_program(embedded_demo_program(), "<embedded demo program>");
  move_to_now(p);
  return p;
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
  options.directory = data_dir / "db";
  options.map_size = map_size_mib << 20;
  options.map_size_limit = std::max(map_size_mib, map_size_limit_mib) << 20;
  auto opened = store::scan_store::open(options);
  if (!opened) {
    throw std::runtime_error(options.directory.string() + ": cannot open the store: " +
                             std::string(store::to_string(opened.error())));
  }
  return std::move(*opened);
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

void add_program_option(CLI::App& cmd, std::string& path) {
  cmd.add_option("--program", path,
                 "Meeting program (program.json); default: the embedded demo meeting, "
                 "moved to start today")
      ->check(CLI::ExistingFile);
}

void add_config_options(CLI::App& cmd, config_options& o) {
  cmd.add_option("--config", o.config_file, "TOML configuration file (docs/configuration.md)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--data-dir", o.data_dir, "The gateway's data folder (default: data)");
  cmd.add_option("--program", o.program, "Meeting program (default: the embedded demo)")
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
