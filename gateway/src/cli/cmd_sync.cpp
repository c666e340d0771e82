// checkin-gateway sync status | export | retry: the operator's view of the sync to the
// membership system. They read (and, for retry, write) the same LMDB store as a running
// `serve`; LMDB serializes writers across processes, and the running server picks up a retry
// within its poll interval.
#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "gateway/sync/batch_json.hpp"
#include "gateway/sync/configured_sinks.hpp"
#include "gateway/sync/sync_service.hpp"
#include "gateway/sync/sync_status.hpp"
#include "tokens/posix_file.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <unistd.h>
#include <fstream>
#include <sstream>

namespace checkin::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono;

store::unix_millis now_ms() { return time_point_cast<milliseconds>(system_clock::now()); }

std::string text_of(const json::value& v) {
  return v.is_null() ? std::string{"-"} : v.is_string() ? std::string(v.as_string())
                                                        : json::serialize(v);
}

// --- status ---------------------------------------------------------------------------------

struct status_options {
  config_options files;
  bool as_json = false;
};

void run_status(const status_options& o) {
  const auto c = load_config(o.files);
  require_data_dir(c.data_dir);
  const auto program = load_program_or_demo(c.program.string(), c.data_dir);
  const auto store = open_store(c.data_dir, c.map_size_mib, c.map_size_limit_mib);
  const auto progress = gateway::sync::read_progress(store).value();
  const auto batches = store.batches().value();
  const auto deliveries = store.deliveries().value();
  const auto sinks = gateway::sync::configured_sink_names(c);
  const auto status = gateway::sync::sync_status_json(program, {progress, batches, deliveries, sinks},
                                                      c.sealing, now_ms());
  if (o.as_json) {
    std::printf("%s\n", json::serialize(status).c_str());
    return;
  }
  std::printf("meeting %s: %zu batches sealed, %s scans not yet sealed; sinks: %s\n",
              program.id.c_str(), batches.size(),
              text_of(status.at("totals").at("unsealed_scans")).c_str(),
              sinks.empty() ? "none (export with `sync export`)" : "");
  for (const auto& s : sinks) {
    const auto& t = status.at("totals").at("sinks").at(s).as_object();
    std::printf("  %-24s pending %s  delivered %s  failed %s  next retry %s  last error %s\n",
                s.c_str(), text_of(t.at("pending")).c_str(), text_of(t.at("delivered")).c_str(),
                text_of(t.at("failed")).c_str(), text_of(t.at("next_retry_at")).c_str(),
                text_of(t.at("last_error")).c_str());
  }
  std::printf("\n%-12s %9s %9s %8s  %-29s %s\n", "session", "recorded", "unsealed", "batches",
              "seal due", "per sink: pending/delivered/failed");
  for (const auto& v : status.at("sessions").as_array()) {
    const auto& s = v.as_object();
    std::string per_sink;
    for (const auto& [name, t] : s.at("sinks").as_object()) {
      per_sink += std::string(name) + " " + text_of(t.at("pending")) + "/" +
                  text_of(t.at("delivered")) + "/" + text_of(t.at("failed")) + "  ";
    }
    std::printf("%-12s %9s %9s %8s  %-29s %s\n", text_of(s.at("session_id")).c_str(),
                text_of(s.at("recorded")).c_str(), text_of(s.at("unsealed")).c_str(),
                text_of(s.at("batches")).c_str(), text_of(s.at("seal_due_at")).c_str(),
                per_sink.c_str());
  }
  for (const auto& v : status.at("batches").as_array()) {
    for (const auto& [name, d] : v.at("deliveries").as_object()) {
      if (d.at("state") != "failed") continue;
      std::printf("FAILED %s -> %s: %s (retry: checkin-gateway sync retry --batch %s)\n",
                  text_of(v.at("batch_id")).c_str(), std::string(name).c_str(),
                  text_of(d.at("last_error")).c_str(), text_of(v.at("batch_id")).c_str());
    }
  }
}

// --- export ---------------------------------------------------------------------------------

struct export_options {
  config_options files;
  std::string out;
};

// "JSCNM2026/A-0101/1" → "JSCNM2026_A-0101_1.json": ids are [A-Za-z0-9._-] already.
std::string file_name_of(const std::string& batch_id) {
  std::string name = batch_id;
  for (char& ch : name) {
    if (ch == '/') ch = '_';
  }
  return name + ".json";
}

