#pragma once
// One load test from start to end: set up (or reach) the gateway, log every member in, measure
// /healthz, run the scenario (killing the gateway in crash mode), verify, report.

#include "loadtest/options.hpp"

namespace checkin::loadtest {

// The exit code: 0 passed, 1 the gateway answered wrongly or lost / duplicated a scan, 2 the
// test could not run (bad options, no gateway, too few file descriptors).
[[nodiscard]] int run_load_test(const load_options& options);

}  // namespace checkin::loadtest
