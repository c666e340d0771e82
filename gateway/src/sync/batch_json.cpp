#include "gateway/sync/batch_json.hpp"

#include "tokens/rfc3339.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace checkin::gateway::sync {
namespace {

// Written by hand, in a fixed order, rather than through json::object + serialize: Boost.JSON
// prints every double in exponent form (1.5 → "1.5E0") and the units must read as the exact
// decimal the society configured. Strings still go through Boost.JSON so escaping is its.
class json_out {
 public:
  // Opens `{` or `[`; the first member/element after it takes no comma.
  void open(char c) {
    separate();
    out_ += c;
    first_ = true;
  }
  void close(char c) {
    out_ += c;
    first_ = false;
  }
  void key(std::string_view k) {
    separate();
    string_value(k);
    out_ += ':';
    first_ = true;  // the value that follows needs no comma
  }
  void string(std::string_view k, std::string_view v) {
    key(k);
    string_value(v);
    first_ = false;
  }
  // `v` must already be a valid JSON number text.
  void number(std::string_view k, std::string_view v) {
    key(k);
    out_ += v;
    first_ = false;
  }
  void number(std::string_view k, std::uint64_t v) { number(k, std::to_string(v)); }
  void time(std::string_view k, store::unix_millis t) {
    string(k, tokens::format_rfc3339_ms(t, std::chrono::minutes{0}));
  }
  void time_or_null(std::string_view k, const std::optional<store::unix_millis>& t) {
    if (t) return time(k, *t);
    number(k, "null");
  }
  void open_object(std::string_view k) {
    key(k);
    out_ += '{';
    first_ = true;
  }
  void open_array(std::string_view k) {
    key(k);
    out_ += '[';
    first_ = true;
  }
  [[nodiscard]] std::string take() { return std::move(out_); }

 private:
  void separate() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  void string_value(std::string_view v) {
    out_ += boost::json::serialize(boost::json::string_view(v.data(), v.size()));
  }

  std::string out_;
  bool first_ = true;
};

}  // namespace

std::string batch_to_json(const store::sealed_batch& batch) {
  const auto& h = batch.header;
  json_out j;
  j.open('{');
  j.string("batch_id", h.batch_id);
  j.number("part", h.part);
  j.string("part_kind", store::to_string(h.part_kind()));
  j.open_object("meeting");
  j.string("id", h.meeting_id);
  j.string("name", h.meeting_name);
  j.close('}');
  j.open_object("session");
  j.string("id", h.session_id);
  j.string("title", h.session_title);
  j.time_or_null("starts_at", h.session_starts_at);
  j.time_or_null("ends_at", h.session_ends_at);
  j.close('}');
  j.open_object("credit");
  j.string("kind", tokens::to_string(h.kind));
  j.number("units", tokens::to_string(h.units));  // "1.5", "10", "0.25": exact decimals
  j.close('}');
  j.time("sealed_at", h.sealed_at);
  // The entries written, not header.entry_count, so the body always agrees with itself.
  j.number("count", batch.entries.size());
  j.open_array("entries");
  for (const auto& e : batch.entries) {
    j.open('{');
    j.string("member_no", e.member.value);
    j.time("scanned_at", e.scanned_at);
    j.time("recorded_at", e.recorded_at);
    j.number("sequence", e.sequence);
    if (e.scan_id) j.string("scan_id", *e.scan_id);
    if (e.device_id) j.string("device_id", *e.device_id);
    j.close('}');
  }
  j.close(']');
  j.close('}');
  return j.take();
}

}  // namespace checkin::gateway::sync
