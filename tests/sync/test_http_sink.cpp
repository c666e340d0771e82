// The webhook sink against a real receiver process that verifies signatures, stores batches
// durably and injects faults. One attempt per deliver(): these tests check how each outcome is
// classified, and that however the attempts go, the receiver ends with each batch exactly once.

#include "gateway/sync/batch_json.hpp"
#include "gateway/sync/http_sink.hpp"
#include "receiver_process.hpp"
#include "support/test_files.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <thread>

namespace checkin::gateway::sync {
namespace {

using namespace std::chrono;
using testing::receiver_options;
using testing::receiver_process;
using testing::temp_dir;
namespace json = boost::json;

// For attempts meant to time out; everything else gets a generous deadline, because the
// receiver fsyncs each batch and a loaded test machine must not turn that into a retry.
constexpr milliseconds short_timeout{300};
constexpr milliseconds normal_timeout{3000};

store::sealed_batch make_batch(const std::string& session_id, int members) {
  store::sealed_batch b;
  auto& h = b.header;
  h.batch_id = "TEST2026/" + session_id + "/1";
  h.meeting_id = "TEST2026";
  h.meeting_name = "テスト学会 2026";
  h.session_id = session_id;
  h.session_title = "教育講演 " + session_id;
  h.kind = tokens::credit_kind::education;
  h.units = tokens::credit_units{150};
  h.sealed_at = sys_days{2026y / November / 21} + hours{3};
  for (int i = 0; i < members; ++i) {
    store::scan_record r;
    r.member = {std::to_string(1000 + i)};
    r.scanned_at = r.recorded_at = h.sealed_at - minutes{60 - i};
    r.sequence = static_cast<std::uint64_t>(i + 1);
    b.entries.push_back(r);
  }
  h.entry_count = static_cast<std::uint32_t>(members);
  return b;
}

http_sink_options options_for(std::string url, std::string secret, milliseconds timeout) {
  http_sink_options o;
  o.url = std::move(url);
  o.secret = std::move(secret);
  o.connect_timeout = o.request_timeout = timeout;
  return o;
}

std::unique_ptr<sink> sink_to(const receiver_process& r, milliseconds timeout = normal_timeout,
                              std::optional<std::string> secret = {}) {
  return make_http_sink(options_for(r.url(), secret.value_or(r.secret()), timeout));
}

std::uint64_t stat(receiver_process& r, const char* name) {
  return r.stats().at(name).to_number<std::uint64_t>();
}

class HttpSink : public ::testing::Test {
 protected:
  temp_dir state_{"checkin-receiver"};
  receiver_process receiver_{state_.path()};
  store::sealed_batch batch_ = make_batch("S01", 3);

