#include "store/scan_resolution.hpp"

#include "store/keys.hpp"
#include "store/record_codec.hpp"

#include <cassert>
#include <string>
#include <unordered_map>

namespace checkin::store {

std::string_view to_string(scan_status s) noexcept {
  switch (s) {
    case scan_status::recorded:
      return "recorded";
    case scan_status::duplicate:
      return "duplicate";
  }
  return "unknown";
}

scan_record make_scan_record(const scan_draft& draft, std::uint64_t sequence,
                             unix_millis recorded_at) {
  return scan_record{
      .member = draft.member,
      .meeting_id = draft.meeting_id,
      .session_id = draft.session_id,
      .kind = draft.kind,
      .units = draft.units,
      .type = draft.type,
      .key = draft.key,
      .scanned_at = draft.scanned_at.value_or(recorded_at),
      .recorded_at = recorded_at,
      .scan_id = draft.scan_id,
      .device_id = draft.device_id,
      .sequence = sequence,
  };
}

std::vector<scan_result> resolve_scans(std::span<const scan_draft> drafts,
                                       std::span<const std::optional<scan_record>> stored,
                                       std::uint64_t first_sequence, unix_millis recorded_at) {
  assert(drafts.size() == stored.size());
  std::vector<scan_result> out;
  out.reserve(drafts.size());
  // scan key -> index in `out` of the draft that recorded it in this batch
  std::unordered_map<std::string, std::size_t> recorded_here;
  std::uint64_t next_sequence = first_sequence;

  for (std::size_t i = 0; i < drafts.size(); ++i) {
    const scan_draft& draft = drafts[i];
    if (auto valid = validate(draft); !valid) {
      out.emplace_back(valid.error());
      continue;
    }
    if (stored[i]) {
      out.emplace_back(scan_outcome{scan_status::duplicate, *stored[i]});
      continue;
    }
    auto [it, first] =
        recorded_here.try_emplace(keys::scan_key(draft.member, draft.session_id), out.size());
    if (first) {
      out.emplace_back(scan_outcome{scan_status::recorded,
                                    make_scan_record(draft, next_sequence++, recorded_at)});
    } else {
      out.emplace_back(scan_outcome{scan_status::duplicate, out[it->second]->record});
    }
  }
  return out;
}

}  // namespace checkin::store
