#include "loadtest/verification.hpp"

#include <gtest/gtest.h>

namespace checkin::loadtest {
namespace {

// Two sessions, four members.
using exports = std::vector<std::vector<std::uint32_t>>;

TEST(Verification, EveryAcknowledgedScanExportedOnceIsOk) {
  const std::vector<acknowledged_scan> acks{{0, 0, 201}, {1, 0, 201}, {1, 0, 200}, {2, 1, 200}};
  const auto v = verify_acknowledged(acks, exports{{1, 0}, {2}}, 4);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.acknowledged_pairs, 3u);
  EXPECT_EQ(v.answered_201, 2u);
  EXPECT_EQ(v.answered_200, 2u);
  EXPECT_EQ(v.exported, 3u);
  EXPECT_EQ(v.unacknowledged, 0u);
}

TEST(Verification, AnAcknowledgedScanMissingFromTheExportIsLost) {
  const std::vector<acknowledged_scan> acks{{0, 0, 201}, {3, 1, 200}};
  const auto v = verify_acknowledged(acks, exports{{0}, {}}, 4);
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.lost, 1u);
  ASSERT_EQ(v.examples.size(), 1u);
  EXPECT_NE(v.examples[0].find("member #3 session #1"), std::string::npos);
}

TEST(Verification, TwoRowsOrTwoRecordedAnswersAreDuplicates) {
  const std::vector<acknowledged_scan> acks{{0, 0, 201}, {1, 1, 201}, {1, 1, 201}};
  const auto v = verify_acknowledged(acks, exports{{0, 0}, {1}}, 4);
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.duplicated, 2u);
}

TEST(Verification, UnacknowledgedRowsAndOtherMembersAreNotFailures) {
  const std::vector<acknowledged_scan> acks{{0, 0, 201}};
  // Member 2 was recorded but its answer was lost to a kill; 99 is not one of ours.
  const auto v = verify_acknowledged(acks, exports{{0, 2, 99}, {}}, 4);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.unacknowledged, 1u);
  EXPECT_EQ(v.exported, 2u);
}

}  // namespace
}  // namespace checkin::loadtest
