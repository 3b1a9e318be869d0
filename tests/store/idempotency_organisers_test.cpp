// store/idempotency.hpp and store/organisers.hpp against a real PostgreSQL.
#include <gtest/gtest.h>

#include "store/idempotency.hpp"
#include "store/organisers.hpp"
#include "support/store_suite.hpp"

namespace convene::testing {
namespace {

namespace idempotency = store::idempotency;
namespace organisers = store::organisers;

const Instant kNow = utc_instant(2030, 1, 1, 9);

using StoreIdempotency = StoreSuite<"convene_st_idempotency">;

TEST_F(StoreIdempotency, AKeyIsClaimedOnceThenFoundWithItsAnswer) {
  const Sha256 key = sha256("key one"), request = sha256("body one");
  EXPECT_TRUE(store->transact([&](store::Tx& tx) { return idempotency::claim(tx, key, request, kNow); }));
  EXPECT_FALSE(store->transact([&](store::Tx& tx) { return idempotency::claim(tx, key, sha256("body two"), kNow); }));
  auto found = store->transact([&](store::Tx& tx) { return idempotency::find(tx, key); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->request_hash, request);  // the first request's, not the second's
  EXPECT_FALSE(found->completed);            // the first request is still in flight
  EXPECT_FALSE(found->sealed_answer);

  // The answer is stored as bytes, whatever they are.
  const std::string answer("sealed\0answer\xff", 14);
  const std::int64_t registration = store->transact([&](store::Tx& tx) {
    const Event event = insert_event(tx, event_named("idempotent", 1));
    return insert_registration(tx, event, "idem@example.org", kNow).id;
  });
  store->transact([&](store::Tx& tx) { idempotency::complete(tx, key, answer, registration); });
  found = store->transact([&](store::Tx& tx) { return idempotency::find(tx, key); });
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->completed);
  EXPECT_EQ(found->sealed_answer, answer);
  EXPECT_FALSE(store->transact([&](store::Tx& tx) { return idempotency::find(tx, sha256("never used")); }));
}

// Records live kIdempotencyKeyLifetime (24 h): older ones are purged, a few at a time, and their keys
// may be claimed anew.
TEST_F(StoreIdempotency, RecordsOlderThanTheirLifetimeArePurgedAndTheirKeysFreed) {
  const auto age = [&](const std::string& key, const char* interval) {
    store->autocommit([&](store::Tx& tx) {
      // Ages on the service's clock, which stamps the records and purges them.
      store::sql(tx).exec_params("UPDATE idempotency_keys SET created_at = to_timestamp($3) - $2::interval "
                                 "WHERE key_hash = decode($1, 'hex')",
                                 to_hex(sha256(key)), std::string(interval),
                                 static_cast<long long>(kNow.time_since_epoch().count()));
    });
  };
  for (const char* key : {"old one", "old two", "old three", "young"})
    ASSERT_TRUE(store->transact([&](store::Tx& tx) { return idempotency::claim(tx, sha256(key), sha256("body"), kNow); }));
  age("old one", "25 hours");
  age("old two", "2 days");
  age("old three", "24 hours 1 minute");
  age("young", "23 hours 59 minutes");
  const auto purge = [&](int limit) {
    return store->transact([&](store::Tx& tx) { return idempotency::purge(tx, kNow, limit); });
  };
  EXPECT_EQ(purge(2), 2);
  EXPECT_EQ(purge(100), 1);
  EXPECT_EQ(purge(100), 0);
  EXPECT_TRUE(store->transact([&](store::Tx& tx) { return idempotency::find(tx, sha256("young")); }));
  // A record past its lifetime that the purge has not reached yet does not hold its key.
  age("young", "25 hours");
  EXPECT_TRUE(store->transact([&](store::Tx& tx) { return idempotency::claim(tx, sha256("young"), sha256("new"), kNow); }));
  EXPECT_EQ(store->transact([&](store::Tx& tx) { return idempotency::find(tx, sha256("young")); })->request_hash,
            sha256("new"));
}

using StoreOrganisers = StoreSuite<"convene_st_organisers">;

TEST_F(StoreOrganisers, RightsFollowGrantsAndEndWithRevocation) {
  struct Expected {
    const char* token;
    const char* slug;
    std::optional<bool> all_events, has_event;  // nullopt: no live token
  };
  store->transact([&](store::Tx& tx) {
    insert_event(tx, event_named("org-a", 1));
    const Event b = insert_event(tx, event_named("org-b", 1));
    const auto scoped = organisers::insert(tx, "Scoped@Example.org", sha256("scoped"), false);
    EXPECT_TRUE(organisers::grant(tx, scoped, "org-a"));
    EXPECT_TRUE(organisers::grant(tx, scoped, "org-a"));  // again: nothing changes
    EXPECT_FALSE(organisers::grant(tx, scoped, "no-such-event"));
    organisers::insert(tx, "all@example.org", sha256("all"), true);
    const auto other = organisers::insert(tx, "scoped@example.org", sha256("second token"), false);
    organisers::grant(tx, other, b.id);
  });
  const Expected before[] = {
      {"scoped", "org-a", false, true}, {"scoped", "org-b", false, false}, {"scoped", "", false, false},
      {"all", "org-b", true, false},    {"second token", "org-b", false, true}, {"second token", "org-a", false, false},
      {"unknown", "org-a", {}, {}},
  };
  for (const auto& e : before) {
    SCOPED_TRACE(std::string(e.token) + " on " + e.slug);
    const auto grant =
        store->transact([&](store::Tx& tx) { return organisers::by_token_hash(tx, sha256(e.token), e.slug); });
    ASSERT_EQ(grant.has_value(), e.all_events.has_value());
    if (!grant) continue;
    EXPECT_EQ(grant->all_events, *e.all_events);
    EXPECT_EQ(grant->has_event, *e.has_event);
  }
  EXPECT_EQ(store->transact([&](store::Tx& tx) { return organisers::revoke(tx, "SCOPED@example.org"); }), 2);
  EXPECT_EQ(store->transact([&](store::Tx& tx) { return organisers::revoke(tx, "scoped@example.org"); }), 0);
  EXPECT_FALSE(
      store->transact([&](store::Tx& tx) { return organisers::by_token_hash(tx, sha256("scoped"), "org-a"); }));
  EXPECT_TRUE(store->transact([&](store::Tx& tx) { return organisers::by_token_hash(tx, sha256("all"), "org-a"); }));
}

}  // namespace
}  // namespace convene::testing
