// store/registrations.hpp against a real PostgreSQL: what the one-statement insert decides, and
// the lookups by token.
#include <gtest/gtest.h>

#include "store/events.hpp"
#include "store/seats.hpp"
#include "support/store_suite.hpp"

namespace convene::testing {
namespace {

using store::registrations::Inserted;
using store::registrations::Waitlisting;

const Instant kNow = utc_instant(2030, 1, 1, 9);

const char* outcome_name(Inserted::Outcome outcome) {
  switch (outcome) {
    case Inserted::inserted: return "inserted";
    case Inserted::already_registered: return "already_registered";
    case Inserted::event_changed: return "event_changed";
    case Inserted::no_seat: return "no_seat";
  }
  return "?";
}

using StoreRegistrations = StoreSuite<"convene_st_registrations">;

// One registration attempt after others: what the insert answers, and what it wrote.
TEST_F(StoreRegistrations, InsertDecidesInOneStatement) {
  struct Case {
    const char* slug;
    int capacity;
    bool requires_approval;
    std::vector<std::string> before;  // registered first, waitlisting allowed
    std::string email;
    Waitlisting waitlisting;
    bool stale_version;  // the caller checked its rules against an older version of the event
    Inserted::Outcome outcome;
    std::optional<RegistrationStatus> status;  // when inserted
    int free_after;
    int messages_queued;  // confirmations queued by this attempt
  };
  const Case cases[] = {
      {"ins-seat", 2, false, {}, "a@example.org", Waitlisting::refused, false, Inserted::inserted,
       RegistrationStatus::confirmed, 1, 1},
      {"ins-waitlisted", 1, false, {"b1@example.org"}, "b2@example.org", Waitlisting::allowed, false,
       Inserted::inserted, RegistrationStatus::waitlisted, 0, 1},
      {"ins-no-seat", 1, false, {"c1@example.org"}, "c2@example.org", Waitlisting::refused, false, Inserted::no_seat,
       std::nullopt, 0, 0},
      {"ins-approval", 1, true, {}, "d@example.org", Waitlisting::refused, false, Inserted::inserted,
       RegistrationStatus::pending, 1, 1},
      {"ins-again", 3, false, {"Sita.Sharma@Example.org"}, "sita.sharma@example.ORG", Waitlisting::allowed, false,
       Inserted::already_registered, std::nullopt, 2, 0},
      // With waitlisting refused too, the statement itself tells a known address from a full event.
      {"ins-again-refused", 3, false, {"g@example.org"}, "G@example.org", Waitlisting::refused, false,
       Inserted::already_registered, std::nullopt, 2, 0},
      {"ins-again-full", 1, false, {"e@example.org"}, "E@example.org", Waitlisting::allowed, false,
       Inserted::already_registered, std::nullopt, 0, 0},
      {"ins-stale", 3, false, {}, "f@example.org", Waitlisting::allowed, true, Inserted::event_changed, std::nullopt,
       3, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.slug);
    store->transact([&](store::Tx& tx) {
      Event wanted = event_named(c.slug, c.capacity);
      wanted.requires_approval = c.requires_approval;
      Event event = insert_event(tx, wanted);
      for (const auto& email : c.before)
        ASSERT_EQ(insert_registration(tx, event, email, kNow).outcome, Inserted::inserted) << email;
      if (c.stale_version) store::events::update(tx, event);  // version 2 now; the caller still has 1
      const long long queued_before =
          scalar(tx, "SELECT count(*) FROM outbox WHERE event_id = $1 AND kind = 'confirmation'", event.id);
      const Inserted inserted = insert_registration(tx, event, c.email, kNow, c.waitlisting);
      EXPECT_STREQ(outcome_name(inserted.outcome), outcome_name(c.outcome));
      if (c.status) {
        EXPECT_EQ(to_string(inserted.status), to_string(*c.status));
        EXPECT_GT(inserted.id, 0);
        EXPECT_EQ(scalar(tx, "SELECT count(*) FROM registrations WHERE id = $1 AND status = $2", inserted.id,
                         std::string(to_string(*c.status))),
                  1);
      }
      EXPECT_EQ(scalar(tx, "SELECT count(*) FROM free_seats WHERE event_id = $1", event.id), c.free_after);
      EXPECT_EQ(scalar(tx, "SELECT count(*) FROM outbox WHERE event_id = $1 AND kind = 'confirmation'", event.id) -
                    queued_before,
                c.messages_queued);
      EXPECT_EQ(scalar(tx, "SELECT count(*) FROM registrations WHERE event_id = $1", event.id),
                static_cast<long long>(c.before.size()) + (c.status ? 1 : 0));
    });
  }
}

// A batch (concurrent requests written together): one outcome per row, in order. Rows are matched
// to the free seats found, in order; a row beyond them is not written (no_seat: the request then goes
// its own way, which finds a seat left free, waitlists it or finds the duplicate); a known address,
// or one repeating an earlier row of the batch, is already_registered, and its seat stays free.
TEST_F(StoreRegistrations, ABatchTakesTheFreeSeatsThereAreAndTellsEachRowWhatBecameOfIt) {
  store->transact([&](store::Tx& tx) {
    const Event event = insert_event(tx, event_named("batch", 3));
    ASSERT_EQ(insert_registration(tx, event, "known@example.org", kNow).outcome, Inserted::inserted);
    const std::vector<std::string> emails = {"one@example.org", "Known@example.org", "two@example.org",
                                             "ONE@example.org", "three@example.org"};
    std::vector<RegistrationRequest> requests;
    for (const auto& e : emails) requests.push_back(registration_request(e));
    std::vector<store::registrations::NewRegistration> rows;
    for (std::size_t i = 0; i < requests.size(); ++i)
      rows.push_back({requests[i], event.zone, Language::fr, sha256("manage " + emails[i]), kNow});
    const auto outcomes = store::registrations::insert(tx, rows, event, 2, Waitlisting::refused, MessageKind::confirmation);
    ASSERT_EQ(outcomes.size(), rows.size());
    std::vector<std::string> names;
    for (const auto& o : outcomes) names.push_back(outcome_name(o.outcome));
    // Two seats were free, matched to one@ and known@; known@ is registered, so its seat stays free.
    EXPECT_EQ(names, (std::vector<std::string>{"inserted", "already_registered", "no_seat", "no_seat", "no_seat"}));
    EXPECT_EQ(outcomes[0].status, RegistrationStatus::confirmed);
    EXPECT_EQ(scalar(tx, "SELECT count(*) FROM free_seats WHERE event_id = $1", event.id), 1);
    EXPECT_EQ(scalar(tx, "SELECT count(*) FROM registrations WHERE event_id = $1 AND status = 'confirmed' "
                         "AND seat_no IS NOT NULL AND language = 'fr'",
                     event.id),
              1);
    EXPECT_EQ(scalar(tx, "SELECT count(DISTINCT seat_no) FROM registrations WHERE event_id = $1", event.id), 2);
    EXPECT_EQ(scalar(tx, "SELECT count(*) FROM outbox WHERE event_id = $1 AND kind = 'confirmation'", event.id), 2);
    // The manage token of a written row is its own.
    EXPECT_EQ(store::registrations::by_token_hash(tx, sha256("manage one@example.org"), false)->id, outcomes[0].id);

    // The rows not written, with waitlisting allowed: the seat left free is taken, the repeated
    // address refused, the last row waitlisted.
    const std::vector<store::registrations::NewRegistration> rest(rows.begin() + 2, rows.end());
    const auto again = store::registrations::insert(tx, rest, event, 1, Waitlisting::allowed, MessageKind::confirmation);
    std::vector<std::string> again_names;
    for (const auto& o : again) again_names.push_back(outcome_name(o.outcome));
    EXPECT_EQ(again_names, (std::vector<std::string>{"inserted", "already_registered", "inserted"}));
    EXPECT_EQ(again[0].status, RegistrationStatus::confirmed);
    EXPECT_EQ(again[2].status, RegistrationStatus::waitlisted);
    EXPECT_EQ(scalar(tx, "SELECT count(*) FROM free_seats WHERE event_id = $1", event.id), 0);

    // The same address twice in a batch with seats for both: written once, and the second seat stays free.
    const Event roomy = insert_event(tx, event_named("batch-twice", 4));
    const RegistrationRequest shouted = registration_request("One@Example.org");  // a row only refers to it
    const std::vector<store::registrations::NewRegistration> twice = {
        {requests[0], event.zone, Language::en, sha256("manage twice 1"), kNow},
        {shouted, event.zone, Language::en, sha256("manage twice 2"), kNow}};
    const auto twice_outcomes =
        store::registrations::insert(tx, twice, roomy, 1, Waitlisting::refused, MessageKind::confirmation);
    EXPECT_STREQ(outcome_name(twice_outcomes[0].outcome), "inserted");
    EXPECT_STREQ(outcome_name(twice_outcomes[1].outcome), "already_registered");
    EXPECT_EQ(scalar(tx, "SELECT count(*) FROM free_seats WHERE event_id = $1", roomy.id), 3);
    EXPECT_EQ(scalar(tx, "SELECT count(*) FROM outbox WHERE event_id = $1", roomy.id), 1);

    // An event changed since the rules were applied: nothing of the batch is written.
    Event stale = insert_event(tx, event_named("batch-stale", 5));
    store::events::update(tx, stale);
    const auto changed = store::registrations::insert(tx, std::span(rows).first(2), stale, 1, Waitlisting::refused,
                                                      MessageKind::confirmation);
    EXPECT_STREQ(outcome_name(changed[0].outcome), "event_changed");
    EXPECT_STREQ(outcome_name(changed[1].outcome), "event_changed");
    EXPECT_EQ(scalar(tx, "SELECT count(*) FROM registrations WHERE event_id = $1", stale.id), 0);
  });
}

// Seats are looked for from the batch's first seat to the end, then from the start: a batch of as
// many rows as seats takes every one of them whatever seat it starts from.
TEST_F(StoreRegistrations, ABatchWrapsAroundToTheSeatsBeforeItsFirst) {
  store->transact([&](store::Tx& tx) {
    const Event event = insert_event(tx, event_named("batch-wrap", 6));
    std::vector<RegistrationRequest> requests;
    std::vector<std::string> emails;
    for (int i = 0; i < 6; ++i) emails.push_back("wrap" + std::to_string(i) + "@example.org");
    for (const auto& e : emails) requests.push_back(registration_request(e));
    std::vector<store::registrations::NewRegistration> rows;
    for (std::size_t i = 0; i < requests.size(); ++i)
      rows.push_back({requests[i], event.zone, Language::en, sha256("manage " + emails[i]), kNow});
    const auto outcomes = store::registrations::insert(tx, rows, event, 5, Waitlisting::refused, MessageKind::confirmation);
    for (const auto& o : outcomes) EXPECT_STREQ(outcome_name(o.outcome), "inserted");
    EXPECT_EQ(scalar(tx, "SELECT count(*) FROM free_seats WHERE event_id = $1", event.id), 0);
  });
}

// The registration statement is planned once per connection, not on every execution: after its
// first five executions PostgreSQL keeps a generic plan only if that looks no costlier than those
// planned for their values, which a LIMIT passed as a parameter prevented (each batch was planned
// again, about half of what the statement cost). Batches of different sizes from different seats, as
// in a rush.
TEST_F(StoreRegistrations, TheInsertKeepsOneGenericPlanPerConnection) {
  store->transact([&](store::Tx& tx) {  // one transaction: one connection, whose session is asked
    // Seats enough that a tenth of them (what a plan assumes of a LIMIT it does not know) is far more
    // than a batch takes, and statistics that say so.
    const Event event = insert_event(tx, event_named("planned-once", 20'000));
    store::sql(tx).exec("ANALYZE free_seats");
    std::vector<RegistrationRequest> requests;
    std::vector<std::string> emails;
    for (int i = 0; i < 40; ++i) {
      emails.push_back("plan" + std::to_string(i) + "@example.org");
      requests.push_back(registration_request(emails.back()));
    }
    // The connection may have run the statement before (other cases): what changes is counted.
    auto plans = [&](const std::string& kind) {
      return scalar(tx, "SELECT coalesce((SELECT " + kind +
                            " FROM pg_prepared_statements WHERE name = 'insert_registration'), 0)");
    };
    const long long custom_before = plans("custom_plans"), generic_before = plans("generic_plans");
    std::size_t next = 0;
    for (int batch = 0; batch < 10; ++batch) {
      const std::size_t size = 1 + static_cast<std::size_t>(batch % 4);
      std::vector<store::registrations::NewRegistration> rows;
      for (std::size_t i = 0; i < size; ++i, ++next)
        rows.push_back({requests[next], event.zone, Language::en, sha256("manage " + emails[next]), kNow});
      const auto outcomes = store::registrations::insert(tx, rows, event, 1 + 17 * batch, Waitlisting::refused,
                                                         MessageKind::confirmation);
      for (const auto& outcome : outcomes) ASSERT_STREQ(outcome_name(outcome.outcome), "inserted");
    }
    // Planned for its values at most its first five times on this connection; the rest kept the plan.
    EXPECT_LE(plans("custom_plans") - custom_before, 5);
    EXPECT_GE(plans("generic_plans") - generic_before, 5) << "the statement was planned again for its values";
  });
}

TEST_F(StoreRegistrations, TheManageTokenFindsTheRegistrationAndItsEventVersion) {
  store->transact([&](store::Tx& tx) {
    const Event event = insert_event(tx, event_named("by-token", 5));
    const auto inserted = insert_registration(tx, event, "token@example.org", kNow);
    ASSERT_EQ(inserted.outcome, Inserted::inserted);
    const Sha256 hash = sha256("manage token@example.org");  // as insert_registration made it
    const auto found = store::registrations::by_token_hash(tx, hash, true);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, inserted.id);
    EXPECT_EQ(found->email, "token@example.org");
    EXPECT_EQ(found->status, RegistrationStatus::confirmed);
    EXPECT_EQ(found->created_at, kNow);
    const auto with_version = store::registrations::with_event_version(tx, hash);
    ASSERT_TRUE(with_version);
    EXPECT_EQ(with_version->event_slug, "by-token");
    EXPECT_EQ(with_version->event_version, 1);
    EXPECT_FALSE(store::registrations::by_token_hash(tx, sha256("nobody"), false));
    // A token minted for an e-mail opens the same registration.
    store::registrations::add_access_tokens(tx, {{inserted.id, TokenPurpose::manage, sha256("minted")}});
    const auto by_minted = store::registrations::by_token_hash(tx, sha256("minted"), false);
    ASSERT_TRUE(by_minted);
    EXPECT_EQ(by_minted->id, inserted.id);
  });
}

}  // namespace
}  // namespace convene::testing
