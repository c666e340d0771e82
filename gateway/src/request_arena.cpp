#include "gateway/request_arena.hpp"

#include <functional>
#include <new>
#include <vector>

namespace checkin::gateway {
namespace {

// Each I/O thread keeps the blocks of its finished requests for the next ones. A request is
// made and destroyed on its connection's thread; if it ever were not, a block would only move
// to another thread's cache. Past `most` blocks (a burst of many connections) they go back to
// the heap.
class block_cache {
 public:
  static constexpr std::size_t most = 1024;

  block_cache() = default;
  block_cache(const block_cache&) = delete;
  block_cache& operator=(const block_cache&) = delete;
  ~block_cache() {
    for (std::byte* b : free_) release(b);
  }

  std::byte* take() {
    if (free_.empty()) {
      return static_cast<std::byte*>(
          ::operator new (request_arena::block_size, std::align_val_t{alignof(std::max_align_t)}));
    }
    std::byte* b = free_.back();
    free_.pop_back();
    return b;
  }

  void give(std::byte* b) noexcept {
    if (free_.size() < most) {
      try {
        free_.push_back(b);
        return;
      } catch (...) {  // no room to keep it: free it instead
      }
    }
    release(b);
  }

 private:
  static void release(std::byte* b) noexcept {
    ::operator delete (b, request_arena::block_size, std::align_val_t{alignof(std::max_align_t)});
  }

  std::vector<std::byte*> free_;
};

block_cache& cache() {
  thread_local block_cache c;
  return c;
}

}  // namespace

request_arena::~request_arena() {
  if (block_ != nullptr) cache().give(block_);
}

void* request_arena::allocate(std::size_t bytes, std::size_t alignment) {
  if (block_ == nullptr) block_ = cache().take();
  const std::size_t at = (used_ + alignment - 1) / alignment * alignment;
  if (alignment <= alignof(std::max_align_t) && at <= block_size && bytes <= block_size - at) {
    used_ = at + bytes;
    return block_ + at;
  }
  return ::operator new (bytes, std::align_val_t{alignment});
}

void request_arena::deallocate(void* p, std::size_t bytes, std::size_t alignment) noexcept {
  if (owns(p)) return;
  ::operator delete (p, bytes, std::align_val_t{alignment});
}

bool request_arena::owns(const void* p) const noexcept {
  if (block_ == nullptr) return false;
  const std::less<const void*> before;
  return !before(p, block_) && before(p, block_ + block_size);
}

}  // namespace checkin::gateway
