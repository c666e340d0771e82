// check_framing: which Transfer-Encoding / Content-Length combinations the server reads.
#include "gateway/request_framing.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using checkin::gateway::check_framing;
using checkin::gateway::framing_problem;

framing_problem judge(std::vector<std::string_view> te, bool length = false, unsigned version = 11) {
  return check_framing(te, length, version);
}

TEST(RequestFraming, NoTransferEncodingIsLeftToContentLength) {
  EXPECT_EQ(judge({}), framing_problem::none);
  EXPECT_EQ(judge({}, true), framing_problem::none);
  EXPECT_EQ(judge({}, false, 10), framing_problem::none);
}

TEST(RequestFraming, ExactlyChunkedIsAccepted) {
  EXPECT_EQ(judge({"chunked"}), framing_problem::none);
  EXPECT_EQ(judge({"Chunked"}), framing_problem::none);
  EXPECT_EQ(judge({" chunked\t"}), framing_problem::none);
  EXPECT_EQ(judge({", chunked ,"}), framing_problem::none);  // empty list elements are ignored
  EXPECT_EQ(judge({"", "chunked"}), framing_problem::none);
}

TEST(RequestFraming, AnyOtherCodingListIsUnsupported) {
  for (std::string_view te : {"identity", "gzip", "xchunked", "chunkedx", "chunked;q=1",
                              "chunked, identity", "gzip, chunked", "chunked, chunked", "",
                              " , ", "chunked\v"}) {
    SCOPED_TRACE(te);
    EXPECT_EQ(judge({te}), framing_problem::unsupported_coding);
  }
  EXPECT_EQ(judge({"chunked", "chunked"}), framing_problem::unsupported_coding);
  EXPECT_EQ(judge({"gzip", "chunked"}), framing_problem::unsupported_coding);
}

TEST(RequestFraming, LengthWithACodingIsRefusedWhateverTheCoding) {
  EXPECT_EQ(judge({"chunked"}, true), framing_problem::length_and_coding);
  EXPECT_EQ(judge({"xchunked"}, true), framing_problem::length_and_coding);
}

TEST(RequestFraming, CodingsAreRefusedInHttp10) {
  EXPECT_EQ(judge({"chunked"}, false, 10), framing_problem::coding_in_http10);
}

TEST(RequestFraming, EveryProblemIsDescribed) {
  for (auto p : {framing_problem::length_and_coding, framing_problem::coding_in_http10,
                 framing_problem::unsupported_coding}) {
    EXPECT_FALSE(describe(p).empty());
  }
  EXPECT_TRUE(describe(framing_problem::none).empty());
}

}  // namespace
