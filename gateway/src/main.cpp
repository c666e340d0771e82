// checkin-gateway: one binary, one subcommand per task. Wiring only.
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"

#include <CLI/CLI.hpp>
#include <exception>

int main(int argc, char** argv) {
  CLI::App app{"checkin-gateway: signed QR attendance check-in for academic meetings"};
  app.set_version_flag("--version", checkin::cli::version_text);
  app.footer(checkin::cli::exit_status_help());
  app.require_subcommand(1);

  checkin::cli::add_keygen_command(app);
  checkin::cli::add_token_command(app);
  checkin::cli::add_poster_command(app);
  checkin::cli::add_verify_command(app);
  checkin::cli::add_serve_command(app);
  checkin::cli::add_members_command(app);
  checkin::cli::add_sync_command(app);
  checkin::cli::add_report_commands(app);

  try {
    app.parse(argc, argv);
  } catch (...) {
    return checkin::cli::report_failure(app, std::current_exception());
  }
  return 0;
}
