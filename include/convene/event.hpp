// Events and their sessions, and the rules for creating and changing them.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "convene/enum_names.hpp"
#include "convene/iso_duration.hpp"
#include "convene/problem.hpp"
#include "convene/questions.hpp"
#include "convene/time.hpp"

namespace convene {

// draft: seen only by its organisers. published: open to everyone. cancelled: still shown (people
// who registered must be able to read that it was cancelled), takes no registrations.
enum class EventStatus { draft, published, cancelled };
inline constexpr auto kEventStatusNames =
    enum_names<EventStatus>(std::pair{EventStatus::draft, "draft"}, std::pair{EventStatus::published, "published"},
                            std::pair{EventStatus::cancelled, "cancelled"});
inline std::string_view to_string(EventStatus status) { return kEventStatusNames.name(status); }
inline std::optional<EventStatus> parse_event_status(std::string_view text) { return kEventStatusNames.parse(text); }

// Whether anyone without an organiser token may see the event (its page, its API, its feed).
inline bool is_public(EventStatus status) { return status != EventStatus::draft; }
// Who may register. open: anyone. invitation: only an invited address, with the link of its
// invitation e-mail (convene/invitation.hpp).
enum class EventAccess { open, invitation };
inline constexpr auto kEventAccessNames =
    enum_names<EventAccess>(std::pair{EventAccess::open, "open"}, std::pair{EventAccess::invitation, "invitation"});
inline std::string_view to_string(EventAccess access) { return kEventAccessNames.name(access); }
inline std::optional<EventAccess> parse_event_access(std::string_view text) { return kEventAccessNames.parse(text); }

// Whether it is listed among the events (GET /api/v1/events, the home page): published events open
// to anyone. An invitation event is reached only by its address, which its invitees are sent.
inline constexpr EventStatus kListedEventStatus = EventStatus::published;
inline constexpr EventAccess kListedEventAccess = EventAccess::open;

enum class SessionStatus { scheduled, cancelled };
inline constexpr auto kSessionStatusNames = enum_names<SessionStatus>(
    std::pair{SessionStatus::scheduled, "scheduled"}, std::pair{SessionStatus::cancelled, "cancelled"});
inline std::string_view to_string(SessionStatus status) { return kSessionStatusNames.name(status); }
inline std::optional<SessionStatus> parse_session_status(std::string_view text) {
  return kSessionStatusNames.parse(text);
}

// Why a session's instant changed: an organiser moved it, or new tz rules moved it (tz-refresh).
enum class SessionChangeReason { organiser, tzdata };
inline constexpr auto kSessionChangeReasonNames = enum_names<SessionChangeReason>(
    std::pair{SessionChangeReason::organiser, "organiser"}, std::pair{SessionChangeReason::tzdata, "tzdata"});
inline std::string_view to_string(SessionChangeReason reason) { return kSessionChangeReasonNames.name(reason); }

// When a session happens, as the organiser said it: a wall time in a zone. This is the source of
// truth; the instant is derived from it, and derived again when the tz database changes.
struct SessionTime {
  WallTime starts_local;
  TimeZone zone;
  Disambiguation disambiguation = Disambiguation::reject;
  std::chrono::minutes duration{0};
};
std::expected<Instant, WallTimeProblem> resolve(const SessionTime& time);

// The instant a stored session time denotes under today's tz rules. The wall time stays the truth,
// but if new rules make it skipped or repeated and the organiser chose `reject` (so never said which
// reading they meant), it is read as RFC 5545 does (`compatible`) and flagged for a person to look at.
struct Reresolved {
  Instant starts_at;
  bool needed_fallback = false;
};
Reresolved reresolve(const SessionTime& time);

struct Session {
  std::int64_t id = 0;
  std::string uid;  // iCalendar UID, fixed for the session's life
  std::string title;
  SessionTime time;
  Instant starts_at;  // resolve(time) with the tz database of the day it was computed
  int sequence = 0;   // iCalendar SEQUENCE: bumped whenever the time changes or it is cancelled
  SessionStatus status = SessionStatus::scheduled;
  Instant ends_at() const { return starts_at + time.duration; }
};

// When registration closes. Absent at creation means "when the last session starts"; an explicit
// null means "open until an organiser closes it".
struct ClosesWhenLastSessionStarts {
  friend bool operator==(const ClosesWhenLastSessionStarts&, const ClosesWhenLastSessionStarts&) = default;
};
struct StaysOpen {
  friend bool operator==(const StaysOpen&, const StaysOpen&) = default;
};
using RegistrationCloses = std::variant<ClosesWhenLastSessionStarts, StaysOpen, Instant>;
// The rule's name in requests and replies ("registration_closes"); `now` is only ever asked for,
// and is stored as `at` the service's current instant.
enum class ClosingRule { last_session, at, open, now };
inline constexpr auto kClosingRuleNames =
    enum_names<ClosingRule>(std::pair{ClosingRule::last_session, "last_session"}, std::pair{ClosingRule::at, "at"},
                            std::pair{ClosingRule::open, "open"}, std::pair{ClosingRule::now, "now"});
inline std::string_view to_string(ClosingRule rule) { return kClosingRuleNames.name(rule); }
inline std::optional<ClosingRule> parse_closing_rule(std::string_view text) { return kClosingRuleNames.parse(text); }
ClosingRule closing_rule(const RegistrationCloses& closes);

struct Event {
  std::int64_t id = 0;
  std::string slug;
  std::string title;
  std::string description;
  TimeZone zone;
  int capacity = 0;
  std::optional<Instant> registration_opens_at;
  RegistrationCloses registration_closes;
  bool requires_approval = false;
  EventAccess access = EventAccess::open;
  std::optional<std::string> join_url;  // never shown over HTTP; only in what is mailed
  std::optional<std::string> organiser_name;
  std::optional<std::string> organiser_email;
  std::vector<IsoDuration> reminder_offsets;
  Questionnaire questions;  // the registration form's own questions
  EventStatus status = EventStatus::published;
  std::vector<Session> sessions;  // in start order, cancelled ones included
  std::int64_t version = 0;       // of this snapshot; the store bumps it on every change
  // The installation's sequence floor, read with the event (convene/sequence_floor.hpp): added to
  // every SEQUENCE written into iCalendar. Raising it raises every event's version.
  int sequence_floor = 0;

