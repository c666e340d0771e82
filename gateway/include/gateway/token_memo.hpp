#pragma once
// Memoized token verification: a hall of 2,000 members scans the same poster, so its
// Ed25519 signature is checked once, not 2,000 times. Bounded: sharded LRU maps with a
// fixed total capacity. Only verified claims are remembered: failures are not, so forged
// tokens cannot push the hall's real ones out (their cost is charged to the sender instead,
// see post_scan_batch).
//
// The memo is keyed by the exact QR text and holds no time: window checks happen per scan.
// Clear it when the key ring changes.

#include "tokens/key_ring.hpp"
#include "tokens/session_token.hpp"

#include <array>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace checkin::gateway {

class token_memo {
 public:
  using outcome = boost::system::result<tokens::session_claims, tokens::token_error>;

  // `own_key`, when not null, is a key of `ring` whose secret half this process holds (the
  // gateway's signing key): its tokens are checked by re-signing (tokens::verify_own_signature),
  // which gives the same answers about 3x cheaper. It must outlive the memo.
  token_memo(const tokens::key_ring& ring, std::string prefix, std::size_t capacity,
             const tokens::signing_key* own_key = nullptr);

  struct lookup {
    outcome result;
    bool hit = false;
  };
  // parse_and_verify(text), memoized. Thread-safe.
  [[nodiscard]] lookup verify(std::string_view text);
  // The remembered claims of `text` (hit true), or nothing: then verify() would check a
  // signature. Thread-safe.
  [[nodiscard]] std::optional<lookup> find(std::string_view text);

  void clear();
  [[nodiscard]] std::size_t size() const;

 private:
  static constexpr std::size_t shard_count = 16;
  struct shard {
    mutable std::mutex mutex;
    std::list<std::pair<std::string, outcome>> lru;  // front = most recent
    std::unordered_map<std::string_view, decltype(lru)::iterator> index;  // views into lru
  };

  const tokens::key_ring& ring_;
  const tokens::signing_key* own_key_;
  std::string prefix_;
  std::size_t per_shard_capacity_;
  std::array<shard, shard_count> shards_;
};

}  // namespace checkin::gateway
