// checkin-gateway: one binary, one subcommand per task. Wiring only.
#include "cli/commands.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  CLI::App app{"checkin-gateway: signed QR attendance check-in for academic meetings"};
  app.set_version_flag("--version", checkin::cli::version_text);
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
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "checkin-gateway: %s\n", e.what());
    return 1;
  }
  return 0;
}
