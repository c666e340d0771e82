// `serve --demo` as a new user meets it, through the real binary: the demo program is moved to
// "now" once and kept in the data folder, so the CLI reports and the running server agree on
// the session times; and the scan example the banner prints runs as pasted into bash.
#include "gateway_process.hpp"

#include "tokens/rfc3339.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <fstream>

namespace checkin::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

// `serve --demo` on a free port with its stderr (the banner) in a file.
class demo_server {
 public:
  demo_server(const fs::path& data_dir, const fs::path& stderr_file) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> args{gateway_binary().string(),
                                  "serve",
                                  "--demo",
                                  "--data-dir",
                                  data_dir.string(),
                                  "--listen",
                                  "127.0.0.1:0",
                                  "--threads",
                                  "1",
                                  "--no-access-log"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::dup2(err, 2);
      ::close(out[0]);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(err);
    ::close(out[1]);
    out_ = out[0];
    std::string line;
    char c;
    while (::read(out_, &c, 1) == 1) {
      if (c != '\n') {
        line += c;
      } else if (line.rfind("listening ", 0) == 0) {
        port_ = static_cast<std::uint16_t>(std::stoi(line.substr(10)));
        break;
      }
    }
    if (port_ == 0)
      throw std::runtime_error("serve --demo did not start: " + read_text(stderr_file));
    // The banner follows the "listening" line: wait for its last line.
    for (int i = 0;
         i < 200 && read_text(stderr_file).find("(demo organizer key") == std::string::npos; ++i) {
      ::usleep(20'000);
    }
  }
  ~demo_server() { stop(); }
  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    ::close(out_);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  int pid_ = -1;
  int out_ = -1;
  std::uint16_t port_ = 0;
};

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// The starts_at the running server gives for `session` (GET /v1/sessions, organizer key).
std::string served_starts_at(std::uint16_t port, const std::string& key,
                             const std::string& session) {
  const auto list = http_client(port).get("/v1/sessions", key);
  EXPECT_EQ(list.status, 200u) << list.body;
  const auto doc = list.json();  // named: a range-for does not extend a temporary's parts
  for (const auto& s : doc.at("sessions").as_array()) {
    if (s.at("id") == json::value(session)) return std::string(s.at("starts_at").as_string());
  }
  return {};
}

// The lines of the banner from the login curl to the scan curl, as printed.
std::string pasted_commands(const std::string& banner) {
  const auto from = banner.find("  TOKEN=$(");
  const auto to = banner.find("Posters:");
  if (from == std::string::npos || to == std::string::npos) return {};
  return banner.substr(from, to - from);
}

TEST(CliDemo, ProgramIsMovedOnceAndEveryCommandReadsIt) {
  temp_dir dir("checkin-cli-demo");
  const auto data = dir.path() / "data";
  const auto program_file = data / "demo-program.json";
  const auto banner_file = dir.path() / "banner.txt";

  std::string kept;
  {
    demo_server server(data, banner_file);
    ASSERT_TRUE(fs::exists(program_file)) << "serve --demo did not keep its program in " << data;
    kept = read_text(program_file);
    const auto program = tokens::load_program(program_file);
    const auto key = first_line(read_text(data / "demo-organizer.key"));
    EXPECT_EQ(served_starts_at(server.port(), key, "A-0101"),
              tokens::format_rfc3339(program.find("A-0101")->starts_at, program.utc_offset));

    // The banner's example, pasted into bash as printed: a member logs in and scans a poster.
    const auto banner = read_text(banner_file);
    const auto commands = pasted_commands(banner);
    ASSERT_NE(commands, "") << banner;
    write_text(dir.path() / "pasted.sh", commands);
    const auto script = dir.path() / "pasted.sh";
    std::FILE* shell = ::popen(("bash " + script.string() + " 2>&1").c_str(), "r");
    ASSERT_NE(shell, nullptr);
    char buf[4096];
    std::size_t n = 0;
    std::string answer;
    while ((n = std::fread(buf, 1, sizeof buf, shell)) > 0) answer.append(buf, n);
    EXPECT_EQ(::pclose(shell), 0) << answer;
    EXPECT_NE(answer.find("\"status\":\"recorded\""), std::string::npos)
        << "the banner's commands did not record a scan:\n"
        << commands << "\n→ " << answer;
    EXPECT_EQ(server.stop(), 0);
  }
  // Move A-0101 to a day no clock gives: only a command that reads the file can report it.
  auto doc = json::parse(kept);
  for (auto& s : doc.at("sessions").as_array()) {
    if (s.at("id") != "A-0101") continue;
    s.as_object()["starts_at"] = "2030-01-15T09:00:00+09:00";
    s.as_object()["ends_at"] = "2030-01-15T10:00:00+09:00";
  }
  write_text(program_file, json::serialize(doc));

  std::string out;
  ASSERT_EQ(run_cli({"attendance", "--session", "A-0101", "--format", "json", "--data-dir",
                     data.string()},
                    &out),
            0)
      << out;
  EXPECT_EQ(json::parse(out).at("starts_at"), "2030-01-15T09:00:00+09:00") << out;

  ASSERT_EQ(run_cli({"sync", "status", "--json", "--data-dir", data.string()}, &out), 0) << out;
  bool listed = false;
  const auto status = json::parse(out);
  for (const auto& s : status.at("sessions").as_array()) {
    if (s.at("session_id") != "A-0101") continue;
    listed = true;
    EXPECT_EQ(s.at("ends_at"), "2030-01-15T10:00:00.000+09:00") << out;
  }
  EXPECT_TRUE(listed) << out;

  ASSERT_EQ(run_cli({"token", "--session", "A-0101", "--describe", "--data-dir", data.string(),
                     "--key", (data / "keys" / "signing.key").string()},
                    &out),
            0)
      << out;
  EXPECT_NE(out.find("valid from:  2030-01-15T08:45:00+09:00"), std::string::npos) << out;

  // And a later start serves the kept program, not one moved to its own "now".
  demo_server again(data, banner_file);
  const auto key = first_line(read_text(data / "demo-organizer.key"));
  EXPECT_EQ(served_starts_at(again.port(), key, "A-0101"), "2030-01-15T09:00:00+09:00");
  EXPECT_EQ(again.stop(), 0);
}

}  // namespace
}  // namespace checkin::testing
