#include "convene/event.hpp"

#include <algorithm>

#include "convene/registration.hpp"
#include "convene/text.hpp"
#include "field_reader.hpp"

namespace convene {

using detail::FieldReader;
using detail::Presence;

FieldError too_many_sessions() {
  return {"sessions", "an event has at most " + std::to_string(kMaxSessionsPerEvent) + " sessions"};
}

std::expected<Instant, WallTimeProblem> resolve(const SessionTime& time) {
  return to_instant(time.starts_local, time.zone, time.disambiguation);
}

Reresolved reresolve(const SessionTime& time) {
  if (auto exact = resolve(time)) return {*exact, false};
  return {*to_instant(time.starts_local, time.zone, Disambiguation::compatible), true};
}

ClosingRule closing_rule(const RegistrationCloses& closes) {
  if (std::holds_alternative<Instant>(closes)) return ClosingRule::at;
  if (std::holds_alternative<StaysOpen>(closes)) return ClosingRule::open;
  return ClosingRule::last_session;
}

std::optional<Instant> Event::registration_closes_at() const {
  if (const auto* at = std::get_if<Instant>(&registration_closes)) return *at;
  if (std::holds_alternative<StaysOpen>(registration_closes)) return std::nullopt;
  std::optional<Instant> last_start;
  for (const auto& session : sessions) {
    if (session.status == SessionStatus::scheduled && (!last_start || session.starts_at > *last_start))
      last_start = session.starts_at;
  }
  return last_start;
}

RegistrationWindow registration_window(const Event& event, Instant now) {
  if (event.status == EventStatus::cancelled) return RegistrationClosed{std::nullopt};
  if (event.registration_opens_at && now < *event.registration_opens_at)
    return RegistrationNotYetOpen{*event.registration_opens_at};
  if (auto closes = event.registration_closes_at(); closes && now >= *closes)
    return RegistrationClosed{*closes};
  return RegistrationOpen{};
}

namespace {

constexpr std::size_t kMaxTitleCharacters = 200;
constexpr std::size_t kMaxDescriptionCharacters = 20'000;
constexpr std::size_t kMaxUrlOctets = 2048;
constexpr auto kMaxReminderOffset = std::chrono::hours(24 * 90);

bool is_valid_slug(std::string_view slug) {
  if (slug.empty() || slug.size() > 64 || slug.front() == '-' || slug.back() == '-') return false;
  return std::all_of(slug.begin(), slug.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
  });
}

bool is_valid_web_url(std::string_view url) {
  const bool scheme = url.starts_with("https://") || url.starts_with("http://");
  if (!scheme || url.size() > kMaxUrlOctets) return false;
  const std::size_t host_start = url.find("//") + 2;
  if (host_start >= url.size() || url[host_start] == '/') return false;
  return std::none_of(url.begin(), url.end(), [](unsigned char ch) { return ch <= 0x20 || ch == 0x7F; });
}

std::optional<Disambiguation> read_disambiguation(FieldReader& fields) {
  if (!fields.find("disambiguation")) return Disambiguation::reject;
  return fields.parsed("disambiguation", Presence::optional, parse_disambiguation,
                       "must be one of reject, earlier, later, compatible");
}

// The wall time and disambiguation that reproduce an instant given by the organiser, so that the
// wall time stays the source of truth even for sessions created from instants.
SessionTime session_time_of(Instant starts_at, const TimeZone& zone, std::chrono::minutes duration) {
  const WallTime wall = to_zoned(starts_at, zone).local;
  Disambiguation how = Disambiguation::reject;
  if (!to_instant(wall, zone, Disambiguation::reject)) {
    // The instant falls in a repeated hour; say which occurrence it is.
    how = *to_instant(wall, zone, Disambiguation::earlier) == starts_at ? Disambiguation::earlier
                                                                        : Disambiguation::later;
  }
  return SessionTime{wall, zone, how, duration};
}

// Reads the time of a session from fields, starting from `base` for fields that are absent (PATCH).
// Returns nullopt with errors recorded when the time is invalid or impossible.
std::optional<std::pair<SessionTime, Instant>> read_session_time(FieldReader& fields,
                                                                 const std::optional<SessionTime>& base,
                                                                 const TimeZone& default_zone) {
  const bool by_wall_time = fields.present("starts_local") || fields.present("duration_minutes") ||
                            fields.present("disambiguation");
  const bool by_instants = fields.present("starts_at") || fields.present("ends_at");
  if (by_wall_time && by_instants) {
    fields.fail("starts_at", "give either starts_local with duration_minutes, or starts_at with ends_at");
    return std::nullopt;
  }
  auto zone = fields.present("timezone") ? fields.zone("timezone", Presence::required)
                                         : std::optional<TimeZone>(base ? base->zone : default_zone);

  if (by_instants || (!by_wall_time && !base)) {
    if (!by_instants && !base) {
      fields.fail("starts_local", "is required (or give starts_at and ends_at)");
      return std::nullopt;
    }
    auto starts_at = fields.instant("starts_at", Presence::required);
    auto ends_at = fields.instant("ends_at", Presence::required);
    if (!starts_at || !ends_at || !zone) return std::nullopt;
    const auto length = std::chrono::duration_cast<std::chrono::seconds>(*ends_at - *starts_at);
    if (length <= std::chrono::seconds::zero() || length > std::chrono::minutes(kMaxSessionMinutes)) {
      fields.fail("ends_at", "must be after starts_at, and at most 7 days later");
      return std::nullopt;
    }
    if (length.count() % 60 != 0) {
      fields.fail("ends_at", "must be a whole number of minutes after starts_at");
      return std::nullopt;
    }
    const auto duration = std::chrono::duration_cast<std::chrono::minutes>(length);
    return std::pair{session_time_of(*starts_at, *zone, duration), *starts_at};
  }

  // By wall time, merged over the current one for a PATCH; a changed zone alone keeps the wall time.
  std::optional<WallTime> wall = fields.present("starts_local")
                                     ? fields.wall_time("starts_local", Presence::required)
                                     : std::optional<WallTime>(base ? std::optional(base->starts_local) : std::nullopt);
  if (!wall && !fields.failed("starts_local")) fields.fail("starts_local", "is required");
  // A stored answer to "which reading?" belongs to the wall time and zone it was given for: a session
  // moved to another wall time is asked afresh rather than silently given the old answer.
  const bool same_wall_time = base && wall && zone && base->starts_local == *wall && base->zone == *zone;
  auto how = fields.present("disambiguation")
                 ? read_disambiguation(fields)
                 : std::optional(same_wall_time ? base->disambiguation : Disambiguation::reject);
  std::optional<std::int64_t> minutes =
      fields.present("duration_minutes")
          ? fields.integer("duration_minutes", 1, kMaxSessionMinutes, Presence::required)
          : (base ? std::optional<std::int64_t>(base->duration.count()) : std::nullopt);
  if (!minutes && !fields.failed("duration_minutes")) fields.fail("duration_minutes", "is required");
  if (!wall || !how || !minutes || !zone) return std::nullopt;

  SessionTime time{*wall, *zone, *how, std::chrono::minutes(*minutes)};
  auto starts_at = resolve(time);
  if (!starts_at) {
    fields.fail("starts_local", describe(starts_at.error(), *wall, *zone));
    return std::nullopt;
  }
  return std::pair{time, *starts_at};
}

std::optional<std::vector<IsoDuration>> read_reminder_offsets(FieldReader& fields) {
  const nlohmann::json* value = fields.find("reminder_offsets");
  if (value == nullptr) {
    if (fields.is_null("reminder_offsets")) return std::vector<IsoDuration>{};
    return std::vector{*IsoDuration::parse("P1D"), *IsoDuration::parse("PT1H")};
  }
  const std::string rule =
      "must be a list of at most 10 distinct ISO 8601 durations up to P90D, such as [\"P1D\", \"PT1H\"]";
  if (!value->is_array() || value->size() > kMaxReminderOffsets) {
    fields.fail("reminder_offsets", rule);
    return std::nullopt;
  }
  std::vector<IsoDuration> offsets;
  for (const auto& item : *value) {
    std::optional<IsoDuration> offset;
    if (item.is_string()) offset = IsoDuration::parse(item.get_ref<const std::string&>());
    if (!offset || offset->length() <= std::chrono::seconds::zero() ||
        offset->length() > kMaxReminderOffset ||
        std::find(offsets.begin(), offsets.end(), *offset) != offsets.end()) {
      fields.fail("reminder_offsets", rule);
      return std::nullopt;
    }
    offsets.push_back(*offset);
  }
  // Longest first: the order reminders go out.
  std::stable_sort(offsets.begin(), offsets.end(),
                   [](const IsoDuration& a, const IsoDuration& b) { return a.length() > b.length(); });
  return offsets;
}

// The closing rule by name ("last_session", "at", "open", and when changing an event "now", on the
// service's clock), or by registration_closes_at alone: an instant, or null for "stays open".
std::optional<RegistrationCloses> read_registration_closes(FieldReader& fields, std::optional<Instant> now) {
  const bool instant_given = fields.present("registration_closes_at") && !fields.is_null("registration_closes_at");
  if (!fields.present("registration_closes")) {
    if (!fields.present("registration_closes_at")) return std::nullopt;
    if (!instant_given) return RegistrationCloses{StaysOpen{}};
    if (auto at = fields.instant("registration_closes_at", Presence::required)) return RegistrationCloses{*at};
    return std::nullopt;
  }
  const auto rule = fields.parsed("registration_closes", Presence::required, parse_closing_rule,
                                  now ? "must be last_session, at, open or now" : "must be last_session, at or open");
  if (!rule) return std::nullopt;
  if (*rule == ClosingRule::at) {
    if (!instant_given) {
      fields.fail("registration_closes_at", "is required when registration_closes is at");
      return std::nullopt;
    }
    if (auto at = fields.instant("registration_closes_at", Presence::required)) return RegistrationCloses{*at};
    return std::nullopt;
  }
  if (instant_given) {
    fields.fail("registration_closes_at", "must be left out unless registration_closes is at");
    return std::nullopt;
  }
  switch (*rule) {
    case ClosingRule::last_session: return RegistrationCloses{ClosesWhenLastSessionStarts{}};
    case ClosingRule::open: return RegistrationCloses{StaysOpen{}};
    case ClosingRule::now:
      if (now) return RegistrationCloses{*now};
      fields.fail("registration_closes", "must be last_session, at or open");
      return std::nullopt;
    case ClosingRule::at: break;
  }
  return std::nullopt;
}

// Fields shared by creation and PATCH; each present field is checked and written into `event`.
// `now` is given when changing an event (closing registration "now" means on the service's clock).
void read_event_fields(FieldReader& fields, Event& event, bool creating, std::optional<Instant> now) {
  if (auto title = fields.line("title", kMaxTitleCharacters, creating ? Presence::required : Presence::optional))
    event.title = *title;
  if (fields.is_null("title") && !creating) fields.fail("title", "must not be null");
  if (fields.present("description")) event.description = fields.paragraph("description", kMaxDescriptionCharacters).value_or("");
  if (fields.present("timezone") || creating) {
    if (auto zone = fields.zone("timezone", Presence::required)) event.zone = *zone;
  }
  if (fields.present("capacity") || creating) {
    if (auto capacity = fields.integer("capacity", 0, kMaxCapacity, Presence::required))
      event.capacity = static_cast<int>(*capacity);
  }
  if (fields.present("registration_opens_at")) {
    event.registration_opens_at = fields.is_null("registration_opens_at")
                                      ? std::nullopt
                                      : fields.instant("registration_opens_at", Presence::required);
  }
  if (auto closes = read_registration_closes(fields, now)) event.registration_closes = *closes;
  if (event.registration_opens_at) {
    if (const auto* closes = std::get_if<Instant>(&event.registration_closes);
        closes && *closes <= *event.registration_opens_at)
      fields.fail(fields.present("registration_closes_at") ? "registration_closes_at" : "registration_closes",
                  "must be after registration_opens_at");
  }
  if (fields.present("requires_approval")) {
    if (auto flag = fields.boolean("requires_approval", Presence::required)) event.requires_approval = *flag;
  }
  if (fields.present("access")) {
    if (auto access = fields.parsed("access", Presence::required, parse_event_access, "must be open or invitation"))
      event.access = *access;
  }
  if (fields.present("join_url")) {
    event.join_url.reset();
    if (const nlohmann::json* url = fields.find("join_url")) {
      if (url->is_string() && is_valid_web_url(url->get_ref<const std::string&>()))
        event.join_url = url->get<std::string>();
      else
        fields.fail("join_url", "must be an http or https URL of at most 2048 characters");
    }
  }
  if (fields.present("organiser_name"))
    event.organiser_name = fields.line("organiser_name", kMaxNameCharacters, Presence::optional);
  if (fields.present("organiser_email")) {
    event.organiser_email.reset();
    if (const nlohmann::json* email = fields.find("organiser_email")) {
      std::optional<Email> parsed;
      if (email->is_string()) parsed = Email::parse(email->get_ref<const std::string&>());
      if (parsed) event.organiser_email = parsed->text();
      else fields.fail("organiser_email", "must be an e-mail address such as name@example.org");
    }
  }
  if (fields.present("reminder_offsets") || creating) {
    if (auto offsets = read_reminder_offsets(fields)) event.reminder_offsets = *offsets;
  }
  if (const nlohmann::json* questions = fields.find("questions")) {
    auto form = parse_questions(*questions, event.questions);
    if (form) event.questions = *std::move(form);
    else
      for (auto& error : form.error()) fields.fail(error.field, error.message);
  } else if (fields.is_null("questions")) {
    fields.fail("questions", "must be a list (an empty one removes every question)");
  }
  if (fields.present("status")) {
    const nlohmann::json* value = fields.find("status");
    std::optional<EventStatus> status;
    if (value != nullptr && value->is_string()) status = parse_event_status(value->get_ref<const std::string&>());
    if (!status || (creating && *status == EventStatus::cancelled))
      fields.fail("status", creating ? "must be draft or published" : "must be draft, published or cancelled");
    else
      event.status = *status;
  }
}

}  // namespace

