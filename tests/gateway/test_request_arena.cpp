// The per-request arena: a parsed request's fields and body land in its one block, what does not
// fit goes to the heap, and copies leave the arena behind.

// GCC 12 in the ASan build reports a false -Wmaybe-uninitialized in Beast's parser
// (basic_parser::do_field's boost::optional) where parse() below inlines it. Before the includes:
// the warning's location is in Beast's header.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "gateway/http_types.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

namespace {

using namespace checkin::gateway;

std::string scan_bytes(const std::string& extra_headers, std::size_t body_size) {
  std::string out = "POST /v1/scans HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n";
  out += "Content-Type: application/json\r\nAuthorization: Bearer ";
  out.append(120, 't');
  out += "\r\n";
  out += extra_headers;
  out += "Content-Length: " + std::to_string(body_size) + "\r\n\r\n";
  out.append(body_size, 'b');
  return out;
}

request parse(const std::string& bytes, request_arena& arena) {
  const request_allocator<char> in_arena{&arena};
  request_parser parser{std::piecewise_construct, std::make_tuple(in_arena),
                        std::make_tuple(in_arena)};
  parser.eager(true);
  boost::beast::error_code ec;
  const std::size_t used = parser.put(boost::asio::buffer(bytes), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(used, bytes.size());
  EXPECT_TRUE(parser.is_done());
  return parser.release();
}

TEST(RequestArena, AScanRequestFitsInOneBlock) {
  request_arena arena;
  EXPECT_EQ(arena.used(), 0u) << "no block before the first field";
  const auto req = parse(scan_bytes("", 280), arena);
  EXPECT_EQ(std::string_view(req.body()), std::string(280, 'b'));
  EXPECT_EQ(req[http::field::authorization], "Bearer " + std::string(120, 't'));
  EXPECT_EQ(req.target(), "/v1/scans");
  EXPECT_EQ(req.body().get_allocator().arena(), &arena);
  EXPECT_EQ(req.get_allocator().arena(), &arena);
  // Four fields, the target and the body: all of it in the block.
  EXPECT_GE(arena.used(), 280u + 120u + 4 * 16u);
  EXPECT_LE(arena.used(), request_arena::block_size);
}

TEST(RequestArena, WhatDoesNotFitGoesToTheHeapAndStillReadsBack) {
  request_arena arena;
  std::string many;
  for (int i = 0; i < 40; ++i) {
    many += "X-Header-" + std::to_string(i) + ": ";
    many.append(30, 'v');
    many += "\r\n";
  }
  const auto req = parse(scan_bytes(many, 5000), arena);
  EXPECT_LE(arena.used(), request_arena::block_size);
  EXPECT_EQ(std::string_view(req.body()), std::string(5000, 'b'));
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(req["X-Header-" + std::to_string(i)], std::string(30, 'v')) << i;
  }
}

TEST(RequestArena, ACopyLivesOnTheHeapAndOutlivesTheArena) {
  std::optional<request> copy;
  {
    request_arena arena;
    const auto req = parse(scan_bytes("", 100), arena);
    copy.emplace(req);
    EXPECT_EQ(copy->get_allocator().arena(), nullptr);
    EXPECT_EQ(copy->body().get_allocator().arena(), nullptr);
  }
  // The arena's block is back in the cache; a new request reuses it.
  request_arena other;
  std::string fill = "X-Fill: ";
  fill.append(300, 'z');
  fill += "\r\n";
  const auto overwrite = parse(scan_bytes(fill, 200), other);
  EXPECT_GT(other.used(), 300u);
  EXPECT_EQ(std::string_view(copy->body()), std::string(100, 'b'));
  EXPECT_EQ((*copy)[http::field::authorization], "Bearer " + std::string(120, 't'));
  EXPECT_EQ(copy->target(), "/v1/scans");
}

TEST(RequestArena, ARequestBuiltByHandUsesTheHeap) {
  request req{http::verb::get, "/healthz", 11};
  req.set(http::field::host, "example");
  req.body().push_back('x');
  EXPECT_EQ(req.get_allocator().arena(), nullptr);
  EXPECT_EQ(req[http::field::host], "example");
}

}  // namespace
