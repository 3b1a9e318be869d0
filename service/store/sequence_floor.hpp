// The installation's sequence floor (sql/015_sequence_floor.sql; the rule is in
// convene/sequence_floor.hpp). Every event read carries it (Event::sequence_floor); these raise it.
#pragma once

#include "store/store.hpp"

namespace convene::store::sequence_floor {

// The floor now, its row locked until the transaction ends (one raise at a time).
int lock(Tx& tx);
// Sets the floor and raises every event's version in the same transaction: every server's and
// worker's copies of events, and the invites and feeds rendered from them, are then stale, as after
// any change to an event (the change listener drops them at once).
void set(Tx& tx, int floor);

}  // namespace convene::store::sequence_floor
