#include "convene/json_views.hpp"

#include "convene/invites.hpp"
#include "convene/text.hpp"

namespace convene {

using nlohmann::json;

json zoned_json(const ZonedTime& zoned) {
  return {{"local", format_wall_time(zoned.local)},
          {"offset", format_offset(zoned.offset)},
          {"abbreviation", zoned.abbreviation},
          {"zone", zoned.zone.name()}};
}

json zoned_json(Instant instant, const TimeZone& zone) { return zoned_json(to_zoned(instant, zone)); }

void append_zoned_json(std::string& out, const ZonedTime& zoned) {
  out += "{\"local\":";
  append_json_string(out, format_wall_time(zoned.local));
  out += ",\"offset\":";
  append_json_string(out, format_offset(zoned.offset));
  out += ",\"abbreviation\":";
  append_json_string(out, zoned.abbreviation);
  out += ",\"zone\":";
  append_json_string(out, zoned.zone.name());
  out.push_back('}');
}

json span_json(Instant starts, Instant ends, const TimeZone& zone) {
  return {{"starts", zoned_json(starts, zone)}, {"ends", zoned_json(ends, zone)}};
}

json session_json(const Session& session, const TimeZone& event_zone, const TimeZone& viewer_zone) {
  return {{"id", session.id},
          {"title", session.title},
          {"status", to_string(session.status)},
          {"starts_at", format_instant(session.starts_at)},
          {"ends_at", format_instant(session.ends_at())},
          {"duration_minutes", session.time.duration.count()},
          {"starts_local", format_wall_time(session.time.starts_local)},
          {"timezone", session.time.zone.name()},
          {"event_time", span_json(session.starts_at, session.ends_at(), event_zone)},
          {"viewer_time", span_json(session.starts_at, session.ends_at(), viewer_zone)},
          {"sequence", session.sequence}};
}

json sessions_json(const Event& event, const TimeZone& viewer_zone) {
  json sessions = json::array();
  for (const auto& session : event.sessions) sessions.push_back(session_json(session, event.zone, viewer_zone));
  return sessions;
}

std::optional<std::string> optional_instant_json(const std::optional<Instant>& instant) {
  if (!instant) return std::nullopt;
  return format_instant(*instant);
}

namespace {
json nullable(const std::optional<std::string>& value) { return value ? json(*value) : json(nullptr); }
}  // namespace

json event_json(const Event& event, const TimeZone& viewer_zone, Instant now) {
  json offsets = json::array();
  for (const auto& offset : event.reminder_offsets) offsets.push_back(offset.text());
  const RegistrationWindow window = registration_window(event, now);
  const char* state = std::holds_alternative<RegistrationOpen>(window)         ? "open"
                      : std::holds_alternative<RegistrationNotYetOpen>(window) ? "not_yet_open"
                                                                                : "closed";
  return {{"slug", event.slug},
          {"title", event.title},
          {"description", event.description},
          {"timezone", event.zone.name()},
          {"capacity", event.capacity},
          {"registration_opens_at", nullable(optional_instant_json(event.registration_opens_at))},
          {"registration_closes", to_string(closing_rule(event.registration_closes))},
          {"registration_closes_at", nullable(optional_instant_json(event.registration_closes_at()))},
          {"registration_state", state},
          {"requires_approval", event.requires_approval},
          {"access", to_string(event.access)},
          {"organiser_name", nullable(event.organiser_name)},
          {"reminder_offsets", offsets},
          {"questions", questions_json(event.questions.asked)},
          {"status", to_string(event.status)},
          {"viewer_timezone", viewer_zone.name()},
          {"sessions", sessions_json(event, viewer_zone)}};
}

json organiser_event_json(const Event& event, const TimeZone& viewer_zone, Instant now) {
  json out = event_json(event, viewer_zone, now);
  out["join_url"] = nullable(event.join_url);
  out["organiser_email"] = nullable(event.organiser_email);
  out["retired_questions"] = questions_json(event.questions.retired);  // their answers are still exported
  return out;
}

json registration_json(const Registration& registration, const Event& event, const TimeZone& viewer_zone,
                       const std::optional<RegistrationLinks>& links) {
  json out = {{"id", registration.id},
              {"event", event.slug},
              {"event_title", event.title},
              {"status", to_string(registration.status)},
              {"email", registration.email},
              {"name", registration.name},
              {"organisation", nullable(registration.organisation)},
              {"country", registration.country ? json(registration.country->code()) : json(nullptr)},
              {"timezone", registration.zone.name()},
              {"language", to_string(registration.language)},
              {"answers", registration.answers},
              {"consent_at", format_instant(registration.consent_at)},
              {"created_at", format_instant(registration.created_at)},
              {"updated_at", format_instant(registration.updated_at)},
              {"cancelled_at", nullable(optional_instant_json(registration.cancelled_at))},
              {"sessions", sessions_json(event, viewer_zone)}};
  if (links) {
    out["manage_url"] = links->manage_url;
    out["invite_url"] = links->invite_url;
    // "Add to calendar" next to the .ics: template links for the two web calendars most people use.
    auto& sessions = out["sessions"];
    for (std::size_t i = 0; i < event.sessions.size(); ++i) {
      sessions[i]["add_to_calendar"] = {{"ics", links->invite_url},
                                        {"google", google_calendar_link(event, event.sessions[i], links->manage_url)},
                                        {"outlook", outlook_calendar_link(event, event.sessions[i], links->manage_url)}};
    }
  }
  return out;
}

// --- registration_text: the shapes above, appended as text, in the order registration_json names them.

namespace {

void append_span(std::string& out, Instant starts, Instant ends, const TimeZone& zone) {
  out += "{\"starts\":";
  append_zoned_json(out, to_zoned(starts, zone));
  out += ",\"ends\":";
  append_zoned_json(out, to_zoned(ends, zone));
  out += '}';
}

void append_nullable(std::string& out, const std::optional<std::string>& value) {
  if (value) append_json_string(out, *value);
  else out += "null";
}

void append_session(std::string& out, const Event& event, const Session& session, const TimeZone& viewer_zone,
                    const std::optional<RegistrationLinks>& links) {
  out += "{\"id\":";
  out += std::to_string(session.id);
  out += ",\"title\":";
  append_json_string(out, session.title);
  out += ",\"status\":";
  append_json_string(out, to_string(session.status));
  out += ",\"starts_at\":";
  append_json_string(out, format_instant(session.starts_at));
  out += ",\"ends_at\":";
  append_json_string(out, format_instant(session.ends_at()));
  out += ",\"duration_minutes\":";
  out += std::to_string(session.time.duration.count());
  out += ",\"starts_local\":";
  append_json_string(out, format_wall_time(session.time.starts_local));
  out += ",\"timezone\":";
  append_json_string(out, session.time.zone.name());
  out += ",\"event_time\":";
  append_span(out, session.starts_at, session.ends_at(), event.zone);
  out += ",\"viewer_time\":";
  append_span(out, session.starts_at, session.ends_at(), viewer_zone);
  out += ",\"sequence\":";
  out += std::to_string(session.sequence);
  if (links) {
    out += ",\"add_to_calendar\":{\"ics\":";
    append_json_string(out, links->invite_url);
    out += ",\"google\":";
    append_json_string(out, google_calendar_link(event, session, links->manage_url));
    out += ",\"outlook\":";
    append_json_string(out, outlook_calendar_link(event, session, links->manage_url));
    out += '}';
  }
  out += '}';
}

}  // namespace

std::string registration_text(const Registration& registration, const Event& event, const TimeZone& viewer_zone,
                              const std::optional<RegistrationLinks>& links,
                              std::optional<std::string_view> manage_token) {
  std::string out;
  out.reserve(1024 + 1024 * event.sessions.size());
  out += "{\"id\":";
  out += std::to_string(registration.id);
  out += ",\"event\":";
  append_json_string(out, event.slug);
  out += ",\"event_title\":";
  append_json_string(out, event.title);
  out += ",\"status\":";
  append_json_string(out, to_string(registration.status));
  out += ",\"email\":";
  append_json_string(out, registration.email);
  out += ",\"name\":";
  append_json_string(out, registration.name);
  out += ",\"organisation\":";
  append_nullable(out, registration.organisation);
  out += ",\"country\":";
  if (registration.country) append_json_string(out, registration.country->code());
  else out += "null";
  out += ",\"timezone\":";
  append_json_string(out, registration.zone.name());
  out += ",\"language\":";
  append_json_string(out, to_string(registration.language));
  out += ",\"answers\":";
  out += registration.answers.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += ",\"consent_at\":";
  append_json_string(out, format_instant(registration.consent_at));
  out += ",\"created_at\":";
  append_json_string(out, format_instant(registration.created_at));
  out += ",\"updated_at\":";
  append_json_string(out, format_instant(registration.updated_at));
  out += ",\"cancelled_at\":";
  append_nullable(out, optional_instant_json(registration.cancelled_at));
  out += ",\"sessions\":[";
  for (std::size_t i = 0; i < event.sessions.size(); ++i) {
    if (i > 0) out += ',';
    append_session(out, event, event.sessions[i], viewer_zone, links);
  }
  out += ']';
  if (links) {
    out += ",\"manage_url\":";
    append_json_string(out, links->manage_url);
    out += ",\"invite_url\":";
    append_json_string(out, links->invite_url);
  }
  if (manage_token) {
    out += ",\"manage_token\":";
    append_json_string(out, *manage_token);
  }
  out += '}';
  return out;
}

}  // namespace convene
