// checkin-gateway token --session ID [--slot TIME|now] [--slot-seconds N]
#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace checkin::cli {
namespace {

struct token_options {
  std::string program;
  std::string data_dir = "data";
  std::string key = default_secret_key;
  std::string session;
  std::string slot;
  int slot_seconds = 30;
  bool describe = false;
};

void run_token(const token_options& o) {
  const auto program = load_program_or_demo(o.program, o.data_dir);
  const auto* session = program.find(o.session);
  if (!session)
    throw command_failure(exit_status::usage, "--session " + o.session + ": not in the program");
  const auto key = tokens::load_signing_key(o.key);

  tokens::session_claims claims;
  if (o.slot.empty()) {
    claims = tokens::poster_claims(program, *session);
  } else {
    const auto at = time_argument("--slot", o.slot);
    const auto slot = tokens::slot_claims(program, *session, at, std::chrono::seconds{o.slot_seconds});
    if (!slot) {
      throw command_failure(
          exit_status::usage,
          "--slot " + o.slot + ": outside the scan window of session " + o.session);
    }
    claims = *slot;
  }
  const auto text = tokens::mint(claims, key, program.qr_prefix);
  std::printf("%s\n", text.c_str());
  if (o.describe) {
    claims.key = key.id();
    std::fprintf(stderr, "%s", describe_claims(claims, &program).c_str());
  }
}

}  // namespace

void add_token_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "token",
      "Print the QR text of a session's signed token: a poster token (valid for the session's "
      "scan window) or, with --slot, the rotating slot token for a projector");
  auto o = std::make_shared<token_options>();
  add_program_option(*cmd, o->program, o->data_dir);
  cmd->add_option("--key", o->key, "Secret signing key file")->capture_default_str();
  cmd->add_option("--session", o->session, "Session id from the program")->required();
  cmd->add_option("--slot", o->slot,
                  "Mint the slot token for the slot containing this time ('now' or RFC 3339)");
  cmd->add_option("--slot-seconds", o->slot_seconds, "Slot length in seconds")
      ->capture_default_str()
      ->check(CLI::Range(5, 3600));
  cmd->add_flag("--describe", o->describe, "Also print the claims on stderr");
  cmd->callback([o] { run_token(*o); });
}

}  // namespace checkin::cli
