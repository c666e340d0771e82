#pragma once
// Shared pieces of the subcommands: where the program and keys come from by default,
// and how claims are shown to a person.

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

// The demo program compiled into the binary (gateway/demo/program.json).
[[nodiscard]] std::string_view embedded_demo_program() noexcept;

// --program FILE, or the embedded demo program when empty.
[[nodiscard]] tokens::meeting_program load_program_or_demo(const std::string& path);

// Key ring from public key files; `retired` holds key ids (hex) to mark retired.
// Throws std::runtime_error naming the file or id on problems.
[[nodiscard]] tokens::key_ring load_key_ring(const std::vector<std::string>& public_key_files,
                                             const std::vector<std::string>& retired_ids);

// Multi-line, human-readable description of verified claims; uses the program (when the
// token's meeting matches) to add the session title and room, and local times.
[[nodiscard]] std::string describe_claims(const tokens::session_claims& claims,
                                          const tokens::meeting_program* program);

// Adds the common "--program FILE" option.
void add_program_option(CLI::App& cmd, std::string& path);

}  // namespace checkin::cli
