// `convene tz-refresh` (also run when `serve` starts): after the machine's tz database changes,
// recompute every future session's instant from its wall time and zone (the source of truth).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convene/time.hpp"

namespace convene::store {
class Store;
}

namespace convene::app {

struct MovedSession {
  std::string event_slug;
  std::int64_t session_id;
  Instant before;
  Instant after;
  std::string tzdb_before;
  int new_sequence;
  bool needed_fallback;  // the wall time became skipped or repeated; read as RFC 5545 does
};

struct TzRefreshReport {
  std::string tzdb_version;
  int sessions_checked = 0;
  std::vector<MovedSession> moved;
};

// Moves every future session whose instant differs under today's tz rules, in one transaction:
// a new instant, a higher sequence (calendars must replace their copy), and a session_changes row.
TzRefreshReport refresh_session_instants(store::Store& store, Instant now);
std::string describe(const TzRefreshReport& report);

}  // namespace convene::app
