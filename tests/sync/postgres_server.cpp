#include "sync/postgres_server.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace checkin::testing {

namespace fs = std::filesystem;

namespace {

using clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("postgres_server: " + what);
}

std::string tail_of(const fs::path& file, std::size_t max_bytes) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "(no " + file.filename().string() + ")";
  std::ostringstream s;
  s << in.rdbuf();
  const std::string text = s.str();
  return text.size() <= max_bytes ? text : "..." + text.substr(text.size() - max_bytes);
}

fs::path find_bindir() {
  if (const char* env = std::getenv("CHECKIN_PG_BINDIR"); env != nullptr && *env != '\0') {
    if (!fs::exists(fs::path(env) / "initdb"))
      fail(std::string("no initdb in $CHECKIN_PG_BINDIR ") + env);
    return env;
  }
  // Debian installs each major version side by side; take the newest.
  fs::path best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    const int version = std::atoi(name.c_str());
    if (version > best_version && fs::exists(entry.path() / "bin" / "initdb")) {
      best_version = version;
      best = entry.path() / "bin";
    }
  }
  if (best.empty()) {
    fail(
        "PostgreSQL server binaries not found (no /usr/lib/postgresql/<N>/bin/initdb). Install "
        "the Debian package `postgresql` (scripts/setup.sh does) or set CHECKIN_PG_BINDIR.");
  }
  return best;
}

