#pragma once
// The command line of checkin-loadtest (CLI11).

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace checkin::loadtest {

struct load_options {
  // What to send
  std::string scenario = "steady";
  std::uint32_t members = 10'000;
  std::uint32_t sessions = 100;
  std::uint32_t batch_size = 20;
  std::uint32_t repeats = 4;
  std::uint32_t invalid_token_permille = 100;  // mixed
  std::uint32_t bad_bearer_permille = 50;
  std::uint32_t bad_login_permille = 20;
  std::uint64_t requests = 0;  // 0: the scenario's size (distinct: what the run can use)
  // How
  unsigned connections = 1'000;
  double rate = 0;  // 0: max throughput
  double duration_seconds = 15;
  double healthz_seconds = -1;  // -1: as long as the scan phase; 0: skip
  unsigned threads = 1;
  double request_timeout_seconds = 10;
  // Checks
  bool verify = false;
  unsigned kills = 0;  // crash mode when > 0 (managed only); implies verify
  // Output
  std::string json_file;
  std::string label;
  // Managed gateway
  std::string gateway_binary;  // default: checkin-gateway next to this binary
  std::string work_dir;        // default: the system temp folder
  unsigned gateway_threads = 0;
  int commit_gather_us = -1;  // -1: the gateway's default
  bool public_key_only = false;  // the gateway gets signing.pub only, not signing.key
  int memo_entries = -1;  // -1: 16 for the distinct scenario, else the gateway's default
  bool keep = false;
  // Running gateway (--target)
  std::string target;  // host:port
  std::string program_file;
  std::string key_file;
  std::string organizer_key;
  std::string password = "load-test-pw";
  std::uint32_t first_member = 700'000;
};

void add_load_options(CLI::App& app, load_options& o);

}  // namespace checkin::loadtest