  // The receiver holds exactly `batch`, byte for byte, and nothing else.
  void expect_holds_only(const store::sealed_batch& batch) {
    const auto stored = receiver_.stored_batches();
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored.begin()->first, batch.header.batch_id);
    EXPECT_EQ(stored.begin()->second, batch_to_json(batch));
  }
};

TEST_F(HttpSink, DeliversASignedBatchWithTheDocumentedHeaders) {
  const auto r = sink_to(receiver_)->deliver(batch_);
  EXPECT_EQ(r.status, delivery_status::delivered);
  EXPECT_EQ(r.detail, "acknowledged (HTTP 200)");
  expect_holds_only(batch_);

  const auto last = receiver_.last_request();
  EXPECT_EQ(last.at("target").as_string(), "/hook");
  const auto& h = last.at("headers").as_object();
  EXPECT_EQ(h.at("content-type").as_string(), "application/json; charset=utf-8");
  EXPECT_EQ(h.at("idempotency-key").as_string(), "TEST2026/S01/1");
  EXPECT_EQ(h.at("user-agent").as_string(), "checkin-gateway");
  EXPECT_EQ(h.at("host").as_string(), "127.0.0.1:" + std::to_string(receiver_.port()));
  const std::string sig(h.at("x-checkin-signature").as_string());
  EXPECT_EQ(sig.rfind("t=", 0), 0u) << sig;
  EXPECT_NE(sig.find(",v1="), std::string::npos) << sig;
}

TEST_F(HttpSink, WrongSecretIsRefusedAndParked) {
  const auto r = sink_to(receiver_, normal_timeout, "not-the-secret")->deliver(batch_);
  EXPECT_EQ(r.status, delivery_status::failed);
  EXPECT_EQ(r.detail.rfind("HTTP 401", 0), 0u) << r.detail;
  EXPECT_TRUE(receiver_.stored_batches().empty());
  EXPECT_EQ(stat(receiver_, "rejected"), 1u);
}

TEST_F(HttpSink, RedeliveryIsAcknowledgedAsADuplicate) {
  const auto s = sink_to(receiver_);
  EXPECT_EQ(s->deliver(batch_).status, delivery_status::delivered);
  const auto again = s->deliver(batch_);
  EXPECT_EQ(again.status, delivery_status::delivered);
  EXPECT_EQ(again.detail, "already delivered (HTTP 409)");
  expect_holds_only(batch_);
  EXPECT_EQ(stat(receiver_, "duplicates"), 1u);
}

TEST(HttpSinkReceiverModes, DuplicateAnsweredWith200IsDelivered) {
  temp_dir state("checkin-receiver");
  receiver_process receiver(state.path(), receiver_options{.duplicate_status = 200});
  const auto s = sink_to(receiver);
  const auto batch = make_batch("S02", 1);
  EXPECT_EQ(s->deliver(batch).status, delivery_status::delivered);
  const auto again = s->deliver(batch);
  EXPECT_EQ(again.status, delivery_status::delivered);
  EXPECT_EQ(again.detail, "acknowledged (HTTP 200)");
  EXPECT_EQ(receiver.stored_batches().size(), 1u);
  EXPECT_EQ(stat(receiver, "duplicates"), 1u);
}

TEST_F(HttpSink, ServerErrorsAndThrottlingAreRetried) {
  const auto s = sink_to(receiver_);
  for (unsigned status : {500u, 503u, 429u, 408u}) {
    receiver_.fail_next(status);
    const auto r = s->deliver(batch_);
    EXPECT_EQ(r.status, delivery_status::retry) << status;
    EXPECT_EQ(r.detail, "HTTP " + std::to_string(status) + R"( {"error":"injected fault"})");
  }
  EXPECT_TRUE(receiver_.stored_batches().empty());
  EXPECT_EQ(s->deliver(batch_).status, delivery_status::delivered);
  expect_holds_only(batch_);
}

TEST_F(HttpSink, ClientErrorsAndRedirectsAreParked) {
  const auto s = sink_to(receiver_);
  for (unsigned status : {400u, 422u}) {
    receiver_.fail_next(status);
    const auto r = s->deliver(batch_);
    EXPECT_EQ(r.status, delivery_status::failed) << status;
    EXPECT_EQ(r.detail.rfind("HTTP " + std::to_string(status), 0), 0u) << r.detail;
  }
  receiver_.fail_next(302);
  const auto moved = s->deliver(batch_);
  EXPECT_EQ(moved.status, delivery_status::failed);
  EXPECT_EQ(moved.detail, "HTTP 302 redirect not followed (Location: /elsewhere)");
  EXPECT_TRUE(receiver_.stored_batches().empty());
}

TEST_F(HttpSink, SlowAnswerPastTheDeadlineIsRetriedAndEndsAsOneCopy) {
  receiver_.slow_next(milliseconds{600});
  const auto started = steady_clock::now();
  const auto r = sink_to(receiver_, short_timeout)->deliver(batch_);
  EXPECT_LT(steady_clock::now() - started, milliseconds{550});
  EXPECT_EQ(r.status, delivery_status::retry);
  EXPECT_EQ(r.detail, "timed out after 300ms (read)");
  // The receiver stores the slow request when it wakes, whether or not the retry beat it.
  EXPECT_EQ(sink_to(receiver_)->deliver(batch_).status, delivery_status::delivered);
  std::this_thread::sleep_for(milliseconds{400});
  expect_holds_only(batch_);
  EXPECT_EQ(stat(receiver_, "accepted"), 1u);
}

TEST_F(HttpSink, SlowAnswerWithinTheDeadlineIsDelivered) {
  receiver_.slow_next(milliseconds{400});  // past short_timeout, within the sink's own
  EXPECT_EQ(sink_to(receiver_)->deliver(batch_).status, delivery_status::delivered);
  expect_holds_only(batch_);
}

TEST_F(HttpSink, HangingReceiverIsRetried) {
  receiver_.hang_next();
  const auto r = sink_to(receiver_, short_timeout)->deliver(batch_);
  EXPECT_EQ(r.status, delivery_status::retry);
  EXPECT_EQ(r.detail, "timed out after 300ms (read)");
  EXPECT_TRUE(receiver_.stored_batches().empty());
}

TEST_F(HttpSink, DroppedConnectionIsRetried) {
  const auto s = sink_to(receiver_);
  receiver_.drop_next();
  const auto r = s->deliver(batch_);
  EXPECT_EQ(r.status, delivery_status::retry);
  EXPECT_EQ(r.detail, "connection closed by the receiver without an answer (read)");
  EXPECT_TRUE(receiver_.stored_batches().empty());
  EXPECT_EQ(s->deliver(batch_).status, delivery_status::delivered);
  expect_holds_only(batch_);
}

TEST_F(HttpSink, ConnectionRefusedIsRetried) {
  const auto s = sink_to(receiver_);
  EXPECT_EQ(receiver_.stop(), 0);
  const auto r = s->deliver(batch_);
  EXPECT_EQ(r.status, delivery_status::retry);
  EXPECT_EQ(r.detail, "connection refused");
}

TEST_F(HttpSink, LostAcknowledgementTurnsTheRetryIntoADuplicate) {
  const auto s = sink_to(receiver_);
  receiver_.accept_then_drop_next();
  EXPECT_EQ(s->deliver(batch_).status, delivery_status::retry);
  expect_holds_only(batch_);  // committed before the connection dropped
  const auto again = s->deliver(batch_);
  EXPECT_EQ(again.status, delivery_status::delivered);
  EXPECT_EQ(again.detail, "already delivered (HTTP 409)");
  expect_holds_only(batch_);
  EXPECT_EQ(stat(receiver_, "duplicates"), 1u);
}

TEST_F(HttpSink, ReceiverKilledAndRestartedKeepsItsState) {
  const auto s = sink_to(receiver_);
  const auto other = make_batch("S09", 2);
  EXPECT_EQ(s->deliver(batch_).status, delivery_status::delivered);
  receiver_.kill9();
  EXPECT_EQ(s->deliver(other).status, delivery_status::retry);
  receiver_.start();  // same port, same state directory: the sink's URL still works
  EXPECT_EQ(s->deliver(batch_).detail, "already delivered (HTTP 409)");
  EXPECT_EQ(s->deliver(other).detail, "acknowledged (HTTP 200)");
  const auto stored = receiver_.stored_batches();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored.at(other.header.batch_id), batch_to_json(other));
  EXPECT_EQ(stat(receiver_, "accepted"), 2u);
  EXPECT_EQ(stat(receiver_, "duplicates"), 1u);
}

