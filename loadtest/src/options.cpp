#include "loadtest/options.hpp"

namespace checkin::loadtest {

void add_load_options(CLI::App& app, load_options& o) {
  app.add_option("--scenario", o.scenario,
                 "burst (every member scans hall 0's poster, then hall 1's ...), steady (scans "
                 "spread over all sessions), distinct (every scan a token the gateway has not "
                 "seen), backlog (offline uploads via /v1/scans/batch), duplicates (each scan "
                 "sent --repeats times), mixed (with invalid tokens, forged bearer tokens and "
                 "wrong passwords)")
      ->check(CLI::IsMember({"burst", "steady", "distinct", "backlog", "duplicates", "mixed"}))
      ->capture_default_str();
  app.add_option("--members", o.members, "Simulated members; each logs in once")
      ->check(CLI::Range(1u, 5'000'000u))
      ->capture_default_str();
  app.add_option("--sessions", o.sessions, "Sessions in progress that members scan")
      ->check(CLI::Range(1u, 99'999u))
      ->capture_default_str();
  app.add_option("--batch-size", o.batch_size, "backlog: scans per batch upload")
      ->capture_default_str();
  app.add_option("--repeats", o.repeats, "duplicates: times each scan is sent")
      ->capture_default_str();
  app.add_option("--invalid-token-permille", o.invalid_token_permille,
                 "mixed: share of scans whose token signature does not verify (422)")
      ->capture_default_str();
  app.add_option("--bad-bearer-permille", o.bad_bearer_permille,
                 "mixed: share of scans with a forged bearer token (401)")
      ->capture_default_str();
  app.add_option("--bad-login-permille", o.bad_login_permille,
                 "mixed: share of logins with unknown member numbers (401, then 429 once the "
                 "address is locked); each costs the gateway a full-cost password hash")
      ->capture_default_str();
  app.add_option("--requests", o.requests,
                 "Most requests in the scan phase (0: all the scenario has; distinct: rate x "
                 "duration, or 40,000/s x duration at max throughput)");
  app.add_option("--connections,-c", o.connections, "Concurrent keep-alive connections")
      ->check(CLI::Range(1u, 1'000'000u))
      ->capture_default_str();
  app.add_option("--rate,-r", o.rate,
                 "Open loop: requests per second over all connections, latency measured from "
                 "the intended send time; 0 = max throughput (back to back)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--duration,-d", o.duration_seconds, "Seconds of scan load")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--healthz-seconds", o.healthz_seconds,
                 "Seconds of GET /healthz at max throughput with the same connections, before "
                 "the scans (default: as long as --duration; 0: skip)");
  app.add_option("--threads,-t", o.threads, "Load generator threads (one event loop each)")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  app.add_option("--request-timeout", o.request_timeout_seconds, "Seconds before a request fails")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--verify", o.verify,
               "After the run, check that every scan answered 201 or 200 is in the attendance "
               "export exactly once (exit 1 otherwise)");
  app.add_option("--kills", o.kills,
                 "Crash mode (managed only): SIGKILL the gateway this many times during the "
                 "load and restart it; unanswered requests are retried; implies --verify");
  app.add_option("--json", o.json_file, "Write the results as JSON to this file");
  app.add_option("--label", o.label, "A name for this run in the report");

  app.add_option("--gateway", o.gateway_binary,
                 "Managed mode: the checkin-gateway binary (default: next to this program)");
  app.add_option("--work-dir", o.work_dir,
                 "Managed mode: where the scratch data folder is made (default: system temp)");
  app.add_option("--gateway-threads", o.gateway_threads,
                 "Managed mode: the gateway's I/O threads (0: one per core)")
      ->capture_default_str();
  app.add_option("--memo-entries", o.memo_entries,
                 "Managed mode: [scans] token_memo_entries (default: 16 for distinct, else the "
                 "gateway's default)");
  app.add_option("--commit-gather-us", o.commit_gather_us,
                 "Managed mode: [storage] commit_gather_us (default: the gateway's)")
      ->check(CLI::Range(0, 100'000));
  app.add_flag("--public-key-only", o.public_key_only,
               "Managed mode: give the gateway the public key only, as for codes minted elsewhere: "
               "every new token's signature is then verified instead of re-signed");
  app.add_flag("--keep", o.keep, "Managed mode: keep the scratch data folder");

  app.add_option("--target", o.target,
                 "Load a running gateway at host:port instead of starting one (needs --program, "
                 "--key, members --first-member.. with --password; --organizer-key to verify)");
  app.add_option("--program", o.program_file, "--target: the gateway's program.json");
  app.add_option("--key", o.key_file, "--target: the signing key (signing.key) to mint tokens");
  app.add_option("--organizer-key", o.organizer_key, "--target: an organizer key, for --verify");
  app.add_option("--password", o.password, "The members' password")->capture_default_str();
  app.add_option("--first-member", o.first_member,
                 "Member numbers are first, first+1, ... (managed mode creates them)")
      ->capture_default_str();
}

}  // namespace checkin::loadtest
