#include "gateway/token_memo.hpp"

#include <functional>

namespace checkin::gateway {

token_memo::token_memo(const tokens::key_ring& ring, std::string prefix, std::size_t capacity,
                       const tokens::signing_key* own_key)
    : ring_(ring), own_key_(own_key), prefix_(std::move(prefix)),
      per_shard_capacity_(std::max<std::size_t>(1, capacity / shard_count)) {}

std::optional<token_memo::lookup> token_memo::find(std::string_view text) {
  auto& s = shards_[std::hash<std::string_view>{}(text) % shard_count];
  const std::lock_guard lock(s.mutex);
  const auto it = s.index.find(text);
  if (it == s.index.end()) return std::nullopt;
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  return lookup{it->second->second, true};
}

token_memo::lookup token_memo::verify(std::string_view text) {
  if (auto hit = find(text)) return std::move(*hit);
  // Verify outside the lock: Ed25519 is the slow part and other texts may share the shard.
  auto result = tokens::parse_and_verify(text, ring_, prefix_, own_key_);
  if (result.has_value()) {
    auto& s = shards_[std::hash<std::string_view>{}(text) % shard_count];
    const std::lock_guard lock(s.mutex);
    if (!s.index.contains(text)) {
      s.lru.emplace_front(std::string(text), result);
      s.index.emplace(s.lru.front().first, s.lru.begin());
      if (s.lru.size() > per_shard_capacity_) {
        s.index.erase(s.lru.back().first);
        s.lru.pop_back();
      }
    }
  }
  return {std::move(result), false};
}

void token_memo::clear() {
  for (auto& s : shards_) {
    const std::lock_guard lock(s.mutex);
    s.index.clear();
    s.lru.clear();
  }
}

std::size_t token_memo::size() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    const std::lock_guard lock(s.mutex);
    n += s.lru.size();
  }
  return n;
}

}  // namespace checkin::gateway
