// Capacity as rows. An event's seats are rows of free_seats until taken; a confirmed registration
// holds a seat_no (unique per event, and a CHECK makes "confirmed" and "holds a seat" the same
// thing). The fast path, taking a free seat with FOR UPDATE SKIP LOCKED, is part of the registration
// insert (store/registrations.hpp); everything else that moves seats runs here, under the event's
// capacity lock.
#pragma once

#include <cstdint>
#include <vector>

#include "convene/registration.hpp"
#include "store/store.hpp"

namespace convene::store::seats {

// How many seats one statement adds or removes. An event of a million seats is written in twenty
// statements of one transaction: each is over in a fraction of a second even on a slow disk, where
// one statement of a million rows could run into the statement timeout (measured here: 1.5 s to
// 4.3 s for a million rows under load, against a 5 s timeout).
inline constexpr int kSeatsPerStatement = 50'000;

// Seats numbered first..last, except numbers already held (by a registrant an organiser seated
// beyond capacity).
void add(Tx& tx, std::int64_t event_id, int first_seat_no, int last_seat_no);
// Serialises the slow paths of one event (waitlisting, freeing and moving seats), never the fast
// path of taking a free seat. Held until the transaction ends.
void lock_capacity(Tx& tx, std::int64_t event_id);
int confirmed_count(Tx& tx, std::int64_t event_id);
// Removes seats numbered above `capacity`; their holders move to free seats below. The caller has
// checked that confirmed_count <= capacity and holds lock_capacity.
void shrink(Tx& tx, std::int64_t event_id, int capacity);
// Gives free seats to the oldest waitlisted registrants, one each; returns the ids promoted.
std::vector<std::int64_t> fill_from_waitlist(Tx& tx, std::int64_t event_id, Instant now);
// Waits for seats others are taking to settle, then takes one if any is free and marks the
// registration confirmed. Under lock_capacity.
bool claim_waiting(Tx& tx, std::int64_t event_id, std::int64_t registration_id, Instant now);
// A seat numbered after every other of the event, for a registrant an organiser confirms beyond
// capacity.
void take_extra(Tx& tx, std::int64_t event_id, std::int64_t registration_id, Instant now);
// Ends a registration (cancelled or rejected) and frees the seat it held; returns whether it held
// one (then the waitlist should have it: fill_from_waitlist). Under lock_capacity.
bool release(Tx& tx, std::int64_t registration_id, RegistrationStatus ended_as, Instant now);

}  // namespace convene::store::seats
