#include "gateway/metrics.hpp"

#include <cstdio>

namespace checkin::gateway {
namespace {

void append_number(std::string& out, double v) {
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%.6g", v);
  out.append(buf, static_cast<std::size_t>(n));
}


}  // namespace

void append_metric(std::string& out, std::string_view name, std::string_view help,
                    std::string_view type, double value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ");
  out.append(name).append(" ").append(type).append("\n").append(name).append(" ");
  append_number(out, value);
  out += '\n';
}

histogram::histogram(std::initializer_list<double> bounds) {
  for (const double b : bounds) {
    if (count_bounds_ < bounds_.size()) bounds_[count_bounds_++] = b;
  }
}

void histogram::observe(double v) noexcept {
  std::size_t i = 0;
  while (i < count_bounds_ && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<std::uint64_t>(v * 1e6), std::memory_order_relaxed);
}

void histogram::render(std::string& out, std::string_view name, std::string_view help) const {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ");
  out.append(name).append(" histogram\n");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= count_bounds_; ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out.append(name).append("_bucket{le=\"");
    if (i < count_bounds_) {
      append_number(out, bounds_[i]);
    } else {
      out += "+Inf";
    }
    out.append("\"} ").append(std::to_string(cumulative)).append("\n");
  }
  out.append(name).append("_sum ");
  append_number(out, static_cast<double>(sum_micros_.load()) / 1e6);
  out.append("\n").append(name).append("_count ").append(std::to_string(count_.load())).append("\n");
}

metrics::metrics() = default;

void metrics::count_request(std::string_view route, unsigned status,
                            std::chrono::microseconds latency) {
  request_seconds_.observe(static_cast<double>(latency.count()) / 1e6);
  const std::lock_guard lock(mutex_);
  ++requests_[{std::string(route.empty() ? "unmatched" : route), status}];
}

void metrics::count_rejection(std::string_view reason) {
  const std::lock_guard lock(mutex_);
  ++rejections_[std::string(reason)];
}

void metrics::add_source(gauge_source source) {
  const std::lock_guard lock(mutex_);
  sources_.push_back(std::move(source));
}

std::string metrics::render() const {
  std::string out;
  out.reserve(8192);
  {
    const std::lock_guard lock(mutex_);
    out += "# HELP checkin_http_requests_total HTTP requests answered, by route and status.\n";
    out += "# TYPE checkin_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      out.append("checkin_http_requests_total{route=\"").append(key.first);
      out.append("\",status=\"").append(std::to_string(key.second)).append("\"} ");
      out.append(std::to_string(n)).append("\n");
    }
    out += "# HELP checkin_scan_rejections_total Scans rejected, by reason (error code).\n";
    out += "# TYPE checkin_scan_rejections_total counter\n";
    for (const auto& [reason, n] : rejections_) {
      out.append("checkin_scan_rejections_total{reason=\"").append(reason).append("\"} ");
      out.append(std::to_string(n)).append("\n");
    }
    for (const auto& source : sources_) source(out);
  }
  request_seconds_.render(out, "checkin_http_request_duration_seconds",
                          "Time from request headers read to answer written.");
  append_metric(out, "checkin_token_memo_hits_total", "Token verifications answered from the memo.",
                 "counter", static_cast<double>(token_memo_hits.load()));
  append_metric(out, "checkin_token_memo_misses_total", "Token verifications that ran Ed25519.",
                 "counter", static_cast<double>(token_memo_misses.load()));
  commit_batch_size.render(out, "checkin_commit_batch_size", "Scans per group-commit transaction.");
  commit_seconds.render(out, "checkin_commit_duration_seconds",
                        "Group-commit transaction time including the sync.");
  append_metric(out, "checkin_open_connections", "Open client connections.", "gauge",
                 static_cast<double>(open_connections_.load()));
  append_metric(out, "checkin_refused_connections_total",
                 "Connections refused at the connection cap.", "counter",
                 static_cast<double>(refused_connections_.load()));
  return out;
}

}  // namespace checkin::gateway
