// checkin-gateway members import FILE
#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "gateway/member_import.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace checkin::cli {
namespace {

struct import_options {
  std::string file;
  std::string data_dir = "data";
  std::string cost = "interactive";
};

void run_import(const import_options& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) throw std::runtime_error(o.file + ": cannot open the roster");
  std::ostringstream text;
  text << in.rdbuf();
  auto rows = gateway::parse_roster_csv(text.str());
  if (!rows) {
    for (const auto& e : rows.error().items) {
      std::fprintf(stderr, "%s: %s\n", o.file.c_str(), gateway::to_string(e).c_str());
    }
    throw std::runtime_error(o.file + ": not imported (" + std::to_string(rows.error().items.size()) +
                             " problem(s)); nothing was changed");
  }
  const auto preset = gateway::pwhash_preset_from_string(o.cost);
  if (!preset)
    throw command_failure(exit_status::usage, "--pwhash-cost " + o.cost + ": unknown preset");
  auto store = open_store(o.data_dir);
  const auto summary = gateway::import_roster(
      std::move(*rows), store, gateway::cost_of(*preset), std::thread::hardware_concurrency(),
      [](std::size_t done, std::size_t) {
        if (done % 100 == 0) std::fprintf(stderr, "hashed %zu initial passwords\r", done);
      });
  std::printf("imported %zu members (%zu active, %zu inactive; %zu initial passwords hashed) into %s\n",
              summary.members, summary.active, summary.inactive, summary.hashed,
              o.data_dir.c_str());
}

}  // namespace

void add_members_command(CLI::App& app) {
  auto* members = app.add_subcommand("members", "Manage the member roster");
  members->require_subcommand(1);
  auto* import = members->add_subcommand(
      "import",
      "Load the roster CSV exported by the membership system (columns member_no, name, status, "
      "and password_hash or initial_password). Re-importing updates members. All or nothing.");
  auto o = std::make_shared<import_options>();
  import->add_option("FILE", o->file, "Roster CSV (UTF-8, header row)")
      ->required()
      ->check(CLI::ExistingFile);
  import->add_option("--data-dir", o->data_dir, "The gateway's data folder")->capture_default_str();
  import->add_option("--pwhash-cost", o->cost,
                     "argon2id cost for initial passwords: interactive (production), moderate, "
                     "or test (cheap; load tests only)")
      ->capture_default_str();
  import->callback([o] { run_import(*o); });
}

}  // namespace checkin::cli
