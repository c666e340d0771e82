// ZXing-C++ 1.4 behind the qr_code.hpp contract, and cairo for PNG input.
// ZX_USE_UTF8 makes Result::text() return UTF-8 std::string (ZXing 1.4 defaults to wstring).
#define ZX_USE_UTF8
#include "tokens/qr_code.hpp"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <ZXing/ReadBarcode.h>
#include <cairo.h>

#include <array>
#include <cstring>
#include <memory>

namespace checkin::tokens {
namespace {

struct ecc_info {
  qr_ecc ecc;
  std::string_view name;  // as ZXing's Result::ecLevel() reports it
  int zxing_level;
};
// MultiFormatWriter takes one 0..8 level shared with Aztec and PDF417. ZXing 1.4 maps it to
// QR levels as 0-2 -> L, 3-4 -> M, 5-6 -> Q, 7-8 -> H (found by encoding and decoding each
// level; test_qr_code.cpp pins it through encode_qr / read_qr_codes).
constexpr std::array<ecc_info, 4> ecc_levels{{
    {qr_ecc::low, "L", 1},
    {qr_ecc::medium, "M", 4},
    {qr_ecc::quartile, "Q", 6},
    {qr_ecc::high, "H", 8},
}};

// Indexed by the enum's value.
static_assert([] {
  for (std::size_t i = 0; i < ecc_levels.size(); ++i) {
    if (ecc_levels[i].ecc != static_cast<qr_ecc>(i)) return false;
  }
  return true;
}());

const ecc_info& info(qr_ecc e) noexcept { return ecc_levels[static_cast<std::size_t>(e)]; }

qr_ecc ecc_from_zxing(std::string_view level) noexcept {
  for (const auto& l : ecc_levels) {
    if (l.name == level) return l.ecc;
  }
  return qr_ecc::low;
}

struct surface_deleter {
  void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
};
using surface_ptr = std::unique_ptr<cairo_surface_t, surface_deleter>;

struct context_deleter {
  void operator()(cairo_t* c) const noexcept { cairo_destroy(c); }
};
using context_ptr = std::unique_ptr<cairo_t, context_deleter>;

// Any surface cairo loaded (ARGB32, RGB24, A8, ...) is flattened onto white RGB24 first so
// one conversion handles every PNG colour type, transparency included.
gray_image to_gray(cairo_surface_t* loaded, const std::string& origin) {
  if (cairo_surface_status(loaded) != CAIRO_STATUS_SUCCESS) {
    throw image_error(origin + ": cannot read PNG (" +
                      cairo_status_to_string(cairo_surface_status(loaded)) + ")");
  }
  const int width = cairo_image_surface_get_width(loaded);
  const int height = cairo_image_surface_get_height(loaded);

  surface_ptr flat{cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height)};
  {
    context_ptr cr{cairo_create(flat.get())};
    cairo_set_source_rgb(cr.get(), 1, 1, 1);
    cairo_paint(cr.get());
    cairo_set_source_surface(cr.get(), loaded, 0, 0);
    cairo_paint(cr.get());
  }
  cairo_surface_flush(flat.get());
  if (cairo_surface_status(flat.get()) != CAIRO_STATUS_SUCCESS) {
    throw image_error(origin + ": cannot convert image");
  }

  gray_image out{width, height, width, {}};
  out.pixels.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  const unsigned char* base = cairo_image_surface_get_data(flat.get());
  const int src_stride = cairo_image_surface_get_stride(flat.get());
  for (int y = 0; y < height; ++y) {
    const unsigned char* row = base + static_cast<std::ptrdiff_t>(y) * src_stride;
    for (int x = 0; x < width; ++x) {
      // RGB24 pixels are native-endian 0x00RRGGBB words.
      std::uint32_t px;
      std::memcpy(&px, row + static_cast<std::ptrdiff_t>(x) * 4, sizeof px);
      const unsigned r = (px >> 16) & 0xffu, g = (px >> 8) & 0xffu, b = px & 0xffu;
      out.pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                 static_cast<std::size_t>(x)] = ZXing::RGBToLum(r, g, b);
    }
  }
  return out;
}

struct png_reader {
  std::span<const std::uint8_t> rest;
};

cairo_status_t read_png_bytes(void* closure, unsigned char* data, unsigned int length) {
  auto* reader = static_cast<png_reader*>(closure);
  if (length > reader->rest.size()) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(data, reader->rest.data(), length);
  reader->rest = reader->rest.subspan(length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string_view to_string(qr_ecc e) noexcept { return info(e).name; }

qr_matrix encode_qr(std::string_view text, qr_ecc ecc) {
  if (text.empty()) throw std::invalid_argument("QR text is empty");
  ZXing::BitMatrix bits;
  try {
    // A 1x1 request with margin 0 yields exactly one pixel per module.
    bits = ZXing::MultiFormatWriter(ZXing::BarcodeFormat::QRCode)
               .setEccLevel(info(ecc).zxing_level)
               .setMargin(0)
               .encode(std::string(text), 1, 1);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("cannot encode QR text of ") +
                                std::to_string(text.size()) + " characters: " + e.what());
  }

  qr_matrix m;
  m.size = bits.width();
  m.modules.resize(static_cast<std::size_t>(m.size) * static_cast<std::size_t>(m.size));
  for (int y = 0; y < m.size; ++y) {
    for (int x = 0; x < m.size; ++x) {
      m.modules[static_cast<std::size_t>(y) * static_cast<std::size_t>(m.size) +
                static_cast<std::size_t>(x)] = bits.get(x, y) ? 1 : 0;
    }
  }
  return m;
}

std::vector<decoded_qr> read_qr_codes(const gray_image& image) {
  std::vector<decoded_qr> found;
  if (image.width <= 0 || image.height <= 0 || image.pixels.empty()) return found;
  const ZXing::ImageView view(image.pixels.data(), image.width, image.height,
                              ZXing::ImageFormat::Lum, image.stride);
  const auto hints =
      ZXing::DecodeHints().setFormats(ZXing::BarcodeFormat::QRCode).setTryHarder(true);
  for (const auto& result : ZXing::ReadBarcodes(view, hints)) {
    if (!result.isValid()) continue;
    found.push_back({result.text(), ecc_from_zxing(result.ecLevel())});
  }
  return found;
}

std::vector<std::string> decode_qr(const gray_image& image) {
  std::vector<std::string> texts;
  for (auto& qr : read_qr_codes(image)) texts.push_back(std::move(qr.text));
  return texts;
}

gray_image load_png_gray(const std::filesystem::path& file) {
  surface_ptr loaded{cairo_image_surface_create_from_png(file.c_str())};
  return to_gray(loaded.get(), file.string());
}

gray_image png_to_gray(std::span<const std::uint8_t> png) {
  png_reader reader{png};
  surface_ptr loaded{cairo_image_surface_create_from_png_stream(read_png_bytes, &reader)};
  return to_gray(loaded.get(), "PNG data");
}

std::vector<std::string> decode_qr_png(const std::filesystem::path& file) {
  return decode_qr(load_png_gray(file));
}

}  // namespace checkin::tokens
