// HTTP bytes as a client sends them on one connection → Beast's request parser, set up as
// gateway/src/server.cpp sets it up (the request arena, header_limit, body_limit, eager) →
// the real gateway_app::handle, in process: no socket, a real LMDB store in a scratch
// directory, the demo program and roster, the group committer, bearer tokens.
//
// The bytes are fed as a correct read loop feeds them: what the parser leaves unconsumed stays
// in the buffer and the next "read" appends to it; after need_more the parser is called again
// only with more bytes, and at the end of the input it gets put_eof. The input arrives in reads
// of one size, picked from a hash of the input, so the same bytes are also parsed split at
// other places. Keep-alive requests follow one another, as on a connection, up to a few.
//
// Properties: handle() never throws (a throw is the server's bare 500: a surprise), every
// answer has a real status and serializes.
#include "fuzz_check.hpp"
#include "fuzz_http_rig.hpp"
#include "fuzz_targets.hpp"
#include "gateway/request_parser.hpp"

#include <boost/beast/core/flat_buffer.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace checkin::fuzz {
namespace {

using gateway::beast::error_code;
namespace http = gateway::http;
namespace beast = gateway::beast;

constexpr std::size_t max_requests_per_input = 8;

// One connection's bytes, handed out `read_size` at a time as socket reads would.
class wire {
 public:
  wire(std::string_view input, std::size_t read_size) : input_(input), read_size_(read_size) {}

  beast::flat_buffer buffer;

  // Appends the next read to the buffer; false at the end of the input (the peer's EOF).
  bool read_some() {
    if (pos_ == input_.size()) return false;
    const std::size_t n = std::min(read_size_, input_.size() - pos_);
    auto room = buffer.prepare(n);
    std::memcpy(room.data(), input_.data() + pos_, n);
    buffer.commit(n);
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool exhausted() const noexcept {
    return pos_ == input_.size() && buffer.size() == 0;
  }

 private:
  std::string_view input_;
  std::size_t read_size_;
  std::size_t pos_ = 0;
};

// Until the parser has the header (`whole` false) or the whole message, or an error.
error_code read(wire& w, gateway::request_parser& parser, bool whole) {
  const auto complete = [&] { return whole ? parser.is_done() : parser.is_header_done(); };
  for (;;) {
    if (complete()) return {};
    if (w.buffer.size() > 0) {
      error_code ec;
      const std::size_t used = parser.put(w.buffer.data(), ec);
      w.buffer.consume(used);
      if (!ec && used > 0) continue;  // progress: parse what is left, or stop when complete
      if (ec && ec != http::error::need_more) return ec;
      // need_more (or nothing used): more bytes must be appended before the next put().
    }
    if (!w.read_some()) {
      if (!parser.got_some()) return http::error::end_of_stream;
      error_code eof;
      parser.put_eof(eof);
      if (eof) return eof;
      return complete() ? error_code{} : error_code{http::error::partial_message};
    }
  }
}

std::size_t read_size_for(std::string_view input) {
  // FNV-1a: deterministic, so a finding replays with the same split.
  std::uint32_t h = 2166136261u;
  for (const char c : input) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  static constexpr std::array<std::size_t, 6> sizes{64 * 1024, 1, 3, 17, 100, 1024};
  return sizes[h % sizes.size()];
}

}  // namespace

int fuzz_http(const std::uint8_t* data, std::size_t size) {
  auto& rig = http_rig::instance();
  // FUZZ_HTTP_TRACE=1: each request's method, target and answer's status on stderr, to see
  // what a seed or a finding reaches.
  static const bool trace = std::getenv("FUZZ_HTTP_TRACE") != nullptr;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  wire w(input, read_size_for(input));
  const auto& limits = rig.config.limits;
  std::string out;

  for (std::size_t k = 0; k < max_requests_per_input && !w.exhausted(); ++k) {
    // As server.cpp's serve(): the arena before the parser, so it outlives the request.
    gateway::request_arena arena;
    const gateway::request_allocator<char> in_arena{&arena};
    gateway::request_parser parser{std::piecewise_construct, std::make_tuple(in_arena),
                                   std::make_tuple(in_arena)};
    gateway::configure_request_parser(parser, limits);

    auto ec = read(w, parser, false);
    if (!ec && !parser.is_done()) ec = read(w, parser, true);  // (a 100 Continue goes here)
    if (ec) return 0;  // the server answers 431/413/400 or just closes: the connection ends

    const auto req = parser.release();
    const std::string_view target = req.target();
    const auto q = target.find('?');
    gateway::request_context ctx{
        req,
        "192.0.2.10",
        {},
        target.substr(0, q),
        q == std::string_view::npos ? std::string_view{} : target.substr(q + 1),
        {}};
    auto handled = rig.handle(ctx);
    if (!handled.answer) {
      std::fprintf(stderr, "gateway_app::handle threw: %s\n", handled.failure.c_str());
      FUZZ_CHECK(!"handle() threw: the server would answer a bare 500");
    }
    auto& res = *handled.answer;
    if (trace) {
      std::fprintf(stderr, "fuzz_http: %.*s %.*s -> %u\n",
                   static_cast<int>(req.method_string().size()), req.method_string().data(),
                   static_cast<int>(target.size()), target.data(), res.result_int());
    }
    FUZZ_CHECK(res.result_int() >= 100 && res.result_int() <= 599);
    const bool keep_alive = req.keep_alive();
    res.keep_alive(keep_alive);
    if (!res.chunked()) {
      gateway::serialize_response(res, out);
      FUZZ_CHECK(out.size() >= res.body().size());
    }
    rig.app.on_response(ctx, res, std::chrono::microseconds{1});
    if (!keep_alive) break;
  }
  return 0;
}

}  // namespace checkin::fuzz