std::expected<NewSession, FieldErrors> parse_new_session(const nlohmann::json& body,
                                                         const TimeZone& event_zone,
                                                         const std::string& default_title,
                                                         const std::string& prefix) {
  FieldReader fields(body, prefix);
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  auto title = fields.line("title", kMaxTitleCharacters, Presence::optional);
  auto time = read_session_time(fields, std::nullopt, event_zone);
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  return NewSession{title.value_or(default_title), time->first, time->second};
}

std::expected<NewEvent, FieldErrors> parse_new_event(const nlohmann::json& body) {
  FieldReader fields(body);
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  NewEvent created{Event{.zone = TimeZone::utc()}, {}};
  Event& event = created.event;
  auto slug = fields.find("slug");
  if (slug == nullptr) fields.fail("slug", "is required");
  else if (!slug->is_string() || !is_valid_slug(slug->get_ref<const std::string&>()))
    fields.fail("slug", "must be 1-64 lower-case letters, digits and inner hyphens, such as south-south-2021");
  else event.slug = slug->get<std::string>();
  read_event_fields(fields, event, /*creating=*/true, /*now=*/std::nullopt);

  FieldErrors errors = fields.take_errors();
  if (const nlohmann::json* sessions = body.is_object() && body.contains("sessions") ? &body["sessions"] : nullptr;
      sessions != nullptr && !sessions->is_null()) {
    if (!sessions->is_array() || sessions->size() > kMaxSessionsPerEvent) {
      errors.push_back({"sessions", "must be a list of at most " + std::to_string(kMaxSessionsPerEvent) + " sessions"});
    } else {
      const bool zone_ok = std::none_of(errors.begin(), errors.end(),
                                        [](const FieldError& e) { return e.field == "timezone"; });
      for (std::size_t i = 0; i < sessions->size() && zone_ok; ++i) {
        auto session = parse_new_session((*sessions)[i], event.zone, event.title,
                                         "sessions[" + std::to_string(i) + "].");
        if (session) created.sessions.push_back(*std::move(session));
        else errors.insert(errors.end(), session.error().begin(), session.error().end());
      }
    }
  }
  if (!errors.empty()) return std::unexpected(std::move(errors));
  return created;
}

