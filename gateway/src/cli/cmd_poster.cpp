// checkin-gateway poster --session ID --out FILE | --all --out DIR  [--format svg|png|pdf]
#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "tokens/poster.hpp"

#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace checkin::cli {
namespace {

namespace fs = std::filesystem;

struct poster_options {
  std::string program;
  std::string data_dir = "data";
  std::string key = default_secret_key;
  std::string session;
  bool all = false;
  std::string format;
  std::string out;
};

enum class progress_style { redraw, lines };

// Progress of an --all run on stderr: a bar redrawn in place on a terminal, one line per
// poster otherwise, so a log file or CI output gets no carriage-return clutter.
class progress_bar {
 public:
  progress_bar(std::size_t total, progress_style style) : total_(total), style_(style) {}

  void advance(std::string_view session_id, const fs::path& file) {
    ++done_;
    if (style_ == progress_style::lines) {
      std::fprintf(stderr, "[%zu/%zu] %.*s -> %s\n", done_, total_,
                   static_cast<int>(session_id.size()), session_id.data(), file.c_str());
      return;
    }
    constexpr std::size_t width = 30;
    const std::size_t filled = total_ == 0 ? width : done_ * width / total_;
    std::string bar(filled, '#');
    bar.resize(width, '-');
    // Pad the label so a shorter id fully overwrites the previous one.
    std::fprintf(stderr, "\r[%s] %zu/%zu %-32.*s", bar.c_str(), done_, total_,
                 static_cast<int>(session_id.size()), session_id.data());
    if (done_ == total_) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  std::size_t total_;
  std::size_t done_ = 0;
  progress_style style_;
};

tokens::poster_format resolve_format(const poster_options& o) {
  if (!o.format.empty()) return *tokens::poster_format_from_string(o.format);
  if (o.all) return tokens::poster_format::pdf;
  if (const auto f = tokens::poster_format_for(o.out)) return *f;
  throw command_failure(
      exit_status::usage,
      "--out " + o.out + ": cannot tell the format from the extension; add --format svg|png|pdf");
}

// Mints the session's poster token and renders its poster to `file`.
void write_poster(const tokens::meeting_program& program, const tokens::session_info& session,
                  const tokens::signing_key& key, tokens::poster_format format,
                  const fs::path& file) {
  const auto text = tokens::mint(tokens::poster_claims(program, session), key, program.qr_prefix);
  tokens::render_poster(tokens::make_poster_content(program, session, text), format, file);
}

void run_poster(const poster_options& o) {
  if (o.all == !o.session.empty()) {
    throw CLI::ValidationError("--session/--all", "give exactly one of --session ID or --all");
  }
  const auto format = resolve_format(o);
  const auto program = load_program_or_demo(o.program, o.data_dir);
  const auto key = tokens::load_signing_key(o.key);

  if (!o.all) {
    const auto* session = program.find(o.session);
    if (!session)
      throw command_failure(exit_status::usage, "--session " + o.session + ": not in the program");
    write_poster(program, *session, key, format, o.out);
    std::fprintf(stderr, "wrote %s (session %s)\n", o.out.c_str(), o.session.c_str());
    return;
  }

  const fs::path dir = o.out;
  fs::create_directories(dir);
  const auto style = ::isatty(STDERR_FILENO) ? progress_style::redraw : progress_style::lines;
  progress_bar progress(program.sessions.size(), style);
  const std::string ext = "." + std::string(tokens::to_string(format));
  for (const auto& session : program.sessions) {
    // Session ids are [A-Za-z0-9._-]{1,32}, so they are safe file names.
    const auto file = dir / (session.id + ext);
    write_poster(program, session, key, format, file);
    progress.advance(session.id, file);
  }
  std::fprintf(stderr, "wrote %zu posters to %s\n", program.sessions.size(), dir.c_str());
}

}  // namespace

void add_poster_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "poster",
      "Render the A4 door poster of a session: meeting, title, room, local time, credit and a "
      "large QR code of its signed poster token (valid for the session's scan window). "
      "One session with --session ID --out FILE, or every session with --all --out DIR "
      "(files named <session id>.<format>).");
  auto o = std::make_shared<poster_options>();
  add_program_option(*cmd, o->program, o->data_dir);
  cmd->add_option("--key", o->key, "Secret signing key file")->capture_default_str();
  auto* session = cmd->add_option("--session", o->session, "Session id from the program");
  auto* all = cmd->add_flag("--all", o->all, "Render a poster for every session in the program");
  session->excludes(all);
  cmd->add_option("--format", o->format,
                  "svg, png (150 dpi) or pdf; default: from the --out extension, pdf with --all")
      ->check(CLI::IsMember({"svg", "png", "pdf"}));
  cmd->add_option("--out", o->out, "Output file, or with --all the output folder (created)")
      ->required();
  cmd->callback([o] { run_poster(*o); });
}

}  // namespace checkin::cli
