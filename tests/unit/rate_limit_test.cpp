// GCRA rate limits, their configuration syntax, and the client key behind proxies.
#include <gtest/gtest.h>

#include "convene/rate_limit.hpp"

namespace convene {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const SteadyTime t0 = SteadyTime{} + std::chrono::hours(1000);

TEST(ParseRateLimit, ReadsCountsAndPeriods) {
  EXPECT_EQ(parse_rate_limit("300/min"), (RateLimit{300, minutes(1)}));
  EXPECT_EQ(parse_rate_limit("5/10min"), (RateLimit{5, minutes(10)}));
  EXPECT_EQ(parse_rate_limit("20/s"), (RateLimit{20, seconds(1)}));
  EXPECT_EQ(parse_rate_limit("50/30s"), (RateLimit{50, seconds(30)}));
  EXPECT_EQ(parse_rate_limit(" 1000/h "), (RateLimit{1000, std::chrono::hours(1)}));
  EXPECT_FALSE(parse_rate_limit("off")->enabled());
  EXPECT_FALSE(parse_rate_limit("0")->enabled());
}

TEST(ParseRateLimit, RefusesWhatItCannotRead) {
  for (const char* text : {"", "300", "300/", "/min", "0/min", "-3/min", "3/0min", "3/minute", "3/d", "ten/min",
                           "3.5/min", "3/min/x", "9999999/min"}) {
    const auto parsed = parse_rate_limit(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_NE(parsed.error().find("300/min"), std::string::npos) << "the error shows an example";
  }
}

TEST(ParseRateLimit, FormatsBackToTheSameText) {
  for (const char* text : {"300/min", "5/10min", "20/s", "50/30s", "1000/h", "7/2h", "off"}) {
    EXPECT_EQ(format_rate_limit(*parse_rate_limit(text)), text);
  }
}

TEST(Gcra, AdmitsTheWholeBurstAtOnceThenRefuses) {
  const RateLimit limit{5, minutes(1)};
  SteadyTime tat{};
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(admit(limit, tat, t0).allowed) << i;
  const auto refused = admit(limit, tat, t0);
  EXPECT_FALSE(refused.allowed);
  // One request's worth of allowance comes back after period/count = 12 s.
  EXPECT_EQ(refused.retry_after, seconds(12));
  EXPECT_EQ(refused.retry_after_seconds(), 12);
}

TEST(Gcra, ARefusalSpendsNothing) {
  const RateLimit limit{2, seconds(10)};
  SteadyTime tat{};
  admit(limit, tat, t0);
  admit(limit, tat, t0);
  const SteadyTime before = tat;
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(admit(limit, tat, t0 + seconds(1)).allowed);
  EXPECT_EQ(tat, before);
  EXPECT_TRUE(admit(limit, tat, t0 + seconds(5)).allowed);
}

TEST(Gcra, AdmitsTheSteadyRateForever) {
  const RateLimit limit{10, seconds(1)};  // one every 100 ms
  SteadyTime tat{};
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(admit(limit, tat, t0).allowed);
  for (int i = 1; i <= 1000; ++i) {
    ASSERT_TRUE(admit(limit, tat, t0 + milliseconds(100 * i)).allowed) << i;
    ASSERT_FALSE(admit(limit, tat, t0 + milliseconds(100 * i)).allowed) << i;
  }
}

TEST(Gcra, AQuietKeyRecoversItsWholeBurst) {
  const RateLimit limit{3, minutes(1)};
  SteadyTime tat{};
  for (int i = 0; i < 3; ++i) admit(limit, tat, t0);
  int admitted = 0;
  while (admitted < 100 && admit(limit, tat, t0 + minutes(5)).allowed) ++admitted;
  EXPECT_EQ(admitted, 3);  // never more than the burst, however long the pause
}

TEST(Gcra, PeekDecidesLikeAdmitWithoutSpending) {
  const RateLimit limit{2, minutes(1)};
  SteadyTime tat{};
  EXPECT_TRUE(peek(limit, tat, t0).allowed);
  EXPECT_EQ(tat, SteadyTime{});
  admit(limit, tat, t0);
  admit(limit, tat, t0);
  const auto peeked = peek(limit, tat, t0);
  SteadyTime copy = tat;
  const auto admitted = admit(limit, copy, t0);
  EXPECT_EQ(peeked.allowed, admitted.allowed);
  EXPECT_EQ(peeked.retry_after, admitted.retry_after);
}

TEST(Gcra, ADisabledLimitAdmitsEverything) {
  SteadyTime tat{};
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(admit(RateLimit{}, tat, t0).allowed);
  EXPECT_EQ(tat, SteadyTime{});
}

TEST(Gcra, RetryAfterIsRoundedUpToAWholeSecond) {
  EXPECT_EQ((RateDecision{false, milliseconds(1)}).retry_after_seconds(), 1);
  EXPECT_EQ((RateDecision{false, milliseconds(1001)}).retry_after_seconds(), 2);
  EXPECT_EQ((RateDecision{false, seconds(0)}).retry_after_seconds(), 1);
}

TEST(ClientKey, IsThePeerWithoutTrustedProxies) {
  EXPECT_EQ(client_key("203.0.113.9", std::nullopt, {}), "203.0.113.9");
  EXPECT_EQ(client_key("203.0.113.9", "198.51.100.1", {}), "203.0.113.9");  // a claim, not believed
}

TEST(ClientKey, BelievesForwardedForOnlyFromATrustedPeer) {
  const std::vector<std::string> trusted{"127.0.0.1", "10.0.0.2"};
  EXPECT_EQ(client_key("127.0.0.1", "203.0.113.9", trusted), "203.0.113.9");
  // Entries a client wrote itself come first; the hop our proxy added is the right-most.
  EXPECT_EQ(client_key("127.0.0.1", "1.2.3.4, 5.6.7.8, 203.0.113.9", trusted), "203.0.113.9");
  // Through two of our own proxies.
  EXPECT_EQ(client_key("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.0.0.2", trusted), "203.0.113.9");
  // An untrusted peer's header is ignored.
  EXPECT_EQ(client_key("192.0.2.7", "203.0.113.9", trusted), "192.0.2.7");
  // A chain of nothing but trusted hops: the left-most of them.
  EXPECT_EQ(client_key("127.0.0.1", "10.0.0.2", trusted), "10.0.0.2");
  EXPECT_EQ(client_key("127.0.0.1", " , ", trusted), "127.0.0.1");
}

TEST(ClientKey, TrustsProxiesByCidrBlock) {
  const std::vector<std::string> trusted{"172.16.0.0/12", "fd00::/8"};
  EXPECT_EQ(client_key("172.18.0.5", "203.0.113.9", trusted), "203.0.113.9");
  EXPECT_EQ(client_key("172.32.0.5", "203.0.113.9", trusted), "172.32.0.5");  // outside the /12
  EXPECT_EQ(client_key("fd12:3456::1", "203.0.113.9", trusted), "203.0.113.9");
  EXPECT_EQ(client_key("::ffff:172.20.1.1", "203.0.113.9", trusted), "203.0.113.9");
  EXPECT_EQ(client_key("127.0.0.1", "203.0.113.9", {"127.0.0.1/33"}), "127.0.0.1");  // a bad block trusts nothing
  EXPECT_EQ(client_key("10.1.2.3", "203.0.113.9", {"0.0.0.0/0"}), "203.0.113.9");
}

TEST(ClientKey, CountsIPv6ByTheSlash64) {
  EXPECT_EQ(client_key("2001:db8:1:2::5", std::nullopt, {}), "2001:db8:1:2::/64");
  EXPECT_EQ(client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", std::nullopt, {}), "2001:db8:1:2::/64");
  EXPECT_NE(client_key("2001:db8:1:3::5", std::nullopt, {}), client_key("2001:db8:1:2::5", std::nullopt, {}));
  EXPECT_EQ(client_key("::ffff:203.0.113.9", std::nullopt, {}), "203.0.113.9");
}

}  // namespace
}  // namespace convene
