#pragma once
// Test support: a throwaway PostgreSQL server of our own, and a small SQL client to inspect it.
//
// The server lives in a fresh directory under /tmp, listens only on a unix socket in that
// directory (listen_addresses = ''), trusts local connections, and runs with fsync off. As
// root (CI), initdb and postgres refuse to run, so the directory is handed to the `postgres`
// system user and the server binaries run through `runuser -u postgres --`.

#include <libpq-fe.h>

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace checkin::testing {

class postgres_server {
 public:
  // initdb + start, waiting until the server accepts connections. Throws std::runtime_error
  // with what went wrong and the tail of the server's log. Binaries: $CHECKIN_PG_BINDIR, else
  // the newest /usr/lib/postgresql/<N>/bin (Debian's `postgresql` package; scripts/setup.sh).
  postgres_server();
  postgres_server(const postgres_server&) = delete;
  postgres_server& operator=(const postgres_server&) = delete;
  // Stops the server (immediate shutdown) and removes the directory; never throws.
  ~postgres_server();

  // Superuser `checkin`, database `postgres`, over the unix socket. Same across restarts.
  [[nodiscard]] const std::string& conninfo() const noexcept { return conninfo_; }
  // Fast shutdown (sessions get 57P01), waiting until it is down. No-op when stopped.
  void stop();
  // Starts again on the same data and socket; waits until it accepts connections.
  void start();
  [[nodiscard]] bool running() const noexcept { return running_; }
  // The last `max_bytes` of the server log, for failure messages.
  [[nodiscard]] std::string log_tail(std::size_t max_bytes = 2000) const;

 private:
  // Runs a server binary (through runuser when root) to completion; throws unless it exits 0.
  void run_tool(const std::string& tool, std::vector<std::string> args, int limit_seconds);
  void wait_until_ready(int limit_seconds);
  void start_reaper();
  // Everything the destructor does; also undoes a constructor that failed half way.
  void shut_down() noexcept;

  std::filesystem::path bindir_;
  std::filesystem::path dir_;   // socket, logs, data/
  std::filesystem::path data_;  // dir_/data
  std::string conninfo_;
  bool as_postgres_user_ = false;
  bool running_ = false;
  pid_t reaper_ = -1;     // cleans up if this process dies without running the destructor
  int reaper_pipe_ = -1;  // its stdin; closing it (or dying) wakes it
};

// A blocking libpq session that throws std::runtime_error (with the SQL and the server's
// message) on any error. For setting up and checking tables from tests.
class sql_session {
 public:
  explicit sql_session(const std::string& conninfo);
  // Runs one or more statements, ignoring any rows.
  void exec(const std::string& sql);
  // All rows of a query as text; SQL NULL reads as "<null>".
  [[nodiscard]] std::vector<std::vector<std::string>> rows(const std::string& sql);
  // The single value of a one-row, one-column query.
  [[nodiscard]] std::string scalar(const std::string& sql);

 private:
  struct closer {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
  };
  std::unique_ptr<PGconn, closer> conn_;
};

}  // namespace checkin::testing