// Written to a temporary name, synced, then renamed: a reader never sees half a batch.
bool write_if_changed(const fs::path& file, const std::string& body) {
  {
    std::ifstream in(file, std::ios::binary);
    if (in) {
      std::ostringstream old;
      old << in.rdbuf();
      if (old.str() == body) return false;
    }
  }
  const fs::path tmp = file.string() + ".tmp";
  tokens::unique_fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0 || !tokens::write_all(fd.get(), body) || ::fsync(fd.get()) != 0 ||
      fd.close() != 0) {
    throw std::runtime_error(tmp.string() + ": cannot write: " + std::strerror(errno));
  }
  fs::rename(tmp, file);
  return true;
}

void run_export(const export_options& o) {
  const auto c = load_config(o.files);
  require_data_dir(c.data_dir);
  const auto store = open_store(c.data_dir, c.map_size_mib, c.map_size_limit_mib);
  fs::create_directories(o.out);
  std::size_t written = 0;
  std::size_t same = 0;
  std::size_t entries = 0;
  for (const auto& h : store.batches().value()) {
    const auto batch = store.find_batch(h.number).value();
    if (!batch) continue;
    entries += batch->entries.size();
    if (write_if_changed(fs::path(o.out) / file_name_of(h.batch_id),
                         gateway::sync::batch_to_json(*batch))) {
      ++written;
    } else {
      ++same;
    }
  }
  std::printf("exported %zu batches (%zu scans) to %s: %zu written, %zu unchanged\n",
              written + same, entries, o.out.c_str(), written, same);
}

// --- retry ----------------------------------------------------------------------------------

struct retry_options {
  config_options files;
  std::vector<std::string> batch_ids;
  bool all_failed = false;
  std::string sink;
};

void run_retry(const retry_options& o) {
  if (o.batch_ids.empty() && !o.all_failed) {
    throw command_failure(exit_status::usage,
                          "say which batches: --batch ID (repeatable) or --failed");
  }
  const auto c = load_config(o.files);
  require_data_dir(c.data_dir);
  auto store = open_store(c.data_dir, c.map_size_mib, c.map_size_limit_mib);
  std::map<std::uint64_t, std::string> ids;
  for (const auto& h : store.batches().value()) ids[h.number] = h.batch_id;
  for (const auto& id : o.batch_ids) {
    bool known = false;
    for (const auto& [n, b] : ids) known = known || b == id;
    if (!known) throw command_failure(exit_status::usage, "--batch " + id + ": no such batch");
  }
  store::write_batch w;
  for (const auto& r : store.deliveries().value()) {
    if (r.state != store::delivery_state::failed) continue;
    if (!o.sink.empty() && r.sink != o.sink) continue;
    const auto& id = ids[r.batch_number];
    if (!o.all_failed && std::find(o.batch_ids.begin(), o.batch_ids.end(), id) == o.batch_ids.end()) {
      continue;
    }
    w.deliveries.push_back(gateway::sync::retried(r));
    std::printf("retrying %s -> %s (last error: %s)\n", id.c_str(), r.sink.c_str(),
                r.last_error.c_str());
  }
  if (w.deliveries.empty()) {
    std::printf("no failed deliveries matched; nothing changed\n");
    return;
  }
  store.commit_batch(w, now_ms()).value();
  std::printf("%zu deliveries set to pending; a running gateway retries them within %lld ms\n",
              w.deliveries.size(), static_cast<long long>(c.sync_poll_interval.count()));
}

}  // namespace

void add_sync_command(CLI::App& app) {
  auto* sync = app.add_subcommand(
      "sync", "The sync to the membership system: status, export of sealed batches, retries");
  sync->require_subcommand(1);

  auto* status = sync->add_subcommand(
      "status", "Per session and sink: batches pending, delivered, failed; last error; next retry");
  auto so = std::make_shared<status_options>();
  add_config_options(*status, so->files);
  status->add_flag("--json", so->as_json, "Print the JSON of GET /v1/sync/status");
  status->callback([so] { run_status(*so); });

  auto* exp = sync->add_subcommand(
      "export",
      "Write every sealed batch as <batch_id>.json (the webhook body) into a folder; for a "
      "gateway with no sink, or as a copy. Files already up to date are left alone.");
  auto eo = std::make_shared<export_options>();
  add_config_options(*exp, eo->files);
  exp->add_option("--out", eo->out, "Folder to write into (created if missing)")->required();
  exp->callback([eo] { run_export(*eo); });

  auto* retry = sync->add_subcommand(
      "retry", "Set failed (parked) deliveries back to pending so they are sent again");
  auto ro = std::make_shared<retry_options>();
  add_config_options(*retry, ro->files);
  retry->add_option("--batch", ro->batch_ids, "A batch id, e.g. JSCNM2026/A-0101/1 (repeatable)");
  retry->add_flag("--failed", ro->all_failed, "Every failed delivery");
  retry->add_option("--sink", ro->sink, "Only this sink");
  retry->callback([ro] { run_retry(*ro); });
}

}  // namespace checkin::cli
