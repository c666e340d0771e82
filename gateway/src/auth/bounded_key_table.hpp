#pragma once
// A sharded, size-bounded map from string keys to small per-key records, shared by the
// request rate limiter and the login throttle. What a record is and when it may be dropped
// is the caller's `Retention`:
//   Record fresh(steady_time now) const;                 // a record for a key not seen yet
//   bool forgettable(const Record&, steady_time) const;  // same as fresh(): drop freely
//   R eviction_rank(const Record&, steady_time) const;   // lowest rank is evicted first

#include "gateway/rate_limiter.hpp"
#include "sodium_ready.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace checkin::gateway::detail {

// SipHash-2-4 under a per-table random key: keys come from clients, and an unkeyed hash
// lets them pick keys that all collide.
class keyed_string_hash {
 public:
  using is_transparent = void;
  keyed_string_hash() {
    ensure_sodium();
    crypto_shorthash_keygen(key_.data());
  }
  [[nodiscard]] std::uint64_t full(std::string_view s) const noexcept {
    std::array<unsigned char, crypto_shorthash_BYTES> out{};
    crypto_shorthash(out.data(), reinterpret_cast<const unsigned char*>(s.data()), s.size(),
                     key_.data());
    std::uint64_t h = 0;
    for (unsigned char b : out) h = (h << 8) | b;
    return h;
  }
  std::size_t operator()(std::string_view s) const noexcept {
    return static_cast<std::size_t>(full(s));
  }

 private:
  std::array<unsigned char, crypto_shorthash_KEYBYTES> key_{};
};

template <class Record, class Retention>
class bounded_key_table {
 public:
  bounded_key_table(std::size_t max_keys, std::size_t shard_count, Retention retention)
      : retention_(std::move(retention)),
        shards_(std::max<std::size_t>(1, std::min(shard_count, max_keys))),
        per_shard_(max_keys / shards_.size()) {
    if (max_keys == 0) throw std::invalid_argument("a key table needs room for one key");
    for (auto& s : shards_) s.records = map_type(0, hash_);
  }

  // Runs fn(Record&) under the shard's lock, making the record first if the key is new.
  template <class Fn>
  decltype(auto) with(std::string_view key, steady_time now, Fn&& fn) {
    key = key.substr(0, max_limiter_key_length);
    shard& s = shard_of(key);
    std::lock_guard lock(s.mutex);
    auto it = s.records.find(key);
    if (it == s.records.end()) {
      if (s.records.size() >= per_shard_) make_room(s, now);
      it = s.records.try_emplace(std::string(key), retention_.fresh(now)).first;
    }
    return std::forward<Fn>(fn)(it->second);
  }

  // Runs fn(Record&) only if the key has a record; false if it had none.
  template <class Fn>
  bool with_existing(std::string_view key, Fn&& fn) {
    key = key.substr(0, max_limiter_key_length);
    shard& s = shard_of(key);
    std::lock_guard lock(s.mutex);
    const auto it = s.records.find(key);
    if (it == s.records.end()) return false;
    std::forward<Fn>(fn)(it->second);
    return true;
  }

  void erase(std::string_view key) {
    key = key.substr(0, max_limiter_key_length);
    shard& s = shard_of(key);
    std::lock_guard lock(s.mutex);
    const auto it = s.records.find(key);
    if (it != s.records.end()) s.records.erase(it);
  }

  [[nodiscard]] std::size_t size() const {
    std::size_t n = 0;
    for (const auto& s : shards_) {
      std::lock_guard lock(s.mutex);
      n += s.records.size();
    }
    return n;
  }

 private:
  using map_type = std::unordered_map<std::string, Record, keyed_string_hash, std::equal_to<>>;
  struct alignas(64) shard {
    mutable std::mutex mutex;
    map_type records;
  };

  shard& shard_of(std::string_view key) {
    // High bits for the shard, so they are independent of the map's bucket choice.
    return shards_[(hash_.full(key) >> 32) % shards_.size()];
  }

  // Called with the shard full. Drops what is forgettable; if that frees less than an
  // eighth, evicts the lowest-ranked records down to 7/8 full. Each sweep frees at least
  // an eighth, so its linear cost is spread over that many later inserts.
  void make_room(shard& s, steady_time now) {
    std::erase_if(s.records,
                  [&](const auto& kv) { return retention_.forgettable(kv.second, now); });
    const std::size_t target = per_shard_ - std::max<std::size_t>(1, per_shard_ / 8);
    if (s.records.size() <= target) return;
    using rank_type = decltype(retention_.eviction_rank(std::declval<const Record&>(), now));
    std::vector<std::pair<rank_type, typename map_type::iterator>> ranked;
    ranked.reserve(s.records.size());
    for (auto it = s.records.begin(); it != s.records.end(); ++it) {
      ranked.emplace_back(retention_.eviction_rank(it->second, now), it);
    }
    const std::size_t excess = s.records.size() - target;
    const auto by_rank = [](const auto& a, const auto& b) { return a.first < b.first; };
    std::nth_element(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(excess),
                     ranked.end(), by_rank);
    for (std::size_t i = 0; i < excess; ++i) s.records.erase(ranked[i].second);
  }

  Retention retention_;
  keyed_string_hash hash_;
  std::vector<shard> shards_;
  std::size_t per_shard_;
};

}  // namespace checkin::gateway::detail
