// checkin-gateway attendance --session ID | credits | organizer-key: what organizers take home,
// from the same store a running `serve` writes (a read-only view; safe while it runs).
#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
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

gateway::name_lookup names_from(const store::scan_store& store) {
  return [&store](const store::member_no& m) {
    const auto found = store.find_member(m);
    return found && *found ? (*found)->name : std::string{};
  };
}

void run_attendance(const report_options& o) {
  const auto c = load_config(o.files);
  const auto program = load_program_or_demo(c.program.string());
  if (!program.find(o.session)) {
    throw std::runtime_error("--session " + o.session + ": not in the program of " + program.id);
  }
  const auto store = open_store(c.data_dir, c.map_size_mib, c.map_size_limit_mib);
  const auto scans = store.session_attendance(o.session).value();
  const auto names = names_from(store);
  emit(o.format == "csv" ? gateway::attendance_csv(program, o.session, scans, names)
                         : json::serialize(gateway::attendance_json(program, o.session, scans, names)) + "\n",
       o.out);
}

void run_credits(const report_options& o) {
  const auto c = load_config(o.files);
  const auto program = load_program_or_demo(c.program.string());
  const auto store = open_store(c.data_dir, c.map_size_mib, c.map_size_limit_mib);
  std::vector<store::scan_record> all;
  for (const auto& s : program.sessions) {
    auto scans = store.session_attendance(s.id).value();
    all.insert(all.end(), scans.begin(), scans.end());
  }
  const auto summary = gateway::summarize_credits(all, names_from(store));
  emit(o.format == "csv" ? gateway::credits_csv(summary)
                         : json::serialize(gateway::credits_json(program, summary)) + "\n",
       o.out);
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
  key->callback([name] {
    const auto k = gateway::new_organizer_key();
    std::printf("key: %s\n\n[[organizers.keys]]\nname = \"%s\"\nsha256 = \"%s\"\n", k.c_str(),
                name->c_str(), gateway::organizer_key_digest(k).c_str());
  });
}

}  // namespace checkin::cli
