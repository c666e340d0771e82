#include "cli/exit_status.hpp"

#include "gateway/config.hpp"
#include "tokens/program.hpp"
#include "tokens/signing_key.hpp"

#include <cstdio>

namespace checkin::cli {
namespace {

int code(exit_status s) { return static_cast<int>(s); }

int print(const std::exception& e, exit_status s) {
  std::fprintf(stderr, "checkin-gateway: %s\n", e.what());
  return code(s);
}

}  // namespace

int report_failure(const CLI::App& app, const std::exception_ptr& thrown) {
  try {
    std::rethrow_exception(thrown);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a status a command chose; it printed its own message
  } catch (const CLI::ParseError& e) {
    // Help and version (CLI11 code 0) print and succeed; every other parse error is usage.
    return app.exit(e) == 0 ? code(exit_status::ok) : code(exit_status::usage);
  } catch (const command_failure& e) {
    return print(e, e.status());
  } catch (const gateway::config_error& e) {
    return print(e, exit_status::data);
  } catch (const tokens::program_error& e) {
    return print(e, exit_status::data);
  } catch (const tokens::key_file_error& e) {
    return print(e, exit_status::data);
  } catch (const std::exception& e) {
    return print(e, exit_status::failure);
  }
}

std::string exit_status_help() {
  return "Exit status: 0 ok, 1 runtime failure, 2 usage error (bad arguments), 3 data problem "
         "(data folder, configuration, program or key file missing or invalid), 4 rejected "
         "(verify: the token does not verify), 5 cannot listen (serve: address in use or not "
         "allowed).\n";
}

}  // namespace checkin::cli
