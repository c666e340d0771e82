// Poster layout and rendering. The page is laid out once in millimetres on a cairo context
// scaled to the surface (points for PDF/SVG, pixels for PNG), so every format shares one
// layout. Text is set with pango; the QR is one filled path of module rectangles, so it
// stays sharp at any print size and shows no seams between modules.
#include "tokens/poster.hpp"

#include "tokens/qr_code.hpp"
#include "tokens/rfc3339.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <numbers>
#include <optional>
#include <utility>

namespace checkin::tokens {
namespace {

using namespace std::chrono;

// ---- content ---------------------------------------------------------------------------

// "11月28日（土）" in the meeting's local time.
std::string local_date(sys_seconds t, minutes offset) {
  static constexpr std::array<const char*, 7> weekday_kanji{"日", "月", "火", "水",
                                                            "木", "金", "土"};
  const auto day = floor<days>(t + offset);
  const year_month_day ymd{day};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%u月%u日（%s）", static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), weekday_kanji[weekday{day}.c_encoding()]);
  return buf;
}

std::string local_clock(sys_seconds t, minutes offset) {
  const auto local = t + offset;
  const hh_mm_ss hms{local - floor<days>(local)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%d:%02d", static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()));
  return buf;
}

bool same_local_day(sys_seconds a, sys_seconds b, minutes offset) {
  return floor<days>(a + offset) == floor<days>(b + offset);
}

// "9:00 – 10:00" within a day; "11月26日（木）8:00 – 11月28日（土）18:00" across days.
// No space after a date: its full-width closing parenthesis already spaces it.
std::string local_range(sys_seconds from, sys_seconds until, minutes offset) {
  if (same_local_day(from, until, offset)) {
    return local_clock(from, offset) + " – " + local_clock(until, offset);
  }
  return local_date(from, offset) + local_clock(from, offset) + " – " + local_date(until, offset) +
         local_clock(until, offset);
}

std::string utc_offset_label(minutes offset) {
  return offset == minutes{0} ? "UTC" : "UTC" + format_utc_offset(offset);
}

// ---- cairo / pango handles -------------------------------------------------------------

struct handle_deleter {
  void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
  void operator()(cairo_t* c) const noexcept { cairo_destroy(c); }
  void operator()(cairo_font_options_t* o) const noexcept { cairo_font_options_destroy(o); }
  void operator()(PangoLayout* l) const noexcept { g_object_unref(l); }
  void operator()(PangoFontDescription* d) const noexcept { pango_font_description_free(d); }
};
template <typename T>
using handle = std::unique_ptr<T, handle_deleter>;

// Pango silently substitutes a missing family, which would print tofu boxes for Japanese;
// refuse instead. Checked once per process.
void require_font() {
  static const bool installed = [] {
    PangoFontFamily** families = nullptr;
    int count = 0;
    pango_font_map_list_families(pango_cairo_font_map_get_default(), &families, &count);
    bool found = false;
    for (int i = 0; i < count && !found; ++i) {
      found = poster_font_family == pango_font_family_get_name(families[i]);
    }
    g_free(families);
    return found;
  }();
  if (!installed) {
    throw poster_error("font \"" + std::string(poster_font_family) +
                       "\" is not installed (Debian package fonts-noto-cjk)");
  }
}

// ---- layout ----------------------------------------------------------------------------

constexpr double page_w = 210, page_h = 297;  // A4, mm
constexpr double margin = 16;
constexpr double content_w = page_w - 2 * margin;
constexpr double mm_per_pt = 25.4 / 72;
// QR symbol width on paper: ~115 mm scans from 1-2 m with a phone and, with a 4-module
// quiet zone, leaves room for the texts above and below.
constexpr double qr_width = 115;
constexpr int quiet_modules = 4;

struct rgb {
  double r, g, b;
};
constexpr rgb ink{0.08, 0.09, 0.11};
constexpr rgb accent{0.11, 0.29, 0.49};
constexpr rgb muted{0.36, 0.38, 0.42};
constexpr rgb tint{0.91, 0.94, 0.97};
constexpr rgb rule{0.80, 0.82, 0.85};

void set_color(cairo_t* cr, rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

struct box {
  double x, y, w, h;
};

struct text_style {
  double size;      // mm, the size tried first
  double min_size;  // mm; a text that does not fit at this size is ellipsized
  PangoWeight weight;
  rgb color;
};

struct extent {
  double w, h;
};

int pango_units(double mm) { return static_cast<int>(std::lround(mm * PANGO_SCALE)); }

// A centred layout wrapped at `width` mm (unwrapped when width <= 0).
handle<PangoLayout> make_layout(cairo_t* cr, std::string_view text, double width) {
  handle<PangoLayout> layout{pango_cairo_create_layout(cr)};
  // Unhinted metrics keep line breaks identical in every format and resolution, and glyph
  // positions must not be rounded: a user-space unit here is a millimetre, not a pixel.
  PangoContext* context = pango_layout_get_context(layout.get());
  handle<cairo_font_options_t> options{cairo_font_options_create()};
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context, options.get());
  pango_context_set_round_glyph_positions(context, FALSE);
  pango_layout_context_changed(layout.get());

  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  if (width > 0) pango_layout_set_width(layout.get(), pango_units(width));
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(layout.get(), PANGO_ALIGN_CENTER);
  return layout;
}

void set_font(PangoLayout* layout, double size, PangoWeight weight) {
  handle<PangoFontDescription> font{pango_font_description_new()};
  pango_font_description_set_family(font.get(), std::string(poster_font_family).c_str());
  pango_font_description_set_weight(font.get(), weight);
  pango_font_description_set_absolute_size(font.get(), size * PANGO_SCALE);
  pango_layout_set_font_description(layout, font.get());
}

extent size_of(PangoLayout* layout) {
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  return {static_cast<double>(logical.width) / PANGO_SCALE,
          static_cast<double>(logical.height) / PANGO_SCALE};
}

// One line at the largest size that fits, else two lines split at the space that balances
// them best ("シンポジウム2 ¹⁷⁷Lu-PSMA" / "治療の臨床導入", not "...治" / "療の..."), trying
// sizes down to 80% of style.size. The text and size to use; nullopt when neither fits.
std::optional<std::pair<std::string, double>> fit_at_spaces(cairo_t* cr, std::string_view text,
                                                            const box& b, const text_style& style) {
  auto layout = make_layout(cr, "", 0);  // unwrapped: a line too wide shows as e.w > b.w
  for (double size = style.size; size >= style.size * 0.8; size *= 0.96) {
    set_font(layout.get(), size, style.weight);
    std::optional<std::string> best;
    double best_width = b.w;
    for (auto space = text.find(' '); space != std::string_view::npos;
         space = text.find(' ', space + 1)) {
      std::string candidate{text};
      candidate[space] = '\n';
      pango_layout_set_text(layout.get(), candidate.data(), static_cast<int>(candidate.size()));
      const auto e = size_of(layout.get());  // e.w: the wider of the two lines
      if (e.w <= b.w && e.h <= b.h && e.w < best_width) {
        best = std::move(candidate);
        best_width = e.w;
      }
    }
    pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
    const auto single = size_of(layout.get());
    if (single.w <= b.w && single.h <= b.h) return std::pair{std::string{text}, size};
    if (best) return std::pair{*best, size};
  }
  return std::nullopt;
}

// Wraps `text` to the box width, shrinks it until it fits the box height (ellipsized if it
// still does not at min_size) and centres it in the box.
void draw_text(cairo_t* cr, std::string_view text, const box& b, const text_style& style) {
  if (text.empty()) return;
  const auto at_spaces = fit_at_spaces(cr, text, b, style);
  auto layout = make_layout(cr, at_spaces ? std::string_view{at_spaces->first} : text, b.w);
  double size = at_spaces ? at_spaces->second : style.size;
  set_font(layout.get(), size, style.weight);
  while (size_of(layout.get()).h > b.h && size > style.min_size) {
    size = std::max(style.min_size, size * 0.92);
    set_font(layout.get(), size, style.weight);
  }
  if (size_of(layout.get()).h > b.h) {
    pango_layout_set_height(layout.get(), pango_units(b.h));
    pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);
  }
  const double h = std::min(size_of(layout.get()).h, b.h);
  set_color(cr, style.color);
  cairo_move_to(cr, b.x, b.y + (b.h - h) / 2);
  pango_cairo_show_layout(cr, layout.get());
}

void rounded_rect(cairo_t* cr, const box& b, double r) {
  using std::numbers::pi;
  cairo_new_sub_path(cr);
  cairo_arc(cr, b.x + b.w - r, b.y + r, r, -pi / 2, 0);
  cairo_arc(cr, b.x + b.w - r, b.y + b.h - r, r, 0, pi / 2);
  cairo_arc(cr, b.x + r, b.y + b.h - r, r, pi / 2, pi);
  cairo_arc(cr, b.x + r, b.y + r, r, pi, 3 * pi / 2);
  cairo_close_path(cr);
}

// The credit as a tinted badge below `top`, sized to its text: Japanese over English.
void draw_credit(cairo_t* cr, const poster_content& c, double top) {
  auto ja = make_layout(cr, c.credit_text, 0);
  set_font(ja.get(), 7.0, PANGO_WEIGHT_BOLD);
  auto en = make_layout(cr, c.credit_text_en, 0);
  set_font(en.get(), 4.2, PANGO_WEIGHT_NORMAL);
  const auto ja_size = size_of(ja.get()), en_size = size_of(en.get());

  constexpr double pad_x = 10, pad_y = 2.5;
  const double w = std::min(content_w, std::max(ja_size.w, en_size.w) + 2 * pad_x);
  rounded_rect(cr, {(page_w - w) / 2, top, w, ja_size.h + en_size.h + 2 * pad_y}, 3);
  set_color(cr, tint);
  cairo_fill_preserve(cr);
  set_color(cr, accent);
  cairo_set_line_width(cr, 0.5);
  cairo_stroke(cr);

  cairo_move_to(cr, (page_w - ja_size.w) / 2, top + pad_y);
  pango_cairo_show_layout(cr, ja.get());
  set_color(cr, muted);
  cairo_move_to(cr, (page_w - en_size.w) / 2, top + pad_y + ja_size.h);
  pango_cairo_show_layout(cr, en.get());
}

// Dark modules as one path, a rectangle per horizontal run, filled once: no seams.
void draw_qr(cairo_t* cr, const qr_matrix& qr, double x, double y, double module) {
  for (int row = 0; row < qr.size; ++row) {
    for (int col = 0; col < qr.size;) {
      if (!qr.dark(col, row)) {
        ++col;
        continue;
      }
      const int start = col;
      while (col < qr.size && qr.dark(col, row)) ++col;
      cairo_rectangle(cr, x + start * module, y + row * module, (col - start) * module, module);
    }
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_fill(cr);
}

void draw_poster(cairo_t* cr, const poster_content& c, const qr_matrix& qr) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);

