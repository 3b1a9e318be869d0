#include "store/seats.hpp"

#include <algorithm>

#include "store/sql.hpp"

namespace convene::store::seats {
namespace {

const Statement kAdd{"add_seats", R"sql(
  INSERT INTO free_seats (event_id, seat_no)
  SELECT $1, n FROM generate_series($2::int, $3::int) AS n
  WHERE NOT EXISTS (SELECT 1 FROM registrations WHERE event_id = $1 AND seat_no = n))sql"};
// Advisory lock (1, event): ids past 2^31 share a key with a smaller one, which only makes them wait
// for each other now and then.
const Statement kLockCapacity{"lock_capacity", "SELECT pg_advisory_xact_lock(1, ($1::bigint % 2147483647)::int)"};
const Statement kConfirmedCount{"confirmed_count",
                                "SELECT count(*) FROM registrations WHERE event_id = $1 AND seat_no IS NOT NULL"};
// At most $3 of them, so that each statement stays far inside the statement timeout.
// Free seats are removed by ranges of seat numbers, highest first. ("The first N above the
// capacity", repeated, made each statement step over the index entries of every seat the earlier
// ones had deleted in the same transaction: quadratic, past the statement timeout for a million seats
// under load.)
const Statement kHighestFreeSeat{"highest_free_seat",
                                 "SELECT coalesce(max(seat_no), 0) AS seat_no FROM free_seats WHERE event_id = $1"};
const Statement kRemoveFreeBetween{"remove_free_seats_between",
                                   "DELETE FROM free_seats WHERE event_id = $1 AND seat_no > $2 AND seat_no <= $3"};
// Holders of seats above a lowered capacity move to free seats below it. Each move is made only if
// that free seat was really taken (joined on `taken`), never on a guess.
const Statement kReseatAbove{"reseat_above", R"sql(
  WITH movers AS (
    SELECT id, row_number() OVER (ORDER BY seat_no) AS n
    FROM registrations WHERE event_id = $1 AND seat_no > $2),
  free AS (
    SELECT seat_no, row_number() OVER (ORDER BY seat_no) AS n
    FROM free_seats WHERE event_id = $1 AND seat_no <= $2),
  pairs AS (SELECT movers.id, free.seat_no FROM movers JOIN free USING (n)),
  taken AS (
    DELETE FROM free_seats f USING pairs p
    WHERE f.event_id = $1 AND f.seat_no = p.seat_no RETURNING f.seat_no)
  UPDATE registrations r SET seat_no = p.seat_no
  FROM pairs p JOIN taken t ON t.seat_no = p.seat_no
  WHERE r.id = p.id)sql"};
// Free seats go to the oldest waitlisted registrants, one each, the lowest seats first: up to $4 pairs
// in a statement, starting after seat $2 and registration $3 (where the previous chunk ended). Numbering
// every free seat and every waitlisted registrant of the event to pair them made each cancellation
// at a full event cost the whole waitlist, and each raise of a capacity the whole set of free seats;
// a chunk costs what it moves. Moving on by seat number and id, rather than "the first $4" again,
// keeps the next chunk from stepping over the index entries this transaction just deleted.
const Statement kFillFromWaitlist{"fill_seats_from_waitlist", R"sql(
  WITH free AS (
    SELECT seat_no, row_number() OVER (ORDER BY seat_no) AS n
    FROM (SELECT seat_no FROM free_seats WHERE event_id = $1 AND seat_no > $2
          ORDER BY seat_no LIMIT $4) AS lowest),
  waiting AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n
    FROM (SELECT id FROM registrations WHERE event_id = $1 AND status = 'waitlisted' AND id > $3
          ORDER BY id LIMIT $4) AS oldest),
  pairs AS (SELECT free.seat_no, waiting.id FROM free JOIN waiting USING (n)),
  taken AS (
    DELETE FROM free_seats f USING pairs p
    WHERE f.event_id = $1 AND f.seat_no = p.seat_no RETURNING f.seat_no)
  UPDATE registrations r SET status = 'confirmed', seat_no = p.seat_no, updated_at = to_timestamp($5)
  FROM pairs p JOIN taken t ON t.seat_no = p.seat_no
  WHERE r.id = p.id AND r.status = 'waitlisted'
  RETURNING r.id, r.seat_no)sql"};
// Without SKIP LOCKED the statement waits for seats that others are taking right now, and takes one
// if their transaction rolled back.
const Statement kClaimWaiting{"claim_seat_waiting", R"sql(
  WITH seat AS (
    SELECT seat_no FROM free_seats WHERE event_id = $1 ORDER BY seat_no LIMIT 1 FOR UPDATE),
  taken AS (
    DELETE FROM free_seats f USING seat s
    WHERE f.event_id = $1 AND f.seat_no = s.seat_no RETURNING f.seat_no)
  UPDATE registrations SET status = 'confirmed', seat_no = (SELECT seat_no FROM taken),
         updated_at = to_timestamp($3)
  WHERE id = $2 AND EXISTS (SELECT 1 FROM taken)
  RETURNING id)sql"};
// Seats beyond capacity are numbered after every other seat of the event.
const Statement kTakeExtra{"take_extra_seat", R"sql(
  UPDATE registrations SET status = 'confirmed', updated_at = to_timestamp($3), seat_no = (
    SELECT greatest(e.capacity,
                    coalesce((SELECT max(seat_no) FROM registrations WHERE event_id = $1), 0),
                    coalesce((SELECT max(seat_no) FROM free_seats WHERE event_id = $1), 0)) + 1
    FROM events e WHERE e.id = $1)
  WHERE id = $2)sql"};
// Ends a registration (cancelled or rejected); a seat it held becomes free again.
const Statement kRelease{"end_registration", R"sql(
  WITH ended AS (
    UPDATE registrations r SET status = $2, seat_no = NULL, updated_at = to_timestamp($3),
           cancelled_at = CASE WHEN $2 = 'cancelled' THEN to_timestamp($3) ELSE r.cancelled_at END,
           invite_sequence = r.invite_sequence + 1
    FROM (SELECT id, seat_no AS held FROM registrations WHERE id = $1) AS before
    WHERE r.id = before.id
    RETURNING r.event_id, before.held)
  INSERT INTO free_seats (event_id, seat_no)
  SELECT event_id, held FROM ended WHERE held IS NOT NULL
  RETURNING seat_no)sql"};

}  // namespace

