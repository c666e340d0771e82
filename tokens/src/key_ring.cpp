#include "tokens/key_ring.hpp"

#include <stdexcept>

namespace checkin::tokens {

void key_ring::add(const public_key& pk, key_status status) {
  const key_id id = key_id_of(pk);
  const auto [it, inserted] = keys_.try_emplace(id, entry{pk, status});
  if (inserted) return;
  // A 32-bit id can collide; trusting the second key under the first key's id would make
  // tokens of one verify against the other, so a collision is a configuration error.
  if (it->second.key != pk) {
    throw std::invalid_argument("key id " + to_hex(id) + " is shared by two different public keys");
  }
  it->second.status = status;
}

bool key_ring::retire(key_id id) {
  const auto it = keys_.find(id);
  if (it == keys_.end()) return false;
  it->second.status = key_status::retired;
  return true;
}

boost::system::result<public_key, token_error> key_ring::find(key_id id) const {
  const auto it = keys_.find(id);
  if (it == keys_.end()) return token_error::unknown_key;
  if (it->second.status == key_status::retired) return token_error::retired_key;
  return it->second.key;
}

}  // namespace checkin::tokens