fs::path find_runuser() {
  for (const char* candidate : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  fail("running as root, but runuser (util-linux) is missing: cannot run the server as postgres");
}

// Spawns argv with stdin from /dev/null, stdout+stderr appended to `log` (when not empty), in
// `cwd`, optionally with `stdin_fd` as stdin and in its own process group.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& cwd, const fs::path& log,
            int stdin_fd = -1, bool own_group = false) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  if (stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  const std::string out = log.empty() ? std::string("/dev/null") : log.string();
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // Postgres, run as `postgres`, may not be allowed into the test's working directory.
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  if (own_group) {
    // ctest kills a timed-out test's process group; the reaper has to outlive that.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
  }
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) fail("cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

// The exit code, or -1 when it was killed (for running past `limit`).
int wait_for(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (done < 0 && errno != EINTR) return -1;
    if (clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

postgres_server::postgres_server() : bindir_(find_bindir()), as_postgres_user_(::geteuid() == 0) {
  // As root the server runs as `postgres`, which must be able to walk every parent of its
  // directory: $TMPDIR may be under /root, so use /tmp. Also keeps the socket path short.
  const fs::path base = as_postgres_user_ ? fs::path("/tmp") : fs::temp_directory_path();
  std::string pattern = (base / "checkin-pg-XXXXXX").string();
  if (pattern.size() + std::strlen("/.s.PGSQL.5432") >= 107) pattern = "/tmp/checkin-pg-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) fail("mkdtemp in " + base.string() + " failed");
  dir_ = pattern;
  data_ = dir_ / "data";
  conninfo_ = "host=" + dir_.string() + " port=5432 dbname=postgres user=checkin";
  try {
    if (as_postgres_user_) {
      const passwd* pw = ::getpwnam("postgres");
      if (pw == nullptr) {
        fail(
            "running as root, and there is no `postgres` user to run the server as (the "
            "Debian package `postgresql` creates it)");
      }
      if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        fail("chown " + dir_.string() + " to postgres: " + std::strerror(errno));
      }
    }
    start_reaper();
    run_tool("initdb",
             {"-D", data_.string(), "-U", "checkin", "--auth=trust", "--no-sync", "-E", "UTF8",
              "--locale=C", "--no-instructions"},
             60);
    std::ofstream conf(data_ / "postgresql.conf", std::ios::app);
    conf << "\n# checkin tests: private socket only, speed over durability\n"
         << "listen_addresses = ''\n"
         << "unix_socket_directories = '" << dir_.string() << "'\n"
         << "port = 5432\n"  // wins over a $PGPORT in the environment
         << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
         << "max_connections = 20\nshared_buffers = 16MB\n";
    if (!conf.flush()) fail("cannot append to " + (data_ / "postgresql.conf").string());
    conf.close();
    start();
  } catch (...) {
    shut_down();  // no destructor runs for a constructor that throws
    throw;
  }
}

postgres_server::~postgres_server() { shut_down(); }

void postgres_server::shut_down() noexcept {
  if (reaper_ > 0) {
    ::kill(reaper_, SIGKILL);
    int status = 0;
    ::waitpid(reaper_, &status, 0);
    reaper_ = -1;
  }
  if (reaper_pipe_ >= 0) {
    ::close(reaper_pipe_);
    reaper_pipe_ = -1;
  }
  if (running_) {
    try {
      run_tool("pg_ctl", {"-D", data_.string(), "-m", "immediate", "-w", "-t", "30", "-s", "stop"},
               40);
    } catch (...) {
      // Best effort: the directory goes anyway, and the postmaster exits when its data does.
    }
    running_ = false;
  }
  std::error_code ignored;
  if (!dir_.empty()) fs::remove_all(dir_, ignored);
  dir_.clear();
}

void postgres_server::start() {
  if (running_) return;
  run_tool(
      "pg_ctl",
      {"-D", data_.string(), "-l", (dir_ / "server.log").string(), "-w", "-t", "30", "-s", "start"},
      40);
  running_ = true;
  wait_until_ready(30);
}

void postgres_server::stop() {
  if (!running_) return;
  run_tool("pg_ctl", {"-D", data_.string(), "-m", "fast", "-w", "-t", "30", "-s", "stop"}, 40);
  running_ = false;
}

std::string postgres_server::log_tail(std::size_t max_bytes) const {
  return tail_of(dir_ / "server.log", max_bytes);
}

void postgres_server::run_tool(const std::string& tool, std::vector<std::string> args,
                               int limit_seconds) {
  std::vector<std::string> argv;
  if (as_postgres_user_) argv = {find_runuser().string(), "-u", "postgres", "--"};
  argv.push_back((bindir_ / tool).string());
  argv.insert(argv.end(), args.begin(), args.end());
  const fs::path log = dir_ / "tools.log";
  const int code = wait_for(spawn(argv, dir_, log), std::chrono::seconds(limit_seconds));
  if (code != 0) {
    fail(tool + " " + (args.empty() ? "" : args.back()) +
         (code < 0 ? " was killed or ran past " + std::to_string(limit_seconds) + "s"
                   : " exited with " + std::to_string(code)) +
         "\n--- tool output ---\n" + tail_of(log, 2000) + "\n--- server log ---\n" + log_tail());
  }
}

void postgres_server::wait_until_ready(int limit_seconds) {
  const auto deadline = clock::now() + std::chrono::seconds(limit_seconds);
  while (PQping(conninfo_.c_str()) != PQPING_OK) {
    if (clock::now() > deadline) {
      fail("server did not accept connections within " + std::to_string(limit_seconds) +
           "s\n--- server log ---\n" + log_tail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// A shell that blocks on a pipe only this process holds. If the test dies without its
// destructor (crash, ctest timeout), the pipe closes and the shell stops the server and
// removes the directory, so no postmaster outlives the test. `read` is a shell builtin, so the
// destructor's SIGKILL to the shell leaves no child behind.
void postgres_server::start_reaper() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail(std::string("pipe2: ") + std::strerror(errno));
  std::vector<std::string> argv{
      "/bin/sh", "-c", "read -r _; \"$@\" >/dev/null 2>&1; rm -rf -- \"$0\"", dir_.string()};
  if (as_postgres_user_) argv.insert(argv.end(), {find_runuser().string(), "-u", "postgres", "--"});
  argv.insert(argv.end(),
              {(bindir_ / "pg_ctl").string(), "-D", data_.string(), "-m", "immediate", "stop"});
  try {
    reaper_ = spawn(argv, "/", "", fds[0], true);
  } catch (...) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw;
  }
  ::close(fds[0]);
  reaper_pipe_ = fds[1];
}

// ---- sql_session -------------------------------------------------------------------------

namespace {

struct result_clearer {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_clearer>;

void ignore_notice(void* /*arg*/, const char* /*message*/) {}

}  // namespace

sql_session::sql_session(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
    throw std::runtime_error("sql_session: cannot connect: " +
                             std::string(conn_ ? PQerrorMessage(conn_.get()) : "out of memory"));
  }
  PQsetNoticeProcessor(conn_.get(), ignore_notice, nullptr);
}

void sql_session::exec(const std::string& sql) {
  const result_ptr r{PQexec(conn_.get(), sql.c_str())};
  const ExecStatusType s = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    throw std::runtime_error("sql_session: " + sql + ": " + PQerrorMessage(conn_.get()));
  }
}

std::vector<std::vector<std::string>> sql_session::rows(const std::string& sql) {
  const result_ptr r{PQexec(conn_.get(), sql.c_str())};
  if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    throw std::runtime_error("sql_session: " + sql + ": " + PQerrorMessage(conn_.get()));
  }
  std::vector<std::vector<std::string>> out(static_cast<std::size_t>(PQntuples(r.get())));
  for (int row = 0; row < PQntuples(r.get()); ++row) {
    for (int col = 0; col < PQnfields(r.get()); ++col) {
      out[static_cast<std::size_t>(row)].emplace_back(
          PQgetisnull(r.get(), row, col) ? "<null>" : PQgetvalue(r.get(), row, col));
    }
  }
  return out;
}

std::string sql_session::scalar(const std::string& sql) {
  const auto result = rows(sql);
  if (result.size() != 1 || result[0].size() != 1) {
    throw std::runtime_error("sql_session: " + sql + ": expected one value");
  }
  return result[0][0];
}

}  // namespace checkin::testing
