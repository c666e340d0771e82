// Which malloc the gateway runs on. Built with CHECKIN_MIMALLOC (the default), mimalloc must be
// in effect, not merely linked: in this test process (which links the CLI like the binary does)
// and in the real checkin-gateway binary, as its --version reports.
#include "cli/commands.hpp"
#include "gateway_process.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#ifdef CHECKIN_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace checkin::cli {
namespace {

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
  std::string out;
  EXPECT_EQ(testing::run_cli({"--version"}, &out), 0) << out;
  EXPECT_EQ(out.rfind("checkin-gateway 0.1.0 (allocator: ", 0), 0u) << out;
  EXPECT_NE(out.find(allocator_in_use()), std::string::npos) << out;
}

}  // namespace
}  // namespace checkin::cli
