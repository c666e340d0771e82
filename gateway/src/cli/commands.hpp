#pragma once
// Each subcommand registers itself on the root CLI::App; main() only wires.

#include <CLI/CLI.hpp>
#include <string>

namespace checkin::cli {

void add_keygen_command(CLI::App& app);   // keygen --out DIR
void add_token_command(CLI::App& app);    // token --session ID [--slot TIME]
void add_poster_command(CLI::App& app);   // poster --session ID|--all --format svg|png|pdf --out
void add_verify_command(CLI::App& app);   // verify [--pub FILE...] FILE|TEXT
void add_serve_command(CLI::App& app);    // serve [--config FILE] [--demo] ...
void add_members_command(CLI::App& app);  // members import FILE
void add_sync_command(CLI::App& app);     // sync status | export --out DIR | retry
void add_report_commands(CLI::App& app);  // attendance, credits, organizer-key, display-key

// The malloc this process allocates through, as checked at run time: "mimalloc 2.0.9", or
// "system malloc" (a build without CHECKIN_MIMALLOC, or one where it is linked but not in effect).
[[nodiscard]] std::string allocator_in_use();
// "checkin-gateway 0.1.0 (allocator: ...)", for --version.
[[nodiscard]] std::string version_text();

}  // namespace checkin::cli
