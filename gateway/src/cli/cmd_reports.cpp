// checkin-gateway attendance --session ID | credits | organizer-key | display-key: what
// organizers take home, from the same store a running `serve` writes (a read-only view; safe
// while it runs), and the API keys for organizers and projector displays.
#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "gateway/attendance_report.hpp"
#include "gateway/organizer_keys.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>

namespace checkin::cli {
namespace {

namespace json = boost::json;

struct report_options {
  config_options files;
  std::string session;
  std::string format = "csv";
  std::string out;  // empty: stdout
};

void emit(const std::string& text, const std::string& out) {
  if (out.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return;
  }
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f.flush()) throw std::runtime_error(out + ": cannot write");
  std::fprintf(stderr, "wrote %s\n", out.c_str());
}

void run_attendance(const report_options& o) {
  const auto c = load_config(o.files);
  require_data_dir(c.data_dir);
  const auto program = load_program_or_demo(c.program.string(), c.data_dir);
  if (!program.find(o.session)) {
    throw command_failure(exit_status::usage,
                          "--session " + o.session + ": not in the program of " + program.id);
  }
  const auto store = open_store(c.data_dir, c.map_size_mib, c.map_size_limit_mib);
  const auto scans = store.session_attendance(o.session).value();
  const auto names = gateway::roster_names(store);
  emit(o.format == "csv" ? gateway::attendance_csv(program, o.session, scans, names)
                         : json::serialize(gateway::attendance_json(program, o.session, scans, names)) + "\n",
       o.out);
}

void run_credits(const report_options& o) {
  const auto c = load_config(o.files);
  require_data_dir(c.data_dir);
  const auto program = load_program_or_demo(c.program.string(), c.data_dir);
  const auto store = open_store(c.data_dir, c.map_size_mib, c.map_size_limit_mib);
  const auto all = gateway::meeting_scans(store, program).value();
  const auto summary = gateway::summarize_credits(all, gateway::roster_names(store));
  emit(o.format == "csv" ? gateway::credits_csv(summary)
                         : json::serialize(gateway::credits_json(program, summary)) + "\n",
       o.out);
}

// The key for its holder, then the lines for the gateway's TOML file (only the digest).
void print_api_key(const std::string& key, std::string_view table, const std::string& name) {
  std::printf("key: %s\n\n[[%.*s.keys]]\nname = \"%s\"\nsha256 = \"%s\"\n", key.c_str(),
              static_cast<int>(table.size()), table.data(), name.c_str(),
              gateway::organizer_key_digest(key).c_str());
}

void add_report_options(CLI::App& cmd, report_options& o) {
  add_config_options(cmd, o.files);
  cmd.add_option("--format", o.format, "csv (UTF-8 with BOM, opens in Excel) or json")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  cmd.add_option("--out", o.out, "Write to this file instead of standard output");
}

}  // namespace

void add_report_commands(CLI::App& app) {
  auto* attendance = app.add_subcommand(
      "attendance", "One session's attendance: who scanned, when (columns in docs/organizers.md)");
  auto ao = std::make_shared<report_options>();
  attendance->add_option("--session", ao->session, "Session id from the program")->required();
  add_report_options(*attendance, *ao);
  attendance->callback([ao] { run_attendance(*ao); });

  auto* credits = app.add_subcommand(
      "credits", "Per member: attendance and education credit units earned at this meeting");
  auto co = std::make_shared<report_options>();
  add_report_options(*credits, *co);
  credits->callback([co] { run_credits(*co); });

  auto* key = app.add_subcommand(
      "organizer-key",
      "Make a new organizer API key: prints the key (give it to the organizer) and the config "
      "lines holding its SHA-256 (put them in the gateway's TOML file)");
  auto name = std::make_shared<std::string>();
  key->add_option("--name", *name, "Who holds the key, e.g. program-committee")->required();
  key->callback([name] { print_api_key(gateway::new_organizer_key(), "organizers", *name); });

  auto* display = app.add_subcommand(
      "display-key",
      "Make a new display key for the projector page (/display/<session>): prints the key (give "
      "it to the venue staff) and the [[display.keys]] lines holding its SHA-256");
  auto display_name = std::make_shared<std::string>();
  display->add_option("--name", *display_name, "Which screen or team holds it, e.g. hall-A")
      ->required();
  display->callback(
      [display_name] { print_api_key(gateway::new_display_key(), "display", *display_name); });
}

}  // namespace checkin::cli
