#pragma once
// Memory for one request's header fields and body. Beast gives every header field, the target
// and the body a heap block of its own; a scan request would take six. Here they come, in
// order, from one 1 KiB block that the I/O thread keeps in a small cache, and all go back at
// once when the request is done. What does not fit (long headers, a backlog's large body) goes
// to the heap as before.
//
// request_arena outlives the request: the server declares it before the parser in the same
// scope. A request whose allocator has no arena (built by hand, in tests and benches) uses the
// heap throughout.

#include <cstddef>
#include <memory>
#include <type_traits>

namespace checkin::gateway {

class request_arena {
 public:
  static constexpr std::size_t block_size = 1024;

  request_arena() noexcept = default;
  request_arena(const request_arena&) = delete;
  request_arena& operator=(const request_arena&) = delete;
  ~request_arena();

  // The block is taken on the first call, so an idle connection's arena holds no memory.
  [[nodiscard]] void* allocate(std::size_t bytes, std::size_t alignment);
  // Blocks of the arena are given back only with it; the rest go to the heap.
  void deallocate(void* p, std::size_t bytes, std::size_t alignment) noexcept;

  // Bytes handed out from the block so far (tests).
  [[nodiscard]] std::size_t used() const noexcept { return used_; }

 private:
  [[nodiscard]] bool owns(const void* p) const noexcept;

  std::byte* block_ = nullptr;
  std::size_t used_ = 0;
};

// A standard allocator over a request_arena, or over the heap when it has none. Copies of a
// request (select_on_container_copy_construction) go to the heap, so a copy may outlive the
// arena; moves keep it, as parser.release() needs.
template <class T>
class request_allocator {
 public:
  using value_type = T;
  using propagate_on_container_copy_assignment = std::false_type;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  using is_always_equal = std::false_type;

  request_allocator() noexcept = default;
  explicit request_allocator(request_arena* arena) noexcept : arena_(arena) {}
  template <class U>
  request_allocator(const request_allocator<U>& other) noexcept  // NOLINT: rebinding
      : arena_(other.arena()) {}

  [[nodiscard]] T* allocate(std::size_t n) {
    if (arena_ == nullptr) return std::allocator<T>{}.allocate(n);
    return static_cast<T*>(arena_->allocate(n * sizeof(T), alignof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (arena_ == nullptr) return std::allocator<T>{}.deallocate(p, n);
    arena_->deallocate(p, n * sizeof(T), alignof(T));
  }

  [[nodiscard]] request_allocator select_on_container_copy_construction() const noexcept {
    return request_allocator{};
  }
  [[nodiscard]] request_arena* arena() const noexcept { return arena_; }

  template <class U>
  friend bool operator==(const request_allocator& a, const request_allocator<U>& b) noexcept {
    return a.arena() == b.arena();
  }

 private:
  request_arena* arena_ = nullptr;
};

}  // namespace checkin::gateway
