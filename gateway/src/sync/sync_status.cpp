#include "gateway/sync/sync_status.hpp"

#include "tokens/rfc3339.hpp"

#include <boost/json/array.hpp>
#include <map>

namespace checkin::gateway::sync {

namespace json = boost::json;
using namespace std::chrono;

namespace {

struct sink_tally {
  std::uint64_t pending = 0;
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;
  std::string last_error;
  std::optional<unix_millis> next_retry_at;
};

class time_text {
 public:
  explicit time_text(minutes offset) : offset_(offset) {}
  json::value operator()(const std::optional<unix_millis>& t) const {
    if (!t) return nullptr;
    return json::value(tokens::format_rfc3339_ms(*t, offset_));
  }

 private:
  minutes offset_;
};

json::object tally_json(const sink_tally& t, const time_text& time) {
  json::object o;
  o["pending"] = t.pending;
  o["delivered"] = t.delivered;
  o["failed"] = t.failed;
  o["last_error"] = t.last_error.empty() ? json::value(nullptr) : json::value(t.last_error);
  o["next_retry_at"] = time(t.next_retry_at);
  return o;
}

void count(sink_tally& t, const store::delivery_record* r) {
  if (!r || r->state == store::delivery_state::pending) {
    ++t.pending;
    if (r && !r->last_error.empty()) t.last_error = r->last_error;
    if (r && r->next_attempt_at && (!t.next_retry_at || *r->next_attempt_at < *t.next_retry_at)) {
      t.next_retry_at = r->next_attempt_at;
    }
  } else if (r->state == store::delivery_state::delivered) {
    ++t.delivered;
  } else {
    ++t.failed;
    t.last_error = r->last_error;
  }
}

}  // namespace

json::object sync_status_json(const tokens::meeting_program& program,
                              const sync_snapshot& snap, const seal_timing& timing,
                              unix_millis now) {
  const time_text time{program.utc_offset};
  std::map<std::pair<std::uint64_t, std::string>, const store::delivery_record*> records;
  for (const auto& r : snap.deliveries) records[{r.batch_number, r.sink}] = &r;
  const auto record_of = [&](std::uint64_t number, const std::string& sink) {
    const auto it = records.find({number, sink});
    return it == records.end() ? nullptr : it->second;
  };

  // Per-batch rows, and per-session and overall tallies per sink.
  std::map<std::string, std::map<std::string, sink_tally>> by_session;
  std::map<std::string, std::uint32_t> batches_of;
  std::map<std::string, sink_tally> totals;
  json::array batch_rows;
  for (const auto& b : snap.batches) {
    ++batches_of[b.session_id];
    json::object deliveries;
    for (const auto& sink : snap.sinks) {
      const auto* r = record_of(b.number, sink);
      count(by_session[b.session_id][sink], r);
      count(totals[sink], r);
      json::object d;
      d["state"] = r ? to_string(r->state) : "pending";
      d["attempts"] = r ? r->attempts : 0;
      d["last_error"] = r && !r->last_error.empty() ? json::value(r->last_error) : nullptr;
      d["next_attempt_at"] = time(r ? r->next_attempt_at : std::nullopt);
      d["delivered_at"] = time(r ? r->delivered_at : std::nullopt);
      deliveries[sink] = std::move(d);
    }
    json::object row;
    row["batch_id"] = b.batch_id;
    row["number"] = b.number;
    row["session_id"] = b.session_id;
    row["part"] = b.part;
    row["part_kind"] = to_string(b.part_kind());
    row["entries"] = b.entry_count;
    row["sealed_at"] = time(b.sealed_at);
    row["deliveries"] = std::move(deliveries);
    batch_rows.emplace_back(std::move(row));
  }

  std::map<std::string, const session_progress*> progress;
  for (const auto& p : snap.progress) progress[p.session_id] = &p;
  json::array sessions;
  std::uint64_t unsealed_total = 0;
  // Program order first, then any session the store has that the program no longer lists.
  std::vector<std::string> order;
  for (const auto& s : program.sessions) order.push_back(s.id);
  for (const auto& p : snap.progress) {
    if (!program.find(p.session_id)) order.push_back(p.session_id);
  }
  for (const auto& id : order) {
    const auto* info = program.find(id);
    const auto it = progress.find(id);
    const session_progress empty{id, 0, {}};
    const auto& p = it == progress.end() ? empty : *it->second;
    const auto unsealed = p.recorded > p.sealed.sealed_entries ? p.recorded - p.sealed.sealed_entries : 0;
    unsealed_total += unsealed;
    std::optional<unix_millis> ends_at;
    if (info) ends_at = time_point_cast<milliseconds>(info->ends_at);
    json::object o;
    o["session_id"] = id;
    o["title"] = info ? info->title : std::string{};
    o["ends_at"] = time(ends_at);
    o["recorded"] = p.recorded;
    o["unsealed"] = unsealed;
    o["batches"] = batches_of[id];
    o["seal_due_at"] = time(seal_due_at(ends_at, p.sealed, unsealed, timing));
    json::object sinks;
    for (const auto& sink : snap.sinks) sinks[sink] = tally_json(by_session[id][sink], time);
    o["sinks"] = std::move(sinks);
    sessions.emplace_back(std::move(o));
  }

  json::object out;
  out["generated_at"] = time(now);
  json::array names;
  for (const auto& sink : snap.sinks) names.emplace_back(sink);
  out["sinks"] = std::move(names);
  json::object total;
  total["batches"] = snap.batches.size();
  total["unsealed_scans"] = unsealed_total;
  json::object per_sink;
  for (const auto& sink : snap.sinks) per_sink[sink] = tally_json(totals[sink], time);
  total["sinks"] = std::move(per_sink);
  out["totals"] = std::move(total);
  out["sessions"] = std::move(sessions);
  out["batches"] = std::move(batch_rows);
  return out;
}

}  // namespace checkin::gateway::sync
