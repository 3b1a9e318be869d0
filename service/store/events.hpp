// Events and their sessions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convene/event.hpp"
#include "store/store.hpp"

namespace convene::store::events {

std::optional<Event> by_slug(Tx& tx, std::string_view slug);
std::optional<Event> by_id(Tx& tx, std::int64_t id);
// The current version of an event (every change raises it), to tell whether a copy is current.
std::optional<std::int64_t> version(Tx& tx, std::string_view slug);
std::map<std::int64_t, std::int64_t> versions(Tx& tx, const std::vector<std::int64_t>& ids);
// Listed events (kListedEventStatus, kListedEventAccess) with id > after_id, in id order, at most `limit`.
std::vector<Event> listed(Tx& tx, std::int64_t after_id, int limit);

// The new event's id, or nullopt when its slug is taken. Seats and sessions are added separately.
std::optional<std::int64_t> insert(Tx& tx, const Event& event);
// Every field of the event (but its sessions), raising its version.
void update(Tx& tx, const Event& event);

// Adds a session (raising the event's version); returns it with its id and calendar UID.
Session insert_session(Tx& tx, std::int64_t event_id, const NewSession& session);
// Writes a session as it is now, with the tz database in use (raising the event's version).
void update_session(Tx& tx, std::int64_t event_id, const Session& session);

// A scheduled session with where it belongs and the tz database its instant was computed with.
struct StoredSession {
  std::int64_t event_id;
  std::string event_slug;
  Session session;
  std::string tzdb_version;
};
// Scheduled sessions starting after `after`, locked for update (tz-refresh).
std::vector<StoredSession> scheduled_after(Tx& tx, Instant after);

// A session's instant or status changed, and why: kept in session_changes.
struct SessionChange {
  std::int64_t session_id;
  SessionChangeReason reason;
  Instant old_starts_at, new_starts_at;
  SessionStatus old_status, new_status;
  std::string old_tzdb_version;
  int new_sequence;
};
void record_session_change(Tx& tx, const SessionChange& change);

}  // namespace convene::store::events