  // Header: meeting name over an accent rule.
  draw_text(cr, c.meeting_name, {margin, 12, content_w, 15}, {6.0, 4.0, PANGO_WEIGHT_BOLD, accent});
  set_color(cr, accent);
  cairo_rectangle(cr, margin, 29, content_w, 0.8);
  cairo_fill(cr);

  // The title is what is read from across the corridor; then where, when and what credit.
  draw_text(cr, c.session_title, {margin, 33, content_w, 40}, {12.5, 6.5, PANGO_WEIGHT_BOLD, ink});
  draw_text(cr, c.room, {margin, 75, content_w, 9}, {6.0, 4.0, PANGO_WEIGHT_NORMAL, ink});
  draw_text(cr, c.when_text, {margin, 84, content_w, 9}, {6.0, 4.0, PANGO_WEIGHT_BOLD, ink});
  draw_text(cr, c.scan_window_text, {margin, 93, content_w, 6},
            {3.8, 3.0, PANGO_WEIGHT_NORMAL, muted});
  draw_credit(cr, c, 101);

  // Nothing is drawn within the quiet zone; the page is white, so it needs no drawing.
  const double module = qr_width / qr.size;
  const double quiet = quiet_modules * module;
  const double qr_y = 127 + quiet;
  draw_qr(cr, qr, (page_w - qr_width) / 2, qr_y, module);