// Many batches through random 500s, drops and slow answers, and a receiver restart halfway:
// retrying each until delivered leaves exactly one copy of each.
TEST(HttpSinkSoak, RandomFaultsAndARestartLeaveEachBatchOnce) {
  temp_dir state("checkin-receiver");
  receiver_process receiver(
      state.path(),
      receiver_options{.extra_args = {"--fault-rate", "0.3", "--seed", "42", "--slow-ms", "400"}});
  // Short deadlines: slow answers (400 ms) time out and come back as duplicates.
  const auto s = sink_to(receiver, short_timeout);
  std::vector<store::sealed_batch> batches;
  for (int i = 0; i < 24; ++i) batches.push_back(make_batch("S" + std::to_string(i), 1 + i % 4));

  int retries = 0;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    if (i == batches.size() / 2) receiver.restart();
    int attempts = 0;
    for (delivery_result r; r.status != delivery_status::delivered; ++attempts) {
      ASSERT_LT(attempts, 30) << "batch " << i << " never delivered";
      r = s->deliver(batches[i]);
      ASSERT_NE(r.status, delivery_status::failed) << r.detail;
    }
    retries += attempts - 1;
  }
  std::this_thread::sleep_for(milliseconds{500});  // let slow requests still held finish
  const auto stored = receiver.stored_batches();
  ASSERT_EQ(stored.size(), batches.size());
  for (const auto& b : batches) EXPECT_EQ(stored.at(b.header.batch_id), batch_to_json(b));
  EXPECT_GT(retries, 0);
  EXPECT_EQ(stat(receiver, "accepted"), batches.size());
}

