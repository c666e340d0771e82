#include "loadtest/report.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace checkin::loadtest {
namespace {

namespace json = boost::json;

double ms(std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; }
double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

json::object phase_json(const phase_summary& p) {
  json::object o{{"connections", p.connections},
                 {"answered", p.answered},
                 {"expected", p.expected},
                 {"unexpected", p.unexpected},
                 {"status", json::object{{"201", p.status_201},
                                         {"200", p.status_200},
                                         {"4xx", p.status_4xx},
                                         {"5xx", p.status_5xx}}},
                 {"transport_errors", p.transport_errors},
                 {"retries", p.retries},
                 {"abandoned", p.abandoned},
                 {"scans", json::object{{"recorded", p.scans_recorded},
                                        {"duplicate", p.scans_duplicate},
                                        {"rejected", p.scans_rejected},
                                        {"failed", p.scans_failed}}},
                 {"elapsed_seconds", round3(p.elapsed_seconds)},
                 {"answers_per_second", std::round(p.answers_per_second)},
                 {"recorded_per_second", std::round(p.recorded_per_second)},
                 {"latency_ms", json::object{{"p50", round3(p.p50)},
                                             {"p90", round3(p.p90)},
                                             {"p99", round3(p.p99)},
                                             {"p99_9", round3(p.p999)},
                                             {"max", round3(p.max)},
                                             {"mean", round3(p.mean)}}}};
  if (p.cpu) {
    o["cpu_us_per_answer"] = json::object{{"gateway_io", round3(p.cpu->gateway_io_us)},
                                          {"gateway_writer", round3(p.cpu->gateway_writer_us)},
                                          {"gateway_other", round3(p.cpu->gateway_other_us)},
                                          {"gateway", round3(p.cpu->gateway_us())},
                                          {"generator", round3(p.cpu->generator_us)}};
  }
  return o;
}

void indent(std::string& out, int depth) { out.append(static_cast<std::size_t>(depth) * 2, ' '); }

void pretty(std::string& out, const json::value& v, int depth) {
  if (const auto* o = v.if_object(); o && !o->empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, value] : *o) {
      if (!first) out += ",\n";
      first = false;
      indent(out, depth + 1);
      out += json::serialize(json::value(key));
      out += ": ";
      pretty(out, value, depth + 1);
    }
    out += "\n";
    indent(out, depth);
    out += "}";
  } else if (const auto* a = v.if_array(); a && !a->empty()) {
    out += "[\n";
    for (std::size_t i = 0; i < a->size(); ++i) {
      if (i > 0) out += ",\n";
      indent(out, depth + 1);
      pretty(out, (*a)[i], depth + 1);
    }
    out += "\n";
    indent(out, depth);
    out += "]";
  } else {
    out += json::serialize(v);
  }
}

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::optional<phase_cpu> cpu_per_answer(const cpu_usage& gateway, double generator_seconds,
                                        std::uint64_t answers) {
  if (answers == 0) return std::nullopt;
  const double per = 1e6 / static_cast<double>(answers);
  return phase_cpu{gateway.io_seconds * per, gateway.writer_seconds * per,
                   gateway.other_seconds * per, generator_seconds * per};
}

phase_summary summarize(std::string name, const phase_result& r) {
  const auto& t = r.tally;
  phase_summary p;
  p.name = std::move(name);
  p.connections = r.connected;
  p.answered = t.answered;
  p.expected = t.expected;
  p.unexpected = t.unexpected;
  p.status_201 = t.by_status[201];
  p.status_200 = t.by_status[200];
  p.status_4xx = t.status_class(4);
  p.status_5xx = t.status_class(5);
  p.transport_errors = t.transport_errors;
  p.retries = t.retries;
  p.abandoned = t.abandoned;
  p.scans_recorded = t.scans_recorded;
  p.scans_duplicate = t.scans_duplicate;
  p.scans_rejected = t.scans_rejected;
  p.scans_failed = t.scans_failed;
  p.elapsed_seconds = r.elapsed_seconds;
  if (r.elapsed_seconds > 0) {
    p.answers_per_second = static_cast<double>(t.answered) / r.elapsed_seconds;
    p.recorded_per_second = static_cast<double>(t.scans_recorded) / r.elapsed_seconds;
  }
  const auto& h = t.latency;
  p.p50 = ms(h.value_at_quantile_us(0.50));
  p.p90 = ms(h.value_at_quantile_us(0.90));
  p.p99 = ms(h.value_at_quantile_us(0.99));
  p.p999 = ms(h.value_at_quantile_us(0.999));
  p.max = ms(h.max_us());
  p.mean = h.mean_us() / 1000.0;
  return p;
}