  const double below = qr_y + qr_width + quiet;
  draw_text(cr, "学会アプリでスキャンしてください", {margin, below, content_w, 10},
            {7.0, 5.0, PANGO_WEIGHT_BOLD, ink});
  draw_text(cr, "Scan with the society app", {margin, below + 10, content_w, 7},
            {5.0, 4.0, PANGO_WEIGHT_NORMAL, muted});

  // Footer: the session id, for staff answering "which poster is this?".
  set_color(cr, rule);
  cairo_rectangle(cr, margin, page_h - 14, content_w, 0.3);
  cairo_fill(cr);
  draw_text(cr, "Session " + c.session_id, {margin, page_h - 13, content_w, 5},
            {3.2, 2.5, PANGO_WEIGHT_NORMAL, muted});
}

// ---- surfaces --------------------------------------------------------------------------

struct format_info {
  poster_format format;
  std::string_view name;
  std::string_view media_type;
};
constexpr std::array<format_info, 3> formats{{
    {poster_format::svg, "svg", "image/svg+xml"},
    {poster_format::png, "png", "image/png"},
    {poster_format::pdf, "pdf", "application/pdf"},
}};

// Indexed by the enum's value.
static_assert([] {
  for (std::size_t i = 0; i < formats.size(); ++i) {
    if (formats[i].format != static_cast<poster_format>(i)) return false;
  }
  return true;
}());

const format_info& info(poster_format f) noexcept { return formats[static_cast<std::size_t>(f)]; }

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  auto* bytes = static_cast<std::vector<std::uint8_t>*>(closure);
  bytes->insert(bytes->end(), data, data + length);
  return CAIRO_STATUS_SUCCESS;
}

