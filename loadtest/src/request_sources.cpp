#include "loadtest/request_sources.hpp"

#include "gateway/scan_request.hpp"
#include "loadtest/http_wire.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace checkin::loadtest {
namespace {

namespace json = boost::json;

// The body is built before the head (Content-Length); one scratch string per thread.
std::string& scratch() {
  thread_local std::string s;
  s.clear();
  return s;
}

void append_scan_id(std::string& body, std::uint64_t index) {
  body.append("\"scan_id\":\"lt-").append(std::to_string(index)).append("\"");
}

}  // namespace

// ---- logins ---------------------------------------------------------------------------------

void login_requests::write(std::uint64_t index, std::string& out) const {
  auto& body = scratch();
  body.append("{\"member_no\":");
  gateway::append_json_string(body, roster_.member_no[index]);
  body.append(",\"password\":");
  gateway::append_json_string(body, roster_.password);
  body.append("}");
  append_request(out, "POST", "/v1/login", {}, body);
}

verdict login_requests::judge(std::uint64_t index, unsigned status, std::string_view body,
                              phase_tally&) const {
  if (status == 503) return verdict::retry;
  if (status != 200) return verdict::unexpected;
  try {
    const auto v = json::parse(body);
    roster_.bearer[index] = std::string(v.at("token").as_string());
    return verdict::expected;
  } catch (const std::exception&) {
    return verdict::unexpected;
  }
}

// ---- /healthz -------------------------------------------------------------------------------

void healthz_requests::write(std::uint64_t, std::string& out) const {
  append_request(out, "GET", "/healthz", {}, {});
}

verdict healthz_requests::judge(std::uint64_t, unsigned status, std::string_view,
                                phase_tally&) const {
  return status == 200 ? verdict::expected : verdict::unexpected;
}

// ---- scans ----------------------------------------------------------------------------------

scan_requests::scan_requests(const scenario_shape& shape, std::uint64_t count,
                             const session_tokens& tokens, const member_roster& roster,
                             std::string scanned_at)
    : shape_(shape),
      count_(count),
      tokens_(tokens),
      roster_(roster),
      scanned_at_(std::move(scanned_at)) {}

void scan_requests::write(std::uint64_t index, std::string& out) const {
  const auto r = plan_request(shape_, index);
  if (r.kind == request_kind::batch) return write_batch(index, r, out);
  auto& body = scratch();
  if (r.kind == request_kind::bad_login) {
    body.append("{\"member_no\":\"nobody-").append(std::to_string(index));
    body.append("\",\"password\":\"not-the-password\"}");
    append_request(out, "POST", "/v1/login", {}, body);
    return;
  }
  // Token texts are our own base32 and URL characters: nothing to escape.
  const auto& qr = r.kind == request_kind::invalid_token ? tokens_.forged[r.session]
                   : tokens_.distinct.empty()            ? tokens_.poster[r.session]
                                                         : tokens_.distinct[r.token];
  body.append("{\"qr\":\"").append(qr).append("\",");
  append_scan_id(body, index);
  body.append("}");
  const auto& bearer = roster_.bearer[r.member];
  if (r.kind == request_kind::bad_bearer) {
    // One character of the MAC changed: well-formed, but the signature does not match.
    auto forged = bearer;
    auto& c = forged[forged.size() - 10];
    c = c == 'A' ? 'B' : 'A';
    append_request(out, "POST", "/v1/scans", forged, body);
    return;
  }
  append_request(out, "POST", "/v1/scans", bearer, body);
}

void scan_requests::write_batch(std::uint64_t index, const planned_request& r,
                                std::string& out) const {
  auto& body = scratch();
  body.append("{\"scans\":[");
  for (std::uint32_t k = 0; k < shape_.batch_size; ++k) {
    if (k > 0) body.append(",");
    body.append("{\"qr\":\"").append(tokens_.poster[r.session + k]);
    body.append("\",\"scanned_at\":\"").append(scanned_at_).append("\",");
    append_scan_id(body, index * shape_.batch_size + k);
    body.append("}");
  }
  body.append("]}");
  append_request(out, "POST", "/v1/scans/batch", roster_.bearer[r.member], body);
}

verdict scan_requests::judge(std::uint64_t index, unsigned status, std::string_view body,
                             phase_tally& tally) const {
  const auto r = plan_request(shape_, index);
  switch (r.kind) {
    case request_kind::scan:
      if (status == 201 || status == 200) {
        ++(status == 201 ? tally.scans_recorded : tally.scans_duplicate);
        tally.acknowledged.push_back({r.member, r.session, static_cast<std::uint16_t>(status)});
        return verdict::expected;
      }
      if (status == 503) return verdict::retry;  // nothing stored: apps send it again
      ++tally.scans_rejected;
      return verdict::unexpected;
    case request_kind::batch:
      return judge_batch(r, status, body, tally);
    case request_kind::invalid_token:
      return status == 422 ? verdict::expected : verdict::unexpected;
    case request_kind::bad_bearer:
      return status == 401 ? verdict::expected : verdict::unexpected;
    case request_kind::bad_login:
      // 429 once the generator's address has too many failures: also a correct refusal.
      return status == 401 || status == 429 ? verdict::expected : verdict::unexpected;
  }
  return verdict::unexpected;
}

verdict scan_requests::judge_batch(const planned_request& r, unsigned status, std::string_view body,
                                   phase_tally& tally) const {
  if (status == 503) return verdict::retry;
  if (status != 200) return verdict::unexpected;
  try {
    const auto v = json::parse(body);
    const auto& results = v.at("results").as_array();
    bool all_stored = true;
    for (std::size_t k = 0; k < results.size() && k < shape_.batch_size; ++k) {
      const auto& item_status = results[k].at("status").as_string();
      const auto session = static_cast<std::uint32_t>(r.session + k);
      if (item_status == "recorded") {
        ++tally.scans_recorded;
        tally.acknowledged.push_back({r.member, session, 201});
      } else if (item_status == "duplicate") {
        ++tally.scans_duplicate;
        tally.acknowledged.push_back({r.member, session, 200});
      } else {
        all_stored = false;
        ++(item_status == "failed" ? tally.scans_failed : tally.scans_rejected);
      }
    }
    return all_stored && results.size() == shape_.batch_size ? verdict::expected
                                                             : verdict::unexpected;
  } catch (const std::exception&) {
    return verdict::unexpected;
  }
}

}  // namespace checkin::loadtest
