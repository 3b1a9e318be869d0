// The rules under which a rendered invite may be served from memory (app/invite_cache.hpp).
#include "app/invite_cache.hpp"

#include <gtest/gtest.h>

namespace convene::app {
namespace {

Sha256 token(int n) { return sha256("token-" + std::to_string(n)); }

RenderedInvite invite(std::int64_t registration_id, std::string body = "BEGIN:VCALENDAR\r\n",
                      std::int64_t event_version = 7) {
  return RenderedInvite{registration_id, "panel", event_version, ical::Method::request, "panel.ics", "W/\"tag\"",
                        std::move(body)};
}

// The event as the event cache would report it: at version 7 while listening.
std::optional<std::int64_t> event_at_7(const std::string&) { return 7; }

class InviteCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { cache.listening(true); }
  InviteCache cache{1 << 20};
};

TEST_F(InviteCacheTest, KeepsAndFindsPerToken) {
  cache.keep(token(1), invite(1, "one"), cache.ticket());
  cache.keep(token(2), invite(2, "two"), cache.ticket());
  ASSERT_NE(cache.find(token(1), event_at_7), nullptr);
  EXPECT_EQ(cache.find(token(1), event_at_7)->body, "one");
  EXPECT_EQ(cache.find(token(2), event_at_7)->body, "two");
  EXPECT_EQ(cache.find(token(3), event_at_7), nullptr);
  const auto figures = cache.figures();
  EXPECT_EQ(figures.hits, 3u);
  EXPECT_EQ(figures.misses, 1u);
  EXPECT_EQ(figures.entries, 2u);
}

TEST_F(InviteCacheTest, AnotherEventVersionIsAMiss) {
  cache.keep(token(1), invite(1, "old", 6), cache.ticket());
  EXPECT_EQ(cache.find(token(1), event_at_7), nullptr);
  // The event cache not trusting its copy (not listening, or no copy) is a miss too.
  cache.keep(token(2), invite(2), cache.ticket());
  EXPECT_EQ(cache.find(token(2), [](const std::string&) { return std::optional<std::int64_t>(); }), nullptr);
}

TEST_F(InviteCacheTest, AChangeDropsEveryTokenOfThatRegistrationOnly) {
  // A registration can have several manage tokens (one per e-mail sent).
  cache.keep(token(1), invite(1), cache.ticket());
  cache.keep(token(11), invite(1), cache.ticket());
  cache.keep(token(2), invite(2), cache.ticket());
  cache.changed({1});
  EXPECT_EQ(cache.find(token(1), event_at_7), nullptr);
  EXPECT_EQ(cache.find(token(11), event_at_7), nullptr);
  EXPECT_NE(cache.find(token(2), event_at_7), nullptr);
  EXPECT_EQ(cache.figures().entries, 1u);
}

TEST_F(InviteCacheTest, ACopyReadBeforeAChangeIsNotKept) {
  // A request reads the registration, a change commits and is reported, then the request tries to
  // keep what it read: that copy may show the registration before the change.
  const auto ticket = cache.ticket();
  cache.changed({99});  // any registration: the ticket does not know which one the read will be
  cache.keep(token(1), invite(1), ticket);
  EXPECT_EQ(cache.find(token(1), event_at_7), nullptr);
  cache.keep(token(1), invite(1), cache.ticket());
  EXPECT_NE(cache.find(token(1), event_at_7), nullptr);
}

TEST_F(InviteCacheTest, NothingIsKeptWhileNotListening) {
  cache.keep(token(1), invite(1), cache.ticket());
  cache.listening(false);
  EXPECT_EQ(cache.find(token(1), event_at_7), nullptr);
  cache.keep(token(2), invite(2), cache.ticket());
  EXPECT_EQ(cache.find(token(2), event_at_7), nullptr);
  EXPECT_EQ(cache.figures().entries, 0u);
}

TEST_F(InviteCacheTest, ReconnectingStartsAfresh) {
  // Notifications sent while the listener was away are lost: copies from before may be stale.
  const auto ticket = cache.ticket();
  cache.keep(token(1), invite(1), ticket);
  cache.listening(true);
  EXPECT_EQ(cache.find(token(1), event_at_7), nullptr);
  cache.keep(token(2), invite(2), ticket);  // read before the reconnection
  EXPECT_EQ(cache.find(token(2), event_at_7), nullptr);
}

TEST_F(InviteCacheTest, KeepsWithinItsBudgetOldestFirst) {
  InviteCache small(10'000);
  small.listening(true);
  const std::string body(2'000, 'x');
  for (int n = 0; n < 20; ++n) small.keep(token(n), invite(n, body), small.ticket());
  const auto figures = small.figures();
  EXPECT_LE(figures.bytes, 10'000u);
  EXPECT_GE(figures.entries, 3u);
  EXPECT_EQ(small.find(token(0), event_at_7), nullptr);
  EXPECT_NE(small.find(token(19), event_at_7), nullptr);
}

TEST_F(InviteCacheTest, ReplacingACopyCountsItsBytesOnce) {
  for (int round = 0; round < 10'000; ++round) cache.keep(token(1), invite(1, std::string(100, 'x')), cache.ticket());
  const auto figures = cache.figures();
  EXPECT_EQ(figures.entries, 1u);
  EXPECT_LT(figures.bytes, 1'000u);
  EXPECT_NE(cache.find(token(1), event_at_7), nullptr);
}

TEST_F(InviteCacheTest, ABudgetOfZeroKeepsNothing) {
  InviteCache off(0);
  off.listening(true);
  off.keep(token(1), invite(1), off.ticket());
  EXPECT_EQ(off.find(token(1), event_at_7), nullptr);
}

}  // namespace
}  // namespace convene::app