  // The instant registration closes, if it closes by itself.
  std::optional<Instant> registration_closes_at() const;
};

// Whether anyone may subscribe to the event's calendar feed: a public event open to anyone. The feed
// is made to be shared (CORS, public caches); an invitation event's registrants get their own invite.
inline bool has_public_feed(const Event& event) {
  return is_public(event.status) && event.access == EventAccess::open;
}

// Is registration open at `now`? (The seat itself is decided where capacity is enforced: the store.)
struct RegistrationOpen {};
struct RegistrationNotYetOpen {
  Instant opens_at;
};
struct RegistrationClosed {
  std::optional<Instant> closed_at;  // none when the event itself was cancelled
};
using RegistrationWindow = std::variant<RegistrationOpen, RegistrationNotYetOpen, RegistrationClosed>;
RegistrationWindow registration_window(const Event& event, Instant now);

// Limits on what organisers may ask for.
inline constexpr int kMaxCapacity = 1'000'000;
inline constexpr int kMaxSessionsPerEvent = 100;
inline constexpr int kMaxSessionMinutes = 7 * 24 * 60;
inline constexpr std::size_t kMaxReminderOffsets = 10;
// The error for adding a session to an event that has kMaxSessionsPerEvent.
FieldError too_many_sessions();

// A session as an organiser describes it, already checked: the instant is resolved.
struct NewSession {
  std::string title;
  SessionTime time;
  Instant starts_at;
};

// A new event, already checked. `sessions` are in the order given.
struct NewEvent {
  Event event;  // id 0, sessions empty
  std::vector<NewSession> sessions;
};
std::expected<NewEvent, FieldErrors> parse_new_event(const nlohmann::json& body);

// A session in a request: {"title", "starts_local", "timezone", "disambiguation", "duration_minutes"}
// or {"title", "starts_at", "ends_at", "timezone"}. `prefix` names the field in errors
// ("sessions[2]."). The title defaults to the event's.
std::expected<NewSession, FieldErrors> parse_new_session(const nlohmann::json& body,
                                                         const TimeZone& event_zone,
                                                         const std::string& default_title,
                                                         const std::string& prefix = "");

// PATCH of an event: only what the body names changes. The slug cannot change (links depend on it).
// `now` is when "registration_closes": "now" closes it.
std::expected<Event, FieldErrors> apply_event_changes(const Event& current, const nlohmann::json& body,
                                                      Instant now);

// PATCH of a session: title and/or time. Returns the changed session; the caller bumps the sequence
// when the instant or status changed (see needs_new_sequence).
std::expected<Session, FieldErrors> apply_session_changes(const Session& current,
                                                          const nlohmann::json& body);
bool needs_new_sequence(const Session& before, const Session& after);

}  // namespace convene
