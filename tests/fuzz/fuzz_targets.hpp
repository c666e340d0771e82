#pragma once
// The fuzz targets' bodies, one per fuzz_<name>.cpp. Each takes one input, never throws, returns
// 0, and stops the process (fuzz_check) when a property of the code under test fails, so that a
// fuzzer reports it as a finding. The libFuzzer executables (libfuzzer_entry.cpp) and the
// replay test under GCC (test_fuzz_replay.cpp) call the same functions.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace checkin::fuzz {

// HTTP bytes → the server's request parser set-up → gateway_app::handle, in process.
int fuzz_http(const std::uint8_t* data, std::size_t size);
// QR text → tokens::parse_and_verify; payload bytes → decode/encode round trip.
int fuzz_session_token(const std::uint8_t* data, std::size_t size);
// A scan or batch body → parse_json_body → parse_scan_request (each item of a batch).
int fuzz_scan_body(const std::uint8_t* data, std::size_t size);
// Roster CSV → parse_roster_csv.
int fuzz_roster_csv(const std::uint8_t* data, std::size_t size);
// program.json → parse_program, and posters for every session it accepts.
int fuzz_program(const std::uint8_t* data, std::size_t size);
// A TOML file → load_config; to_toml of the result reads back to the same configuration.
int fuzz_config_toml(const std::uint8_t* data, std::size_t size);
// Stored value bytes → each record decoder; what decodes re-encodes to the same bytes.
int fuzz_record_codec(const std::uint8_t* data, std::size_t size);
// Authorization token text → bearer_issuer::check; issue/check round trip.
int fuzz_bearer(const std::uint8_t* data, std::size_t size);
// RFC 3339 text → parse → format → parse, and times → format → parse.
int fuzz_rfc3339(const std::uint8_t* data, std::size_t size);
// A webhook's HTTP answer → the sink's response parser → classify_answer.
int fuzz_http_outcome(const std::uint8_t* data, std::size_t size);

// Each target by its name (as in tests/fuzz/corpus/<name>/), for the replay test.
struct fuzz_target {
  std::string_view name;
  int (*run)(const std::uint8_t*, std::size_t);
};
inline constexpr fuzz_target all_targets[] = {
    {"http", fuzz_http},
    {"session_token", fuzz_session_token},
    {"scan_body", fuzz_scan_body},
    {"roster_csv", fuzz_roster_csv},
    {"program", fuzz_program},
    {"config_toml", fuzz_config_toml},
    {"record_codec", fuzz_record_codec},
    {"bearer", fuzz_bearer},
    {"rfc3339", fuzz_rfc3339},
    {"http_outcome", fuzz_http_outcome},
};

}  // namespace checkin::fuzz
