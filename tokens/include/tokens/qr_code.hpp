#pragma once
// QR codes for session tokens: text -> module matrix (for drawing posters as vectors), and
// images -> texts (for verifying a printed or rendered poster). ZXing does the work; no
// ZXing type appears here.

#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace checkin::tokens {

// Error-correction level. Medium (~15% recoverable) is the poster default: it keeps a
// typical token at a low version while surviving a crease or a glare spot.
enum class qr_ecc { low, medium, quartile, high };

[[nodiscard]] std::string_view to_string(qr_ecc e) noexcept;  // "L", "M", "Q", "H"

// The symbol without its quiet zone: `size` x `size` modules, row-major, 1 = dark.
struct qr_matrix {
  int size = 0;
  std::vector<std::uint8_t> modules;

  [[nodiscard]] bool dark(int x, int y) const noexcept {
    return modules[static_cast<std::size_t>(y) * static_cast<std::size_t>(size) +
                   static_cast<std::size_t>(x)] != 0;
  }
  // 1..40; the size is 17 + 4 * version.
  [[nodiscard]] int version() const noexcept { return (size - 17) / 4; }
};

// Smallest symbol that holds `text` at `ecc` (ZXing picks the mode: a token's upper-case
// text encodes as alphanumeric). Throws std::invalid_argument when `text` is empty or
// does not fit in a version 40 symbol.
[[nodiscard]] qr_matrix encode_qr(std::string_view text, qr_ecc ecc = qr_ecc::medium);

// An 8-bit grayscale image (0 = black), rows `stride` bytes apart.
struct gray_image {
  int width = 0;
  int height = 0;
  int stride = 0;
  std::vector<std::uint8_t> pixels;
};

// What a scanner read: the text and the level the symbol declares.
struct decoded_qr {
  std::string text;
  qr_ecc ecc = qr_ecc::low;
};

// Every QR code found in the image, in ZXing's order; empty when there is none.
// Other symbologies are not looked for.
[[nodiscard]] std::vector<decoded_qr> read_qr_codes(const gray_image& image);
// The texts of read_qr_codes().
[[nodiscard]] std::vector<std::string> decode_qr(const gray_image& image);

struct image_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// PNG -> luminance (alpha composited over white). Throws image_error naming the file or
// "PNG data" when it cannot be read or is not a PNG.
[[nodiscard]] gray_image load_png_gray(const std::filesystem::path& file);
[[nodiscard]] gray_image png_to_gray(std::span<const std::uint8_t> png);

// load_png_gray() then decode_qr().
[[nodiscard]] std::vector<std::string> decode_qr_png(const std::filesystem::path& file);

}  // namespace checkin::tokens
