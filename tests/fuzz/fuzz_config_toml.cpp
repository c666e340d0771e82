// The TOML configuration reader: a file → load_config over the defaults. What it accepts,
// to_toml (--print-config) writes out, and that text reads back to the same configuration.
#include "fuzz_check.hpp"
#include "fuzz_targets.hpp"

#include "gateway/config.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace checkin::fuzz {
namespace {

// load_config reads a file: one per process, rewritten for each input.
class scratch_file {
 public:
  scratch_file() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "checkin-fuzz-config-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
  }
  ~scratch_file() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  scratch_file(const scratch_file&) = delete;
  scratch_file& operator=(const scratch_file&) = delete;

  const std::filesystem::path& write(std::string_view name, std::string_view text) {
    path_ = dir_ / name;
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    return path_;
  }

 private:
  std::filesystem::path dir_;
  std::filesystem::path path_;
};

}  // namespace

int fuzz_config_toml(const std::uint8_t* data, std::size_t size) {
  static scratch_file file;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  gateway::gateway_config c;
  try {
    c = gateway::load_config(file.write("gateway.toml", text));
  } catch (const gateway::config_error& e) {
    FUZZ_CHECK(std::string_view(e.what()).find("gateway.toml") != std::string_view::npos);
    return 0;
  }
  // Rates and bursts feed the token buckets: a NaN or an infinity is no rate.
  for (const double v : {c.client_rate_per_second, c.client_burst, c.member_scan_rate_per_second,
                         c.member_scan_burst}) {
    FUZZ_CHECK(std::isfinite(v) && v >= 0);
  }
  const std::string written = gateway::to_toml(c);
  gateway::gateway_config again;
  try {
    again = gateway::load_config(file.write("printed.toml", written));
  } catch (const gateway::config_error& e) {
    std::fprintf(stderr, "--print-config wrote a file that does not load: %s\n%s\n", e.what(),
                 written.c_str());
    FUZZ_CHECK(!"to_toml's output must load");
  }
  FUZZ_CHECK(gateway::to_toml(again) == written);
  return 0;
}

}  // namespace checkin::fuzz
