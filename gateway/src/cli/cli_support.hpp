#pragma once
// Shared pieces of the subcommands: where the program and keys come from by default,
// and how claims are shown to a person.

#include "gateway/config.hpp"
#include "store/scan_store.hpp"
#include "tokens/key_ring.hpp"
#include "tokens/program.hpp"
#include "tokens/session_token.hpp"

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace checkin::cli {

inline constexpr const char* default_key_dir = "data/keys";
inline constexpr const char* default_secret_key = "data/keys/signing.key";
inline constexpr const char* default_public_key = "data/keys/signing.pub";

// The demo program and roster compiled into the binary (gateway/demo/).
[[nodiscard]] std::string_view embedded_demo_program() noexcept;
[[nodiscard]] std::string_view embedded_demo_members() noexcept;

// --program FILE, or, when empty, the demo program kept in DATA_DIR/demo-program.json. The
// first command that needs it while DATA_DIR exists writes it there: the embedded demo program
// moved in time so that it is in progress (its first session began an hour ago). Every later
// command, and `serve`, reads that same file, so all agree on the session times. Without
// DATA_DIR the shifted program is used in memory only.
[[nodiscard]] tokens::meeting_program load_program_or_demo(const std::string& path,
                                                           const std::filesystem::path& data_dir);

// For commands that read what `serve` wrote: throws command_failure (exit_status::data) naming
// the folder when DATA_DIR or its store (DATA_DIR/db) does not exist, instead of creating an
// empty store and reporting nothing.
void require_data_dir(const std::filesystem::path& data_dir);

// Key ring from public key files; `retired` holds key ids (hex) to mark retired.
// Throws std::runtime_error naming the file or id on problems.
[[nodiscard]] tokens::key_ring load_key_ring(const std::vector<std::string>& public_key_files,
                                             const std::vector<std::string>& retired_ids);

// Multi-line, human-readable description of verified claims; uses the program (when the
// token's meeting matches) to add the session title and room, and local times.
[[nodiscard]] std::string describe_claims(const tokens::session_claims& claims,
                                          const tokens::meeting_program* program);

// Opens the scan store in DATA_DIR/db (created if missing); throws with a clear message.
[[nodiscard]] store::scan_store open_store(const std::filesystem::path& data_dir,
                                          std::size_t map_size_mib = 1024,
                                          std::size_t map_size_limit_mib = 16 * 1024);

// A time given on the command line: "now" or an RFC 3339 time. Throws std::runtime_error
// naming `option` ("--slot 9am: expected 'now' or an RFC 3339 time").
[[nodiscard]] tokens::sys_seconds time_argument(std::string_view option, const std::string& text);

// Adds the common "--program FILE" and "--data-dir DIR" (where the demo program is kept; default
// "data") options.
void add_program_option(CLI::App& cmd, std::string& path, std::string& data_dir);

// --config, --data-dir and --program: how the commands that read the gateway's data find the
// same configuration `serve` uses.
struct config_options {
  std::string config_file;
  std::string data_dir;
  std::string program;
};
void add_config_options(CLI::App& cmd, config_options& o);
// Embedded defaults, then the TOML file, then the flags.
[[nodiscard]] gateway::gateway_config load_config(const config_options& o);

}  // namespace checkin::cli
