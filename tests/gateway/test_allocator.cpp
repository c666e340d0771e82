// Which malloc the gateway runs on. Built with CHECKIN_MIMALLOC (the default), mimalloc must be
// in effect, not merely linked: in this test process (which links the CLI like the binary does)
// and in the real checkin-gateway binary, as its --version reports.
#include "cli/commands.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#ifdef CHECKIN_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace checkin::cli {
namespace {

std::string output_of(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  std::string out;
  if (!pipe) return out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe.get())) out += buf;
  return out;
}

#ifdef CHECKIN_WITH_MIMALLOC
TEST(Allocator, MallocInThisProcessIsMimallocs) {
  void* p = std::calloc(1, 100);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(mi_is_in_heap_region(p));
  std::free(p);
  auto q = std::make_unique<char[]>(5000);  // operator new too (libstdc++ calls malloc)
  EXPECT_TRUE(mi_is_in_heap_region(q.get()));
  EXPECT_EQ(allocator_in_use().rfind("mimalloc 2.", 0), 0u) << allocator_in_use();
}
#else
TEST(Allocator, WithoutMimallocTheSystemMallocIsReported) {
  EXPECT_EQ(allocator_in_use(), "system malloc");
}
#endif

TEST(Allocator, TheBinaryReportsItsAllocatorInVersion) {
  const auto bin = std::filesystem::path(CHECKIN_BINARY_DIR) / "bin" / "checkin-gateway";
  const auto out = output_of(bin.string() + " --version 2>&1");
  EXPECT_EQ(out.rfind("checkin-gateway 0.1.0 (allocator: ", 0), 0u) << out;
  EXPECT_NE(out.find(allocator_in_use()), std::string::npos) << out;
}

}  // namespace
}  // namespace checkin::cli
