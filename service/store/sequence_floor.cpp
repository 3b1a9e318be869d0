#include "store/sequence_floor.hpp"

#include "store/sql.hpp"

namespace convene::store::sequence_floor {
namespace {

const Statement kLock{"lock_sequence_floor", "SELECT floor FROM sequence_floor FOR UPDATE"};
const Statement kSet{"set_sequence_floor", R"sql(
  WITH bump AS (UPDATE events SET version = version + 1)
  UPDATE sequence_floor SET floor = $1, raised_at = now())sql"};

}  // namespace

int lock(Tx& tx) { return exec(tx, kLock)[0]["floor"].as<int>(); }

void set(Tx& tx, int floor) { exec(tx, kSet, floor); }

}  // namespace convene::store::sequence_floor
