#include "app/restore_floor.hpp"

#include "convene/sequence_floor.hpp"
#include "store/sequence_floor.hpp"
#include "store/store.hpp"

namespace convene::app {

SequenceFloorRaise raise_sequence_floor(store::Store& store, Instant now) {
  return store.transact([&](store::Tx& tx) {
    const int before = store::sequence_floor::lock(tx);
    const int after = raised_sequence_floor(before, now);
    store::sequence_floor::set(tx, after);
    return SequenceFloorRaise{before, after};
  });
}

std::string describe(const SequenceFloorRaise& raise) {
  return "sequence floor raised from " + std::to_string(raise.before) + " to " + std::to_string(raise.after) + "\n";
}

}  // namespace convene::app
