#include "gateway/qr_svg.hpp"

namespace checkin::gateway {

std::string qr_svg(const tokens::qr_matrix& matrix, int quiet_zone) {
  const int n = matrix.size + 2 * quiet_zone;
  const auto side = std::to_string(n);
  std::string out;
  out.reserve(static_cast<std::size_t>(matrix.size * matrix.size) * 4 + 256);
  out += R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 )" + side + " " + side +
         R"(" shape-rendering="crispEdges" role="img" aria-label="QR code">)";
  out += R"(<rect width=")" + side + R"(" height=")" + side +
         R"(" fill="#fff"/><path fill="#000" d=")";
  // One subpath per horizontal run of dark modules: "M x y h len v 1 h -len z".
  for (int y = 0; y < matrix.size; ++y) {
    for (int x = 0; x < matrix.size;) {
      if (!matrix.dark(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < matrix.size && matrix.dark(x + run, y)) ++run;
      const auto len = std::to_string(run);
      out += "M" + std::to_string(x + quiet_zone) + " " + std::to_string(y + quiet_zone) + "h" +
             len + "v1h-" + len + "z";
      x += run;
    }
  }
  out += R"("/></svg>)";
  return out;
}

}  // namespace checkin::gateway
