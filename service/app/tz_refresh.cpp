#include "app/tz_refresh.hpp"

#include <sstream>

#include "store/events.hpp"
#include "store/outbox.hpp"

namespace convene::app {

TzRefreshReport refresh_session_instants(store::Store& store, Instant now) {
  // Rules can move an instant by a day at most (a zone crossing the date line); look that far back
  // so that a session the new rules put in the future is not missed.
  const Instant horizon = now - std::chrono::hours(48);
  return store.transact([&](store::Tx& tx) {
    TzRefreshReport report{tzdb_version()};
    for (auto& stored : store::events::scheduled_after(tx, horizon)) {
      const Reresolved now_reads = reresolve(stored.session.time);
      if (stored.session.starts_at <= now && now_reads.starts_at <= now) continue;  // past either way
      ++report.sessions_checked;
      if (now_reads.starts_at == stored.session.starts_at) {
        if (stored.tzdb_version != report.tzdb_version) store::events::update_session(tx, stored.event_id, stored.session);
        continue;
      }
      Session moved = stored.session;
      moved.starts_at = now_reads.starts_at;
      moved.sequence = stored.session.sequence + 1;
      store::events::update_session(tx, stored.event_id, moved);
      store::events::record_session_change(tx, {moved.id, SessionChangeReason::tzdata, stored.session.starts_at,
                                                moved.starts_at, moved.status, moved.status, stored.tzdb_version,
                                                moved.sequence});
      store::outbox::enqueue_for_active_registrants(tx, stored.event_id, MessageKind::update, moved.id,
                                                    moved.sequence, now);
      report.moved.push_back({stored.event_slug, moved.id, stored.session.starts_at, moved.starts_at,
                              stored.tzdb_version, moved.sequence, now_reads.needed_fallback});
    }
    return report;
  });
}

std::string describe(const TzRefreshReport& report) {
  std::ostringstream out;
  out << "tz database " << report.tzdb_version << ": " << report.sessions_checked << " future session(s) checked, "
      << report.moved.size() << " moved\n";
  for (const auto& m : report.moved) {
    out << "  event " << m.event_slug << " session " << m.session_id << ": " << format_instant(m.before) << " -> "
        << format_instant(m.after) << " (computed with tzdata " << m.tzdb_before << "; sequence now "
        << m.new_sequence << ")" << (m.needed_fallback ? " NEEDS ATTENTION: its wall time is now skipped or repeated" : "")
        << "\n";
  }
  return out.str();
}

}  // namespace convene::app