std::expected<Event, FieldErrors> apply_event_changes(const Event& current, const nlohmann::json& body,
                                                      Instant now) {
  FieldReader fields(body);
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  Event next = current;
  if (const nlohmann::json* slug = fields.find("slug"); slug != nullptr && *slug != current.slug)
    fields.fail("slug", "cannot change: links already sent depend on it");
  if (fields.present("sessions"))
    fields.fail("sessions", "cannot be changed here: use /events/{slug}/sessions");
  read_event_fields(fields, next, /*creating=*/false, now);
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  return next;
}

std::expected<Session, FieldErrors> apply_session_changes(const Session& current, const nlohmann::json& body) {
  FieldReader fields(body);
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  Session next = current;
  if (auto title = fields.line("title", kMaxTitleCharacters, Presence::optional)) next.title = *title;
  if (fields.is_null("title")) fields.fail("title", "must not be null");
  const bool time_given = fields.present("starts_local") || fields.present("duration_minutes") ||
                          fields.present("disambiguation") || fields.present("starts_at") ||
                          fields.present("ends_at") || fields.present("timezone");
  if (time_given) {
    if (auto time = read_session_time(fields, current.time, current.time.zone)) {
      next.time = time->first;
      next.starts_at = time->second;
    }
  }
  if (fields.present("status")) {
    const nlohmann::json* value = fields.find("status");
    std::optional<SessionStatus> status;
    if (value != nullptr && value->is_string()) status = parse_session_status(value->get_ref<const std::string&>());
    if (status) next.status = *status;
    else fields.fail("status", "must be scheduled or cancelled");
  }
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  return next;
}

bool needs_new_sequence(const Session& before, const Session& after) {
  return before.starts_at != after.starts_at || before.time.duration != after.time.duration ||
         before.status != after.status;
}

}  // namespace convene
