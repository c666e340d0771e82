#pragma once
// A move-only type-erased callable, for completions that own move-only state (an Asio handler,
// a promise). std::move_only_function is C++23; this is the small subset the store needs.

#include <concepts>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace checkin::store {

template <class Signature>
class unique_callback;

template <class R, class... Args>
class unique_callback<R(Args...)> {
 public:
  unique_callback() = default;

  template <class F>
  requires(!std::same_as<std::remove_cvref_t<F>, unique_callback> &&
           std::is_invocable_r_v<R, std::decay_t<F>&, Args...>)
      unique_callback(F&& f)  // NOLINT(google-explicit-constructor): used like std::function
      : impl_(std::make_unique<holder<std::decay_t<F>>>(std::forward<F>(f))) {}

  unique_callback(unique_callback&&) noexcept = default;
  unique_callback& operator=(unique_callback&&) noexcept = default;
  unique_callback(const unique_callback&) = delete;
  unique_callback& operator=(const unique_callback&) = delete;
  ~unique_callback() = default;

  // Precondition: not empty.
  R operator()(Args... args) { return impl_->call(std::forward<Args>(args)...); }
  explicit operator bool() const noexcept { return impl_ != nullptr; }

 private:
  struct callable {
    virtual ~callable() = default;
    virtual R call(Args... args) = 0;
  };
  template <class F>
  struct holder final : callable {
    template <class G>
    explicit holder(G&& g) : f(std::forward<G>(g)) {}
    R call(Args... args) override { return std::invoke(f, std::forward<Args>(args)...); }
    F f;
  };

  std::unique_ptr<callable> impl_;
};

}  // namespace checkin::store
