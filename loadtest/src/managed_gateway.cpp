#include "loadtest/managed_gateway.hpp"

#include "gateway/organizer_keys.hpp"
#include "loadtest/meeting_setup.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace checkin::loadtest {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

fs::path make_scratch_dir(const fs::path& parent) {
  fs::create_directories(parent);
  std::string pattern = (parent / "checkin-loadtest-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a scratch folder in " + parent.string());
  }
  return pattern;
}

void write_file(const fs::path& file, std::string_view text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace

managed_gateway::managed_gateway(const managed_settings& s)
    : dir_(make_scratch_dir(s.work_parent)),
      keep_(s.keep),
      key_(tokens::signing_key::generate()),
      organizer_key_(gateway::new_organizer_key()) {
  try {
    const auto program_json = make_program_json(s.sessions, floor<seconds>(system_clock::now()));
    write_file(dir_ / "program.json", program_json);
    program_ = tokens::parse_program(program_json, "program.json");
    tokens::write_key_pair(key_, dir_ / "keys");
    if (s.public_key_only) fs::remove(dir_ / "keys" / "signing.key");
    // Kept beside the data (a scratch folder) so a --keep folder can be loaded again with
    // --target ... --organizer-key.
    write_file(dir_ / "organizer.key", organizer_key_ + "\n");
    fs::permissions(dir_ / "organizer.key", fs::perms::owner_read | fs::perms::owner_write);
    write_file(dir_ / "roster.csv", make_roster_csv(s.first_member, s.members, s.password));
    write_file(dir_ / "gateway.toml",
               make_gateway_toml({s.max_connections, s.token_memo_entries,
                                  gateway::organizer_key_digest(organizer_key_),
                                  s.commit_gather_us}));
    std::string output;
    const int rc = run_to_completion(s.gateway_binary,
                                     {"members", "import", (dir_ / "roster.csv").string(),
                                      "--data-dir", dir_.string(), "--pwhash-cost", "test"},
                                     output);
    if (rc != 0) throw std::runtime_error("members import failed:\n" + output);

    std::vector<std::string> args{
        "--config",       (dir_ / "gateway.toml").string(), "--data-dir",  dir_.string(),
        "--program",      (dir_ / "program.json").string(), "--log-level", "warn",
        "--no-access-log"};
    if (s.gateway_threads > 0) {
      args.push_back("--threads");
      args.push_back(std::to_string(s.gateway_threads));
    }
    process_ =
        std::make_unique<gateway_process>(s.gateway_binary, std::move(args), dir_ / "gateway.log");
  } catch (...) {
    if (!keep_) {
      std::error_code ignored;
      fs::remove_all(dir_, ignored);
    }
    throw;
  }
}

managed_gateway::~managed_gateway() {
  process_.reset();  // SIGKILL if still running
  if (!keep_) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

std::uint16_t managed_gateway::start() { return process_->start(0); }

milliseconds managed_gateway::kill_and_restart() {
  const auto port = process_->port();
  const auto down = steady_clock::now();
  process_->kill9();
  process_->start(port);
  return duration_cast<milliseconds>(steady_clock::now() - down);
}

int managed_gateway::stop() { return process_->stop(); }

}  // namespace checkin::loadtest
