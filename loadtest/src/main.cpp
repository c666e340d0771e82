// checkin-loadtest: simulated phone apps against a checkin-gateway over loopback. Wiring only.
#include "loadtest/load_test.hpp"
#include "loadtest/options.hpp"

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{
      "checkin-loadtest: simulated phone apps against checkin-gateway. Without --target it sets "
      "up and starts its own gateway (managed mode) and stops it at the end. Prints a summary "
      "table; exit 0 pass, 1 wrong answers or lost/duplicated scans, 2 could not run."};
  checkin::loadtest::load_options options;
  checkin::loadtest::add_load_options(app, options);
  CLI11_PARSE(app, argc, argv);
  return checkin::loadtest::run_load_test(options);
}
