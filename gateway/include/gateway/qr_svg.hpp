#pragma once
// A QR symbol as an SVG document, for the projector page: the server draws the code, so the
// page needs no QR library. Pure: module matrix in, text out.

#include "tokens/qr_code.hpp"

#include <string>

namespace checkin::gateway {

// White modules around the symbol that a scanner needs to find it (ISO/IEC 18004: 4).
inline constexpr int qr_quiet_zone = 4;

// A square SVG in module units (viewBox 0 0 n n with n = size + 2 * quiet_zone): a white
// background and one black <path> of the dark modules, drawn row by row as runs. Scales to
// any size without blur (shape-rendering="crispEdges"); no style attributes, so it passes a
// strict Content-Security-Policy.
[[nodiscard]] std::string qr_svg(const tokens::qr_matrix& matrix, int quiet_zone = qr_quiet_zone);

}  // namespace checkin::gateway
