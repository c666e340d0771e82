#include "cli/commands.hpp"

#include <cstdlib>

#ifdef CHECKIN_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace checkin::cli {

std::string allocator_in_use() {
#ifdef CHECKIN_WITH_MIMALLOC
  // Linked is not the same as in effect: ask mimalloc whether the C library entry points hand
  // out its memory.
  void* probe = std::calloc(1, 64);  // calloc: GCC reads the check as a read of the block
  const bool ours = probe != nullptr && mi_is_in_heap_region(probe);
  std::free(probe);
  if (ours) {
    const int v = mi_version();  // 209 for 2.0.9
    return "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v % 100 / 10) + "." +
           std::to_string(v % 10);
  }
#endif
  return "system malloc";
}

std::string version_text() {
  return "checkin-gateway 0.1.0 (allocator: " + allocator_in_use() + ")";
}

}  // namespace checkin::cli