void print_summary(std::FILE* out, const run_report& r) {
  std::fprintf(out,
               "\ncheckin-loadtest: scenario %s, %s, %u connections, %u members, %u sessions, "
               "gateway %s, %u cores shared by gateway and generator\n",
               r.scenario.c_str(),
               r.rate > 0
                   ? ("open loop " + std::to_string(static_cast<long long>(r.rate)) + "/s").c_str()
                   : "max throughput",
               r.connections, r.members, r.sessions, r.gateway.c_str(), r.cores);
  if (r.gateway_signing_key) {
    std::fprintf(out, "token check: %s\n",
                 *r.gateway_signing_key
                     ? "the gateway holds the signing key (new tokens are re-signed and compared)"
                     : "the gateway holds the public key only (new tokens are verified)");
  }
  std::fprintf(out, "%-10s %9s %9s %9s %9s %7s %7s %7s %9s %9s %8s %8s %8s %8s %8s\n", "phase",
               "answered", "ok", "201", "200", "4xx", "5xx", "errors", "answers/s", "recorded/s",
               "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms");
  const auto row = [out](const phase_summary& p) {
    std::fprintf(out,
                 "%-10s %9llu %9llu %9llu %9llu %7llu %7llu %7llu %9.0f %9.0f %8.2f %8.2f %8.2f "
                 "%8.2f %8.2f\n",
                 p.name.c_str(), static_cast<unsigned long long>(p.answered),
                 static_cast<unsigned long long>(p.expected),
                 static_cast<unsigned long long>(p.status_201),
                 static_cast<unsigned long long>(p.status_200),
                 static_cast<unsigned long long>(p.status_4xx),
                 static_cast<unsigned long long>(p.status_5xx),
                 static_cast<unsigned long long>(p.transport_errors), p.answers_per_second,
                 p.recorded_per_second, p.p50, p.p90, p.p99, p.p999, p.max);
  };
  if (r.login) row(*r.login);
  if (r.healthz) row(*r.healthz);
  row(r.scans);
  if (r.scans.scans_recorded + r.scans.scans_duplicate != r.scans.status_201 + r.scans.status_200) {
    std::fprintf(out, "scan items: %llu recorded, %llu duplicate, %llu rejected, %llu failed\n",
                 static_cast<unsigned long long>(r.scans.scans_recorded),
                 static_cast<unsigned long long>(r.scans.scans_duplicate),
                 static_cast<unsigned long long>(r.scans.scans_rejected),
                 static_cast<unsigned long long>(r.scans.scans_failed));
  }
  if (r.healthz_ratio) {
    std::fprintf(out, "scan path / bare HTTP path: %.0f / %.0f answers/s = %.2f\n",
                 r.scans.answers_per_second, r.healthz->answers_per_second, *r.healthz_ratio);
  }
  for (const auto* p : {r.healthz ? &*r.healthz : nullptr, &r.scans}) {
    if (!p || !p->cpu) continue;
    std::fprintf(out,
                 "CPU per %s answer: gateway %.1f us (I/O threads %.1f, writer %.1f, other %.1f), "
                 "generator %.1f us\n",
                 p->name.c_str(), p->cpu->gateway_us(), p->cpu->gateway_io_us,
                 p->cpu->gateway_writer_us, p->cpu->gateway_other_us, p->cpu->generator_us);
  }
  if (r.memory) {
    std::fprintf(out,
                 "gateway memory at the end of the scan phase: RSS %.1f MB (own %.1f, mapped files "
                 "%.1f: LMDB's pages), peak %.1f MB\n",
                 static_cast<double>(r.memory->rss_kib) / 1024.0,
                 static_cast<double>(r.memory->anon_kib) / 1024.0,
                 static_cast<double>(r.memory->file_kib) / 1024.0,
                 static_cast<double>(r.memory->peak_kib) / 1024.0);
  }
  if (r.counters) {
    std::fprintf(out,
                 "gateway counters during the scans: token memo %.0f hits / %.0f misses, "
                 "%.0f recorded, %.0f duplicates\n",
                 r.counters->memo_hits, r.counters->memo_misses, r.counters->scans_recorded,
                 r.counters->scans_duplicate);
    if (r.counters->commits > 0) {
      std::fprintf(out, "group commit: %.0f transactions, mean %.1f scans and %.2f ms each\n",
                   r.counters->commits, r.counters->commit_items / r.counters->commits,
                   1000.0 * r.counters->commit_seconds / r.counters->commits);
    }
  }
  if (r.crash) {
    std::fprintf(out,
                 "crash mode: %u SIGKILLs, restart (kill to listening) mean %.0f ms, max %.0f ms, "
                 "%llu retries\n",
                 r.crash->kills, r.crash->mean_restart_ms, r.crash->max_restart_ms,
                 static_cast<unsigned long long>(r.scans.retries));
  }
  if (r.verified) {
    const auto& v = *r.verified;
    std::fprintf(out,
                 "verify: %llu acknowledged pairs (%llu answers 201, %llu answers 200), "
                 "%llu export rows: %llu lost, %llu duplicated, %llu recorded but unacknowledged "
                 "-> %s\n",
                 static_cast<unsigned long long>(v.acknowledged_pairs),
                 static_cast<unsigned long long>(v.answered_201),
                 static_cast<unsigned long long>(v.answered_200),
                 static_cast<unsigned long long>(v.exported),
                 static_cast<unsigned long long>(v.lost),
                 static_cast<unsigned long long>(v.duplicated),
                 static_cast<unsigned long long>(v.unacknowledged), v.ok() ? "OK" : "FAILED");
    for (const auto& e : v.examples) std::fprintf(out, "  %s\n", e.c_str());
  }
  for (const auto& w : r.warnings) std::fprintf(out, "warning: %s\n", w.c_str());
  std::fprintf(out, "result: %s\n", r.passed ? "PASS" : "FAIL");
}

