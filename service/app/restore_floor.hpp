// `convene restore-floor`: after a database restore, raise the sequence floor (the rule, and why it
// suffices, in convene/sequence_floor.hpp), so that no calendar is sent a lower SEQUENCE than one
// mailed before the restore. Run once per restore, before the restored database is served.
#pragma once

#include <string>

#include "convene/time.hpp"

namespace convene::store {
class Store;
}

namespace convene::app {

struct SequenceFloorRaise {
  int before;
  int after;
};

// Raises the floor in one transaction (which also raises every event's version, so that servers
// already running drop their copies); the floor it found and the one it set.
SequenceFloorRaise raise_sequence_floor(store::Store& store, Instant now);
std::string describe(const SequenceFloorRaise& raise);

}  // namespace convene::app
