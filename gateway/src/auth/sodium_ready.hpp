#pragma once
// libsodium must be initialised once (RNG, CPU dispatch) before use. An inline function's
// local static is one object across all translation units, so whichever auth entry point
// runs first does it, thread-safely.

#include <sodium.h>

#include <stdexcept>

namespace checkin::gateway::detail {

// For noexcept paths: libsodium still works uninitialised, only slower (no SIMD dispatch),
// so they call this and carry on whatever it says.
[[nodiscard]] inline bool sodium_ready() noexcept {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

inline void ensure_sodium() {
  if (!sodium_ready()) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace checkin::gateway::detail
