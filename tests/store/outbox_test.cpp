// store/outbox.hpp against a real PostgreSQL: "queued once" under the unique key, claims that
// concurrent workers split between them (SKIP LOCKED), outcomes that only the holder of a claim may
// record, and claims given back.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "store/events.hpp"
#include "store/outbox.hpp"
#include "store/seats.hpp"
#include "support/store_suite.hpp"

namespace convene::testing {
namespace {

namespace outbox = store::outbox;
using std::chrono::minutes;
using std::chrono::seconds;

const Instant kNow = utc_instant(2030, 1, 1, 9);

class StoreOutbox : public StoreSuite<"convene_st_outbox"> {
 protected:
  // Claims reach every due message of the database: each case starts with an empty outbox.
  void SetUp() override {
    store->autocommit([](store::Tx& tx) { store::sql(tx).exec("DELETE FROM outbox"); });
  }

  // An event with `count` confirmed registrants (each with its confirmation queued, due at kNow).
  struct Registered {
    Event event;
    std::vector<std::int64_t> ids;
  };
  Registered registered(const std::string& slug, int count, int capacity = 10) {
    return store->transact([&](store::Tx& tx) {
      Registered out{insert_event(tx, event_named(slug, capacity))};
      for (int i = 0; i < count; ++i)
        out.ids.push_back(insert_registration(tx, out.event, slug + std::to_string(i) + "@example.org", kNow).id);
      return out;
    });
  }

  long long count(const std::string& where) {
    return store->autocommit([&](store::Tx& tx) { return scalar(tx, "SELECT count(*) FROM outbox WHERE " + where); });
  }

  std::vector<outbox::Claimed> claim(const std::string& worker, Instant at, int limit = 100) {
    return store->transact([&](store::Tx& tx) { return outbox::claim(tx, worker, at, seconds(60), limit); });
  }
};

std::set<std::int64_t> ids_of(const std::vector<outbox::Claimed>& claimed) {
  std::set<std::int64_t> ids;
  for (const auto& c : claimed) ids.insert(c.id);
  return ids;
}

TEST_F(StoreOutbox, AMessageIsQueuedOncePerKey) {
  const auto r = registered("once", 1);
  const std::int64_t id = r.ids[0];
  ASSERT_EQ(count("registration_id = " + std::to_string(id)), 1);  // the confirmation, queued at registration
  store->transact([&](store::Tx& tx) {
    const outbox::Message promotion{id, r.event.id, MessageKind::promotion};
    outbox::enqueue(tx, promotion, kNow);
    outbox::enqueue(tx, promotion, kNow + minutes(5));  // the same key: not queued again
    outbox::enqueue(tx, {id, r.event.id, MessageKind::confirmation}, kNow);  // sequence 0: queued already
    outbox::enqueue(tx, {id, r.event.id, MessageKind::confirmation, std::nullopt, 1}, kNow);  // a re-send
  });
  EXPECT_EQ(count("registration_id = " + std::to_string(id) + " AND kind = 'promotion'"), 1);
  EXPECT_EQ(count("registration_id = " + std::to_string(id) + " AND kind = 'confirmation'"), 2);
}

TEST_F(StoreOutbox, AnUpdateGoesOnceToEveryActiveRegistrant) {
  const auto r = registered("active", 4, 3);  // 3 confirmed, 1 waitlisted
  const auto sent = store->transact([&](store::Tx& tx) {
    const Instant starts = kNow + std::chrono::hours(24 * 30);
    const NewSession session{"Only", {WallTime{starts.time_since_epoch()}, TimeZone::utc(), Disambiguation::reject,
                                      minutes(60)},
                             starts};
    const Session stored = store::events::insert_session(tx, r.event.id, session);
    store::seats::release(tx, r.ids[0], RegistrationStatus::cancelled, kNow);
    const int first = outbox::enqueue_for_active_registrants(tx, r.event.id, MessageKind::update, stored.id, 1, kNow);
    const int again = outbox::enqueue_for_active_registrants(tx, r.event.id, MessageKind::update, stored.id, 1, kNow);
    return std::pair{first, again};
  });
  EXPECT_EQ(sent.first, 3);  // two confirmed and the waitlisted one; not the cancelled one
  EXPECT_EQ(sent.second, 0);
}

// Two workers claim at once: the second skips the rows the first has locked instead of waiting for
// its transaction, and gets the others.
TEST_F(StoreOutbox, ConcurrentWorkersClaimDisjointMessagesWithoutWaiting) {
  registered("claims", 5);
  std::promise<void> a_claimed, b_done;
  auto b_finished = b_done.get_future();
  std::vector<outbox::Claimed> by_a, by_b;
  bool b_finished_while_a_held_its_claims = false;
  {
    std::jthread worker_a([&] {
      store->transact([&](store::Tx& tx) {
        by_a = outbox::claim(tx, "worker-a", kNow, seconds(60), 3);
        a_claimed.set_value();
        // Hold the transaction (and its row locks) until worker b is done, or give up waiting (well
        // within the store's statement timeout of 5 s, which a waiting worker b would run into).
        b_finished_while_a_held_its_claims = b_finished.wait_for(seconds(2)) == std::future_status::ready;
      });
    });
    a_claimed.get_future().wait();
    by_b = claim("worker-b", kNow, 10);
    b_done.set_value();
  }
  EXPECT_TRUE(b_finished_while_a_held_its_claims) << "worker b waited for worker a's locks";
  EXPECT_EQ(by_a.size(), 3u);
  EXPECT_EQ(by_b.size(), 2u);
  std::set<std::int64_t> all = ids_of(by_a);
  for (const auto id : ids_of(by_b)) EXPECT_TRUE(all.insert(id).second) << "message " << id << " claimed twice";
  EXPECT_EQ(all.size(), 5u);
  EXPECT_EQ(count("status = 'sending' AND worker = 'worker-a'"), 3);
  EXPECT_EQ(count("status = 'sending' AND worker = 'worker-b'"), 2);
  for (const auto& c : by_b) EXPECT_EQ(c.attempts, 1);
  // Nothing more is due while the leases last.
  EXPECT_TRUE(claim("worker-c", kNow + seconds(59)).empty());
}

// A worker whose lease ran out has lost its claim: another took the message over, and only that one's
// outcome counts.
TEST_F(StoreOutbox, OnlyTheHolderOfTheClaimRecordsItsOutcome) {
  registered("takeover", 1);
  const auto first = claim("slow", kNow);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].kind, "confirmation");
  const auto second = claim("fast", kNow + seconds(61));  // the lease of 60 s has run out
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, first[0].id);
  EXPECT_EQ(second[0].attempts, 2);
  const auto record = [&](const std::string& worker, const outbox::Claimed& claimed, DeliveryStatus status) {
    return store->transact([&](store::Tx& tx) {
      return outbox::record(tx, worker, {{&claimed, status, kNow + minutes(10), "detail"}}, kNow + seconds(62));
    });
  };
  EXPECT_EQ(record("slow", first[0], DeliveryStatus::sent), 0);
  EXPECT_EQ(record("slow", second[0], DeliveryStatus::sent), 0);  // the right attempt, the wrong worker
  EXPECT_EQ(count("status = 'sending'"), 1);
  EXPECT_EQ(record("fast", second[0], DeliveryStatus::pending), 1);  // retry at kNow + 10 min
  EXPECT_EQ(count("status = 'pending' AND last_error = 'detail' AND lease_until IS NULL"), 1);
  EXPECT_TRUE(claim("fast", kNow + minutes(9)).empty());
  const auto third = claim("fast", kNow + minutes(10));
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(record("fast", third[0], DeliveryStatus::sent), 1);
  EXPECT_EQ(count("status = 'sent' AND last_error IS NULL AND attempts = 3"), 1);
  EXPECT_EQ(record("fast", third[0], DeliveryStatus::failed), 0);  // recorded already
}

