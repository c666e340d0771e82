// checkin-gateway verify [--pub FILE]... [--retired KEYID]... [--at TIME|now] [--print-text] FILE|TEXT
#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "gateway/scan_rules.hpp"
#include "tokens/qr_code.hpp"
#include "tokens/rfc3339.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace checkin::cli {
namespace {

using std::chrono::sys_seconds;

struct verify_options {
  std::vector<std::string> public_keys;
  std::vector<std::string> retired;
  std::string program;
  std::string data_dir = "data";
  std::string at;
  int slot_grace_seconds = static_cast<int>(gateway::scan_policy{}.slot_grace.count());
  bool print_text = false;
  std::string input;
};

std::optional<sys_seconds> check_time(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return time_argument("--at", text);
}

void reject(std::string_view source, tokens::token_error e) {
  std::fprintf(stderr, "%.*s: rejected: %.*s: %.*s\n", static_cast<int>(source.size()),
               source.data(), static_cast<int>(tokens::code(e).size()), tokens::code(e).data(),
               static_cast<int>(tokens::message(e).size()), tokens::message(e).data());
}

// A mistyped file name must not be judged as QR text (and reported as wrong_prefix): an
// argument that is not a QR text of this program and names a path or a PNG is a file.
bool names_a_file(const std::string& input, std::string_view qr_prefix) {
  if (input.starts_with(qr_prefix)) return false;
  std::string lower = input;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return lower.ends_with(".png") || input.find('/') != std::string::npos ||
         std::filesystem::exists(input);
}

// The QR texts to check: those decoded from an image file, or the argument itself.
std::vector<std::string> texts_of(const std::string& input, std::string_view qr_prefix) {
  if (!std::filesystem::is_regular_file(input)) {
    if (names_a_file(input, qr_prefix)) {
      throw command_failure(exit_status::usage,
                            input + ": no such file (give a PNG file or the QR text)");
    }
    return {input};
  }
  auto texts = tokens::decode_qr_png(input);
  if (texts.empty()) {
    std::fprintf(stderr, "%s: no QR code found\n", input.c_str());
    throw CLI::RuntimeError(static_cast<int>(exit_status::rejected));
  }
  return texts;
}

void run_verify(const verify_options& o) {
  const auto at = check_time(o.at);
  const auto program = load_program_or_demo(o.program, o.data_dir);
  // The input first: a mistyped file name is the problem to report, not a missing key.
  const auto texts = texts_of(o.input, program.qr_prefix);
  const auto ring = load_key_ring(
      o.public_keys.empty() ? std::vector<std::string>{default_public_key} : o.public_keys,
      o.retired);

  bool all_ok = true;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::string source =
        texts.size() == 1 ? "token"
                          : "QR code " + std::to_string(i + 1) + "/" + std::to_string(texts.size());
    const auto claims = tokens::parse_and_verify(texts[i], ring, program.qr_prefix);
    if (!claims) {
      reject(source, claims.error());
      all_ok = false;
      continue;
    }
    std::printf("%s: signature valid\n%s", source.c_str(),
                describe_claims(*claims, &program).c_str());
    if (o.print_text) std::printf("text:        %s\n", texts[i].c_str());
    if (!at) continue;
    const auto at_text = tokens::format_rfc3339(*at, program.utc_offset);
    if (tokens::within_window(*claims, *at, std::chrono::seconds{o.slot_grace_seconds})) {
      std::printf("window:      open at %s\n", at_text.c_str());
    } else {
      std::printf("window:      closed at %s\n", at_text.c_str());
      reject(source, tokens::token_error::outside_window);
      all_ok = false;
    }
  }
  std::fflush(stdout);
  if (!all_ok) throw CLI::RuntimeError(static_cast<int>(exit_status::rejected));
}

}  // namespace

void add_verify_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "verify",
      "Check a session token: decode the QR code from a PNG file (a rendered or photographed "
      "poster), or take the argument as the QR text, verify its signature against the public "
      "keys and print its claims. With --at, also check that the time is inside the token's "
      "window. Exit status: 0 verified, 4 rejected (the reason is printed); others as in "
      "checkin-gateway --help.");
  auto o = std::make_shared<verify_options>();
  cmd->add_option("--pub", o->public_keys,
                  "Trusted public key file; repeat for several keys (key rotation). Default: " +
                      std::string(default_public_key))
      ->check(CLI::ExistingFile);
  cmd->add_option("--retired", o->retired,
                  "Key id (8 hex digits) of a --pub key to treat as retired; repeatable");
  add_program_option(*cmd, o->program, o->data_dir);
  cmd->add_option("--at", o->at,
                  "Also check the validity window at this time: 'now' or RFC 3339, e.g. "
                  "2026-11-28T09:30:00+09:00");
  cmd->add_option("--slot-grace", o->slot_grace_seconds,
                  "Seconds a slot token stays valid after its slot ends (as the gateway allows)")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  cmd->add_flag("--print-text", o->print_text,
                "Also print the QR text of each verified code (e.g. to send it as a scan)");
  cmd->add_option("input", o->input, "PNG file with the QR code, or the QR text itself")
      ->required();
  cmd->callback([o] { run_verify(*o); });
}

}  // namespace checkin::cli
