#pragma once
// The A4 poster pinned on a lecture-room door: what the session is, when it runs, what
// credit it gives, and a large QR code of its signed poster token. Rendered with cairo +
// pango (Noto Sans CJK JP) to SVG, PNG or PDF, into a file or into memory.

#include "tokens/program.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace checkin::tokens {

enum class poster_format { svg, png, pdf };

[[nodiscard]] std::string_view to_string(poster_format f) noexcept;  // "svg", "png", "pdf"
[[nodiscard]] std::optional<poster_format> poster_format_from_string(std::string_view s) noexcept;
// From a file name's extension, case-insensitive: "a/b.PDF" -> pdf; nullopt otherwise.
[[nodiscard]] std::optional<poster_format> poster_format_for(const std::filesystem::path& file);
// HTTP media type: "image/svg+xml", "image/png", "application/pdf".
[[nodiscard]] std::string_view media_type(poster_format f) noexcept;

inline constexpr double poster_png_dpi = 150;
inline constexpr std::string_view poster_font_family = "Noto Sans CJK JP";

// Everything printed on the poster, already in display form (UTF-8). Plain data, so a
// poster can be rendered without a program (tests, previews).
struct poster_content {
  std::string meeting_name;
  std::string session_title;  // may be long: wrapped, then shrunk to fit
  std::string session_id;     // printed small beside the footer, for people reading it out
  std::string room;
  std::string when_text;         // "2026年11月28日（土）9:00 – 10:00" (local time)
  std::string scan_window_text;  // "スキャン受付 8:45 – 10:15 (UTC+09:00)"
  std::string credit_text;       // "教育講演単位 1 単位"
  std::string credit_text_en;    // "Education credit: 1 unit"
  std::string qr_text;
};

// Display texts for session `s` of `p` in the meeting's local time (p.utc_offset); the scan
// window is the poster token's (opens_before / closes_after around the session).
[[nodiscard]] poster_content make_poster_content(const meeting_program& p, const session_info& s,
                                                 std::string qr_text);

// Throws poster_error when cairo fails (e.g. an unwritable file) and std::invalid_argument
// when the QR text cannot be encoded.
struct poster_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void render_poster(const poster_content& content, poster_format format,
                   const std::filesystem::path& file);
[[nodiscard]] std::vector<std::uint8_t> render_poster_bytes(const poster_content& content,
                                                            poster_format format);

}  // namespace checkin::tokens
