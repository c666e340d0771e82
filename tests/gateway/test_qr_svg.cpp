// The projector's QR as SVG: the path drawn back into pixels must scan as the same text.
#include "gateway/qr_svg.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace checkin::gateway {
namespace {

constexpr std::string_view sample_text =
    "HTTPS://CHECKIN.EXAMPLE/Q/AEAZ2JHC5YBAAZDLADRII2YA66OAQSSTJZGTEMBSGYDECLJQGMYDC44OINTTAWUOWYF2"
    "Z5LPDSOSRGIAOYKKXK2NSMNN5LKVC6YF2Y6XJ7ONOE22ZYIRFEZOLU6AW2GDSWQ667XXI4QGBRC7AFPSJHWPZQCQ";

// Fills the runs of the SVG path ("Mx yhLv1h-Lz" each) into an image, `scale` pixels per
// module, on the white background of `side` modules.
tokens::gray_image draw_path(const std::string& svg, int side, int scale) {
  const int px = side * scale;
  tokens::gray_image img{px, px, px,
                         std::vector<std::uint8_t>(static_cast<std::size_t>(px) * px, 255)};
  static const std::regex run(R"(M(\d+) (\d+)h(\d+)v1h-(\d+)z)");
  const auto d_start = svg.find(" d=\"");
  const std::string d = svg.substr(d_start + 4, svg.find('"', d_start + 4) - d_start - 4);
  std::size_t drawn = 0;
  for (auto it = std::sregex_iterator(d.begin(), d.end(), run); it != std::sregex_iterator();
       ++it) {
    const int x = std::stoi((*it)[1]), y = std::stoi((*it)[2]), len = std::stoi((*it)[3]);
    EXPECT_EQ((*it)[3], (*it)[4]);
    drawn += it->length();
    for (int yy = y * scale; yy < (y + 1) * scale; ++yy) {
      for (int xx = x * scale; xx < (x + len) * scale; ++xx) {
        img.pixels[static_cast<std::size_t>(yy) * px + xx] = 0;
      }
    }
  }
  EXPECT_EQ(drawn, d.size()) << "the path holds nothing but runs";
  return img;
}

TEST(QrSvg, PathScansAsTheEncodedText) {
  const auto matrix = tokens::encode_qr(sample_text);
  const auto svg = qr_svg(matrix);
  const int side = matrix.size + 2 * qr_quiet_zone;
  const std::string head = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
                           std::to_string(side) + " " + std::to_string(side) + "\"";
  EXPECT_EQ(svg.rfind(head, 0), 0u) << svg.substr(0, 120);
  EXPECT_NE(svg.find("shape-rendering=\"crispEdges\""), std::string::npos);
  EXPECT_EQ(svg.find("style"), std::string::npos) << "no inline style: the page's CSP forbids it";
  const auto texts = tokens::decode_qr(draw_path(svg, side, 3));
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(texts[0], sample_text);
}

TEST(QrSvg, RunsCoverExactlyTheDarkModules) {
  tokens::qr_matrix m{3,
                      {1, 1, 0,  //
                       0, 0, 0,  //
                       1, 0, 1}};
  const auto svg = qr_svg(m, 1);
  EXPECT_NE(svg.find("viewBox=\"0 0 5 5\""), std::string::npos);
  EXPECT_NE(svg.find(" d=\"M1 1h2v1h-2zM1 3h1v1h-1zM3 3h1v1h-1z\""), std::string::npos) << svg;
}

}  // namespace
}  // namespace checkin::gateway