cairo_status_t write_stream(void* closure, const unsigned char* data, unsigned int length) {
  auto* out = static_cast<std::ofstream*>(closure);
  out->write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(length));
  return out->good() ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

void check(cairo_status_t status, std::string_view where, std::string_view what) {
  if (status != CAIRO_STATUS_SUCCESS) {
    throw poster_error(std::string(where) + ": " + std::string(what) + ": " +
                       cairo_status_to_string(status));
  }
}

// Draws the poster into a surface of the format and writes it through `write`; `where`
// names the destination in errors.
void render(const poster_content& content, poster_format format, cairo_write_func_t write,
            void* closure, std::string_view where) {
  require_font();
  const auto qr = encode_qr(content.qr_text, qr_ecc::medium);

  const double pt_w = page_w / mm_per_pt, pt_h = page_h / mm_per_pt;
  handle<cairo_surface_t> surface;
  double scale = 1 / mm_per_pt;  // mm -> points
  switch (format) {
    case poster_format::pdf:
      surface.reset(cairo_pdf_surface_create_for_stream(write, closure, pt_w, pt_h));
      cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                     content.session_title.c_str());
      cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "checkin-gateway");
      break;
    case poster_format::svg:
      surface.reset(cairo_svg_surface_create_for_stream(write, closure, pt_w, pt_h));
      break;
    case poster_format::png: {
      scale = poster_png_dpi / 25.4;  // mm -> pixels
      const int px_w = static_cast<int>(std::lround(page_w * scale));
      const int px_h = static_cast<int>(std::lround(page_h * scale));
      surface.reset(cairo_image_surface_create(CAIRO_FORMAT_RGB24, px_w, px_h));
      break;
    }
  }
  check(cairo_surface_status(surface.get()), where, "cannot create the surface");

  {
    handle<cairo_t> cr{cairo_create(surface.get())};
    cairo_scale(cr.get(), scale, scale);
    draw_poster(cr.get(), content, qr);
    check(cairo_status(cr.get()), where, "cannot draw");
  }
  if (format == poster_format::png) {
    check(cairo_surface_write_to_png_stream(surface.get(), write, closure), where, "cannot write");
  } else {
    cairo_surface_finish(surface.get());
    check(cairo_surface_status(surface.get()), where, "cannot write");
  }
}

}  // namespace

std::string_view to_string(poster_format f) noexcept { return info(f).name; }

std::optional<poster_format> poster_format_from_string(std::string_view s) noexcept {
  for (const auto& f : formats) {
    if (f.name == s) return f.format;
  }
  return std::nullopt;
}

std::optional<poster_format> poster_format_for(const std::filesystem::path& file) {
  auto ext = file.extension().string();
  if (ext.size() < 2) return std::nullopt;
  ext.erase(0, 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return poster_format_from_string(ext);
}

std::string_view media_type(poster_format f) noexcept { return info(f).media_type; }

poster_content make_poster_content(const meeting_program& p, const session_info& s,
                                   std::string qr_text) {
  const auto offset = p.utc_offset;
  const auto window = poster_claims(p, s);
  const auto units = to_string(s.units);
  std::string kind_en{to_string(s.kind)};
  if (!kind_en.empty()) kind_en[0] = static_cast<char>(std::toupper(kind_en[0]));

  poster_content c;
  c.meeting_name = p.name;
  c.session_title = s.title;
  c.session_id = s.id;
  c.room = s.room;
  const auto year = static_cast<int>(year_month_day{floor<days>(s.starts_at + offset)}.year());
  c.when_text = std::to_string(year) + "年" +
                (same_local_day(s.starts_at, s.ends_at, offset) ? local_date(s.starts_at, offset)
                                                                : std::string{}) +
                local_range(s.starts_at, s.ends_at, offset);
  c.scan_window_text =
      "スキャン受付 Scan window: " + local_range(window.valid_from, window.valid_until, offset) +
      " (" + utc_offset_label(offset) + ")";
  c.credit_text = std::string(japanese_label(s.kind)) + " " + units + " 単位";
  c.credit_text_en = kind_en + " credit: " + units + (units == "1" ? " unit" : " units");
  c.qr_text = std::move(qr_text);
  return c;
}

void render_poster(const poster_content& content, poster_format format,
                   const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) throw poster_error(file.string() + ": cannot open for writing");
  try {
    render(content, format, write_stream, &out, file.string());
    out.close();
    if (!out) throw poster_error(file.string() + ": write failed");
  } catch (...) {
    // No half-written poster left behind to be printed by mistake.
    out.close();
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
    throw;
  }
}

std::vector<std::uint8_t> render_poster_bytes(const poster_content& content, poster_format format) {
  std::vector<std::uint8_t> bytes;
  render(content, format, append_bytes, &bytes, "poster");
  return bytes;
}

}  // namespace checkin::tokens