class HttpsSink : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::make_test_certificate(certs_.path())) GTEST_SKIP() << "no openssl command";
  }
  temp_dir certs_{"checkin-certs"};
  temp_dir state_{"checkin-receiver"};

  std::unique_ptr<receiver_process> start_receiver(const std::filesystem::path& dir) {
    return std::make_unique<receiver_process>(
        state_.path(), receiver_options{.tls_cert = dir / "cert.pem", .tls_key = dir / "key.pem"});
  }
  static std::unique_ptr<sink> sink_at(const std::string& url, const receiver_process& r,
                                       std::optional<std::filesystem::path> ca) {
    auto o = options_for(url, r.secret(), normal_timeout);
    o.ca_file = std::move(ca);
    return make_http_sink(std::move(o));
  }
};

TEST_F(HttpsSink, VerifiesTheReceiverAgainstTheConfiguredCa) {
  const auto receiver = start_receiver(certs_.path());
  const auto ca = certs_.path() / "cert.pem";
  const auto batch = make_batch("S01", 2);
  EXPECT_EQ(receiver->url().rfind("https://", 0), 0u);
  const auto by_ip = sink_at(receiver->url(), *receiver, ca)->deliver(batch);
  EXPECT_EQ(by_ip.detail, "acknowledged (HTTP 200)");
  // By name: SNI is sent and the certificate's DNS name is checked.
  const std::string by_name_url = "https://localhost:" + std::to_string(receiver->port()) + "/hook";
  EXPECT_EQ(sink_at(by_name_url, *receiver, ca)->deliver(batch).detail,
            "already delivered (HTTP 409)");
  // The system store does not know this self-signed certificate.
  const auto untrusted = sink_at(receiver->url(), *receiver, std::nullopt)->deliver(batch);
  EXPECT_EQ(untrusted.status, delivery_status::retry);
  EXPECT_NE(untrusted.detail.find("tls handshake failed"), std::string::npos) << untrusted.detail;
  EXPECT_EQ(receiver->stored_batches().size(), 1u);
}

TEST_F(HttpsSink, RefusesACertificateForAnotherHost) {
  temp_dir other("checkin-certs");
  ASSERT_TRUE(testing::make_test_certificate(other.path(), "DNS:other.example"));
  const auto receiver = start_receiver(other.path());
  const auto r =
      sink_at(receiver->url(), *receiver, other.path() / "cert.pem")->deliver(make_batch("S01", 1));
  EXPECT_EQ(r.status, delivery_status::retry);
  EXPECT_NE(r.detail.find("tls handshake failed"), std::string::npos) << r.detail;
  EXPECT_TRUE(receiver->stored_batches().empty());
}

}  // namespace
}  // namespace checkin::gateway::sync