TEST_F(StoreOutbox, ReleasedClaimsAreDueAgainAsIfNeverClaimed) {
  registered("release", 2);
  const auto claimed = claim("stopping", kNow);
  ASSERT_EQ(claimed.size(), 2u);
  store->transact([&](store::Tx& tx) { outbox::release(tx, "someone-else", claimed); });  // not theirs
  EXPECT_EQ(count("status = 'sending'"), 2);
  store->transact([&](store::Tx& tx) { outbox::release(tx, "stopping", claimed); });
  EXPECT_EQ(count("status = 'pending' AND attempts = 0 AND worker IS NULL AND lease_until IS NULL"), 2);
  const auto again = claim("next", kNow);
  EXPECT_EQ(ids_of(again), ids_of(claimed));
  for (const auto& c : again) EXPECT_EQ(c.attempts, 1);
}

// "Already registered" sends the confirmation again: at most once an hour per address and event.
TEST_F(StoreOutbox, AConfirmationIsResentAtMostHourly) {
  const auto r = registered("resend", 1);
  const auto resend = [&](const std::string& email, Instant at) {
    return store->autocommit(
        [&](store::Tx& tx) { return outbox::enqueue_confirmation_resend(tx, r.event.id, email, at); });
  };
  EXPECT_TRUE(resend("RESEND0@example.org", kNow));
  EXPECT_FALSE(resend("resend0@example.org", kNow + minutes(30)));
  EXPECT_FALSE(resend("resend0@example.org", kNow + minutes(60)));
  EXPECT_TRUE(resend("resend0@example.org", kNow + minutes(61)));
  EXPECT_FALSE(resend("nobody@example.org", kNow + minutes(200)));
  EXPECT_EQ(count("registration_id = " + std::to_string(r.ids[0]) + " AND kind = 'confirmation'"), 3);
}

}  // namespace
}  // namespace convene::testing