json::object to_json(const run_report& r) {
  json::object config{{"scenario", r.scenario},
                      {"gateway", r.gateway},
                      {"mode", r.rate > 0 ? "open_loop" : "max_throughput"},
                      {"rate", r.rate},
                      {"connections", r.connections},
                      {"client_threads", r.client_threads},
                      {"gateway_threads", r.gateway_threads},
                      {"cores", r.cores},
                      {"members", r.members},
                      {"sessions", r.sessions},
                      {"duration_seconds", r.duration_seconds},
                      {"planned_requests", r.planned_requests}};
  if (r.memo_entries) config["token_memo_entries"] = *r.memo_entries;
  if (r.gateway_signing_key) config["gateway_signing_key"] = *r.gateway_signing_key;
  json::object doc{{"tool", "checkin-loadtest"},
                   {"finished_at", now_utc()},
                   {"label", r.label},
                   {"config", std::move(config)}};
  if (r.login) doc["login"] = phase_json(*r.login);
  if (r.healthz) doc["healthz"] = phase_json(*r.healthz);
  doc["scans"] = phase_json(r.scans);
  doc["healthz_ratio"] = r.healthz_ratio ? json::value(round3(*r.healthz_ratio)) : nullptr;
  if (r.memory) {
    doc["gateway_memory_mb"] =
        json::object{{"rss", round3(static_cast<double>(r.memory->rss_kib) / 1024.0)},
                     {"peak", round3(static_cast<double>(r.memory->peak_kib) / 1024.0)},
                     {"rss_anon", round3(static_cast<double>(r.memory->anon_kib) / 1024.0)},
                     {"rss_file", round3(static_cast<double>(r.memory->file_kib) / 1024.0)}};
  }
  if (r.counters) {
    doc["gateway_counters"] = json::object{{"token_memo_hits", r.counters->memo_hits},
                                           {"token_memo_misses", r.counters->memo_misses},
                                           {"scans_recorded", r.counters->scans_recorded},
                                           {"scans_duplicate", r.counters->scans_duplicate},
                                           {"commits", r.counters->commits},
                                           {"commit_items", r.counters->commit_items},
                                           {"commit_seconds", round3(r.counters->commit_seconds)}};
  }
  if (r.crash) {
    doc["crash"] = json::object{{"kills", r.crash->kills},
                                {"mean_restart_ms", round3(r.crash->mean_restart_ms)},
                                {"max_restart_ms", round3(r.crash->max_restart_ms)}};
  }
  if (r.verified) {
    const auto& v = *r.verified;
    json::array examples;
    for (const auto& e : v.examples) examples.emplace_back(e);
    doc["verify"] = json::object{{"ok", v.ok()},
                                 {"acknowledged_pairs", v.acknowledged_pairs},
                                 {"answered_201", v.answered_201},
                                 {"answered_200", v.answered_200},
                                 {"exported", v.exported},
                                 {"lost", v.lost},
                                 {"duplicated", v.duplicated},
                                 {"unacknowledged_recorded", v.unacknowledged},
                                 {"examples", std::move(examples)}};
  }
  json::array warnings;
  for (const auto& w : r.warnings) warnings.emplace_back(w);
  doc["warnings"] = std::move(warnings);
  doc["passed"] = r.passed;
  return doc;
}

void write_json_file(const std::filesystem::path& file, const json::value& v) {
  std::string text;
  pretty(text, v, 0);
  text += "\n";
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace checkin::loadtest
