// store/seats.hpp against a real PostgreSQL: seats added, released, given to the waitlist, claimed,
// taken beyond capacity and moved by a shrink, with exact counts of what the rows hold.
#include <gtest/gtest.h>

#include <map>

#include "store/seats.hpp"
#include "support/store_suite.hpp"

namespace convene::testing {
namespace {

using store::registrations::Inserted;
using store::registrations::Waitlisting;
namespace seats = store::seats;

const Instant kNow = utc_instant(2030, 1, 1, 9);

// What an event's seats are, straight from the rows.
struct Seats {
  int free = 0;       // rows of free_seats
  int held = 0;       // registrations holding a seat_no
  int confirmed = 0;  // registrations confirmed
  int waitlisted = 0;
  int free_and_held = 0;  // seat numbers both free and held (never)
  int max_free = 0, max_held = 0;
  friend bool operator==(const Seats&, const Seats&) = default;
};
std::ostream& operator<<(std::ostream& out, const Seats& s) {
  return out << "free " << s.free << ", held " << s.held << ", confirmed " << s.confirmed << ", waitlisted "
             << s.waitlisted << ", free and held " << s.free_and_held << ", highest free " << s.max_free
             << ", highest held " << s.max_held;
}

Seats seats_of(store::Tx& tx, std::int64_t event_id) {
  const auto row = store::sql(tx).exec_params1(R"sql(
      SELECT (SELECT count(*) FROM free_seats WHERE event_id = $1),
             (SELECT count(*) FROM registrations WHERE event_id = $1 AND seat_no IS NOT NULL),
             (SELECT count(*) FROM registrations WHERE event_id = $1 AND status = 'confirmed'),
             (SELECT count(*) FROM registrations WHERE event_id = $1 AND status = 'waitlisted'),
             (SELECT count(*) FROM free_seats f JOIN registrations r
                ON r.event_id = f.event_id AND r.seat_no = f.seat_no WHERE f.event_id = $1),
             (SELECT coalesce(max(seat_no), 0) FROM free_seats WHERE event_id = $1),
             (SELECT coalesce(max(seat_no), 0) FROM registrations WHERE event_id = $1))sql",
                                              event_id);
  return {row[0].as<int>(), row[1].as<int>(), row[2].as<int>(), row[3].as<int>(),
          row[4].as<int>(), row[5].as<int>(), row[6].as<int>()};
}

std::string status_of(store::Tx& tx, std::int64_t registration_id) {
  return store::sql(tx)
      .exec_params1("SELECT status FROM registrations WHERE id = $1", registration_id)[0]
      .as<std::string>();
}

// An event of `capacity` seats with `confirmed` registrants holding seats 1, 2, ... and `waiting`
// more on the waitlist (inserted without settling, as the fast path leaves them).
struct Filled {
  Event event;
  std::vector<std::int64_t> confirmed, waiting;
};
Filled filled(store::Tx& tx, const std::string& slug, int capacity, int confirmed, int waiting) {
  Filled out{insert_event(tx, event_named(slug, capacity))};
  for (int i = 0; i < confirmed + waiting; ++i) {
    const auto inserted = insert_registration(tx, out.event, slug + "-" + std::to_string(i) + "@example.org", kNow);
    EXPECT_EQ(inserted.outcome, Inserted::inserted);
    (inserted.status == RegistrationStatus::confirmed ? out.confirmed : out.waiting).push_back(inserted.id);
  }
  EXPECT_EQ(out.confirmed.size(), static_cast<std::size_t>(confirmed));
  return out;
}

using StoreSeats = StoreSuite<"convene_st_seats">;

TEST_F(StoreSeats, AddNumbersTheSeatsAndSkipsOnesAlreadyHeld) {
  store->transact([&](store::Tx& tx) {
    auto f = filled(tx, "add-seats", 2, 2, 1);
    EXPECT_EQ(seats_of(tx, f.event.id), (Seats{0, 2, 2, 1, 0, 0, 2}));
    seats::take_extra(tx, f.event.id, f.waiting[0], kNow);  // seat 3, beyond the capacity of 2
    EXPECT_EQ(seats_of(tx, f.event.id), (Seats{0, 3, 3, 0, 0, 0, 3}));
    seats::add(tx, f.event.id, 3, 5);  // capacity raised to 5: seat 3 is held, 4 and 5 are new
    EXPECT_EQ(seats_of(tx, f.event.id), (Seats{2, 3, 3, 0, 0, 5, 3}));
    seats::add(tx, f.event.id, 6, 5);  // an empty range adds nothing
    EXPECT_EQ(seats_of(tx, f.event.id).free, 2);
    EXPECT_EQ(seats::confirmed_count(tx, f.event.id), 3);
  });
}

// Released seats go to the oldest waitlisted registrants, one each.
TEST_F(StoreSeats, ReleasedSeatsGoToTheOldestOnTheWaitlist) {
  struct Case {
    const char* slug;
    int capacity, confirmed, waiting, released;
    int promoted;  // fill_from_waitlist's answer
    Seats after;
  };
  const Case cases[] = {
      {"release-one-of-two-waiting", 3, 3, 2, 1, 1, {0, 3, 3, 1, 0, 0, 3}},
      {"release-more-than-waiting", 3, 3, 2, 3, 2, {1, 2, 2, 0, 0, 3, 2}},
      {"release-nobody-waiting", 2, 2, 0, 1, 0, {1, 1, 1, 0, 0, 1, 2}},
      {"release-none", 1, 1, 2, 0, 0, {0, 1, 1, 2, 0, 0, 1}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.slug);
    store->transact([&](store::Tx& tx) {
      auto f = filled(tx, c.slug, c.capacity, c.confirmed, c.waiting);
      seats::lock_capacity(tx, f.event.id);
      for (int i = 0; i < c.released; ++i)
        EXPECT_TRUE(seats::release(tx, f.confirmed[i], RegistrationStatus::cancelled, kNow));
      const auto promoted = seats::fill_from_waitlist(tx, f.event.id, kNow);
      ASSERT_EQ(promoted.size(), static_cast<std::size_t>(c.promoted));
      for (std::size_t i = 0; i < promoted.size(); ++i) EXPECT_EQ(promoted[i], f.waiting[i]) << "not in order";
      EXPECT_EQ(seats_of(tx, f.event.id), c.after);
      for (int i = 0; i < c.released; ++i) EXPECT_EQ(status_of(tx, f.confirmed[i]), "cancelled");
    });
  }
}

TEST_F(StoreSeats, ReleasingARegistrationWithoutASeatFreesNothing) {
  store->transact([&](store::Tx& tx) {
    auto f = filled(tx, "release-waiting", 1, 1, 1);
    EXPECT_FALSE(seats::release(tx, f.waiting[0], RegistrationStatus::rejected, kNow));
    EXPECT_EQ(status_of(tx, f.waiting[0]), "rejected");
    EXPECT_EQ(seats_of(tx, f.event.id), (Seats{0, 1, 1, 0, 0, 0, 1}));
  });
}

TEST_F(StoreSeats, ClaimWaitingTakesAFreeSeatOnlyWhenThereIsOne) {
  store->transact([&](store::Tx& tx) {
    auto f = filled(tx, "claim-waiting", 1, 1, 1);
    seats::lock_capacity(tx, f.event.id);
    EXPECT_FALSE(seats::claim_waiting(tx, f.event.id, f.waiting[0], kNow));
    EXPECT_EQ(status_of(tx, f.waiting[0]), "waitlisted");
    ASSERT_TRUE(seats::release(tx, f.confirmed[0], RegistrationStatus::cancelled, kNow));
    EXPECT_TRUE(seats::claim_waiting(tx, f.event.id, f.waiting[0], kNow));
    EXPECT_EQ(status_of(tx, f.waiting[0]), "confirmed");
    EXPECT_EQ(seats_of(tx, f.event.id), (Seats{0, 1, 1, 0, 0, 0, 1}));
  });
}

// A lowered capacity: free seats above it go, and holders of seats above it move to free seats below.
TEST_F(StoreSeats, ShrinkMovesHoldersAboveTheNewCapacityDown) {
  store->transact([&](store::Tx& tx) {
    auto f = filled(tx, "shrink", 5, 4, 0);  // seats 1-4 held, 5 free
    ASSERT_TRUE(seats::release(tx, f.confirmed[0], RegistrationStatus::cancelled, kNow));  // seat 1 free
    ASSERT_TRUE(seats::release(tx, f.confirmed[1], RegistrationStatus::cancelled, kNow));  // seat 2 free
    EXPECT_EQ(seats_of(tx, f.event.id), (Seats{3, 2, 2, 0, 0, 5, 4}));
    seats::lock_capacity(tx, f.event.id);
    ASSERT_LE(seats::confirmed_count(tx, f.event.id), 3);
    seats::shrink(tx, f.event.id, 3);  // seat 5 goes; the holder of seat 4 moves to seat 1
    EXPECT_EQ(seats_of(tx, f.event.id), (Seats{1, 2, 2, 0, 0, 2, 3}));
    seats::shrink(tx, f.event.id, 2);  // the holder of seat 3 moves to seat 2
    EXPECT_EQ(seats_of(tx, f.event.id), (Seats{0, 2, 2, 0, 0, 0, 2}));
    EXPECT_EQ(status_of(tx, f.confirmed[3]), "confirmed");
  });
}

// Seats are written and removed a statement's worth (kSeatsPerStatement) at a time: across the
// chunks' edges nothing is lost or written twice, and a shrink goes on until every seat above is gone.
TEST_F(StoreSeats, SeatsAreAddedAndRemovedAcrossStatementChunks) {
  constexpr int kChunk = seats::kSeatsPerStatement;
  store->transact([&](store::Tx& tx) {
    auto f = filled(tx, "chunks", 1, 1, 0);  // seat 1 held
    seats::add(tx, f.event.id, 2, 2 * kChunk + 1);
    EXPECT_EQ(seats_of(tx, f.event.id), (Seats{2 * kChunk, 1, 1, 0, 0, 2 * kChunk + 1, 1}));
    seats::shrink(tx, f.event.id, 1);  // 2 * kChunk free seats above: two full statements, then one empty
    EXPECT_EQ(seats_of(tx, f.event.id), (Seats{0, 1, 1, 0, 0, 0, 1}));
    seats::add(tx, f.event.id, 2, kChunk + 7);
    seats::shrink(tx, f.event.id, 3);
    EXPECT_EQ(seats_of(tx, f.event.id), (Seats{2, 1, 1, 0, 0, 3, 1}));
  });
}

// The API's largest event: a million seats, then down to ten, then up again, in one transaction each.
TEST_F(StoreSeats, AnEventOfAMillionSeats) {
  std::int64_t event_id = 0;
  store->transact([&](store::Tx& tx) { event_id = insert_event(tx, event_named("million", kMaxCapacity)).id; });
  store->transact([&](store::Tx& tx) { EXPECT_EQ(seats_of(tx, event_id).free, kMaxCapacity); });
  store->transact([&](store::Tx& tx) {
    seats::lock_capacity(tx, event_id);
    seats::shrink(tx, event_id, 10);
  });
  store->transact([&](store::Tx& tx) { seats::add(tx, event_id, 11, kMaxCapacity); });
  store->transact([&](store::Tx& tx) {
    const Seats now = seats_of(tx, event_id);
    EXPECT_EQ(now.free, kMaxCapacity);
    EXPECT_EQ(now.max_free, kMaxCapacity);
  });
}

// A statement that runs past the statement timeout is told as a timeout, not as a database away.
TEST_F(StoreSeats, AStatementPastTheTimeoutIsATimeout) {
  bool timed_out = false;
  try {
    store->transact([&](store::Tx& tx) {
      store::sql(tx).exec("SET LOCAL statement_timeout = 50");
      store::sql(tx).exec("SELECT pg_sleep(1)");
    });
  } catch (const DatabaseTimeout&) {
    timed_out = true;
  }
  EXPECT_TRUE(timed_out);
  // The connection is still good.
  store->transact([&](store::Tx& tx) { EXPECT_EQ(scalar(tx, "SELECT 1"), 1); });
}

}  // namespace
}  // namespace convene::testing