void add(Tx& tx, std::int64_t event_id, int first_seat_no, int last_seat_no) {
  for (int first = first_seat_no; first <= last_seat_no; first += kSeatsPerStatement)
    exec(tx, kAdd, event_id, first, std::min(last_seat_no, first + kSeatsPerStatement - 1));
}

void lock_capacity(Tx& tx, std::int64_t event_id) { exec(tx, kLockCapacity, event_id); }

int confirmed_count(Tx& tx, std::int64_t event_id) { return exec(tx, kConfirmedCount, event_id)[0]["count"].as<int>(); }

void shrink(Tx& tx, std::int64_t event_id, int capacity) {
  // Free seats above the new capacity go a statement's worth of seat numbers at a time.
  const int highest = exec(tx, kHighestFreeSeat, event_id)[0]["seat_no"].as<int>();
  for (int top = highest; top > capacity; top -= kSeatsPerStatement)
    exec(tx, kRemoveFreeBetween, event_id, std::max(capacity, top - kSeatsPerStatement), top);
  exec(tx, kReseatAbove, event_id, capacity);
}

std::vector<std::int64_t> fill_from_waitlist(Tx& tx, std::int64_t event_id, Instant now) {
  std::vector<std::int64_t> promoted;
  int after_seat = 0;
  std::int64_t after_id = 0;
  // Small first (a cancellation frees one seat, however long the waitlist), doubling while chunks
  // come back full (a raised capacity with a long waitlist), up to a statement's worth.
  for (int chunk_size = 64;; chunk_size = std::min(2 * chunk_size, kSeatsPerStatement)) {
    const auto chunk = exec(tx, kFillFromWaitlist, event_id, after_seat, after_id, chunk_size, epoch(now));
    for (const auto& row : chunk) {
      const auto id = row["id"].as<std::int64_t>();
      promoted.push_back(id);
      tx.changed(id);
      after_id = std::max(after_id, id);
      after_seat = std::max(after_seat, row["seat_no"].as<int>());
    }
    // A short chunk ran out of free seats or of waitlisted registrants.
    if (chunk.size() < static_cast<std::size_t>(chunk_size)) return promoted;
  }
}

bool claim_waiting(Tx& tx, std::int64_t event_id, std::int64_t registration_id, Instant now) {
  tx.changed(registration_id);
  return !exec(tx, kClaimWaiting, event_id, registration_id, epoch(now)).empty();
}

void take_extra(Tx& tx, std::int64_t event_id, std::int64_t registration_id, Instant now) {
  tx.changed(registration_id);
  exec(tx, kTakeExtra, event_id, registration_id, epoch(now));
}

bool release(Tx& tx, std::int64_t registration_id, RegistrationStatus ended_as, Instant now) {
  tx.changed(registration_id);
  return !exec(tx, kRelease, registration_id, std::string(to_string(ended_as)), epoch(now)).empty();
}

}  // namespace convene::store::seats
