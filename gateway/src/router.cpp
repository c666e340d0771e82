#include "gateway/router.hpp"

namespace checkin::gateway {
namespace {

// Next '/'-separated segment of `path` (which starts after a '/'); advances `path`.
std::string_view next_segment(std::string_view& path) noexcept {
  const auto slash = path.find('/');
  const auto seg = path.substr(0, slash);
  path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  return seg;
}

bool match_pattern(std::string_view pattern, std::string_view path,
                   std::vector<std::pair<std::string_view, std::string_view>>& params) {
  if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
  pattern.remove_prefix(1);
  path.remove_prefix(1);
  params.clear();
  while (true) {
    const bool pattern_done = pattern.empty();
    const bool path_done = path.empty();
    if (pattern_done || path_done) return pattern_done && path_done;
    const auto p = next_segment(pattern);
    const auto s = next_segment(path);
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (s.empty()) return false;
      params.emplace_back(p.substr(1, p.size() - 2), s);
    } else if (p != s) {
      return false;
    }
  }
}

}  // namespace

void router::add(http::verb method, std::string pattern, handler h) {
  routes_.push_back(route{method, std::move(pattern), std::move(h)});
}

router::match_result router::match(http::verb method, std::string_view path,
                                   request_context& ctx) const {
  match_result result;
  std::vector<std::pair<std::string_view, std::string_view>> params;
  for (const auto& r : routes_) {
    if (!match_pattern(r.pattern, path, params)) continue;
    // HEAD is GET without the body (RFC 9110 §9.3.2): every GET route answers it.
    const bool head_of_get = method == http::verb::head && r.method == http::verb::get;
    if (r.method != method && !head_of_get) {
      result.path_known = true;
      continue;
    }
    ctx.path_params = std::move(params);
    ctx.route_name = r.pattern;
    result.matched = &r;
    return result;
  }
  return result;
}

}  // namespace checkin::gateway
