// Scan and batch bodies: the JSON text → parse_json_body → parse_scan_request, for the body
// itself (POST /v1/scans) and, when it is {"scans": [...]}, for each item as post_scan_batch
// reads them. The batch's checks after parsing (tokens, the store) are fuzz_http's.
#include "fuzz_check.hpp"
#include "fuzz_targets.hpp"

#include "gateway/scan_request.hpp"
#include "tokens/session_token.hpp"

#include <boost/json.hpp>

#include <string_view>
#include <variant>

namespace checkin::fuzz {
namespace {

namespace json = boost::json;

bool printable(std::string_view s) {
  for (const unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

void check_scan(const json::value& item) {
  const auto parsed = gateway::parse_scan_request(item);
  if (const auto* p = std::get_if<gateway::request_problem>(&parsed)) {
    FUZZ_CHECK(p->error == gateway::api_error::malformed_request ||
               p->error == gateway::api_error::invalid_token);
    FUZZ_CHECK(!p->message.empty());
    return;
  }
  // What the store and the exports may rely on.
  const auto& r = std::get<gateway::scan_request>(parsed);
  FUZZ_CHECK(!r.qr.empty() && r.qr.size() <= tokens::max_text_length);
  for (const auto* id : {&r.scan_id, &r.device_id}) {
    if (*id) {
      FUZZ_CHECK(!(*id)->empty() && (*id)->size() <= gateway::max_client_id_length);
      FUZZ_CHECK(printable(**id));
    }
  }
}

}  // namespace

int fuzz_scan_body(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  // As the scan routes parse it: from a stack arena (post_scan) and from the heap (batch).
  unsigned char buffer[4096];
  json::monotonic_resource arena(buffer, sizeof buffer);
  const auto in_arena = gateway::parse_json_body(body, json::storage_ptr(&arena));
  const auto on_heap = gateway::parse_json_body(body);
  FUZZ_CHECK(in_arena.index() == on_heap.index());
  const auto* value = std::get_if<json::value>(&on_heap);
  if (!value) return 0;
  FUZZ_CHECK(*value == std::get<json::value>(in_arena));

  check_scan(*value);
  if (const auto* obj = value->if_object()) {
    if (const auto* scans = obj->if_contains("scans"); scans && scans->is_array()) {
      for (const auto& item : scans->as_array()) check_scan(item);
    }
  }
  return 0;
}

}  // namespace checkin::fuzz
