// Every seed (tests/fuzz/corpus/<target>/) and every input that ever made a target fail
// (tests/fuzz/regressions/<target>/) through the fuzz target's body, in the normal test build:
// a regression shows here, under GCC and with its sanitizers in a CHECKIN_SANITIZE build,
// without clang or libFuzzer. A failed property stops the process (fuzz_check.hpp) and names it.
#include "fuzz_targets.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using checkin::fuzz::all_targets;

const fs::path fuzz_dir{CHECKIN_FUZZ_DIR};

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t replay(const checkin::fuzz::fuzz_target& t, const fs::path& dir) {
  const auto files = files_in(dir);
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    const auto bytes = bytes_of(f);
    EXPECT_EQ(t.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
  }
  return files.size();
}

class FuzzReplay : public ::testing::TestWithParam<checkin::fuzz::fuzz_target> {};

TEST_P(FuzzReplay, SeedCorpus) {
  const auto& t = GetParam();
  EXPECT_GT(replay(t, fuzz_dir / "corpus" / std::string(t.name)), 0u)
      << "every target has seeds in tests/fuzz/corpus/" << t.name;
}

TEST_P(FuzzReplay, Regressions) {
  const auto& t = GetParam();
  (void)replay(t, fuzz_dir / "regressions" / std::string(t.name));
}

TEST_P(FuzzReplay, EmptyInput) { EXPECT_EQ(GetParam().run(nullptr, 0), 0); }

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay, ::testing::ValuesIn(all_targets),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
