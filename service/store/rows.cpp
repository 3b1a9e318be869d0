#include "store/rows.hpp"

#include <nlohmann/json.hpp>

#include "store/sql.hpp"

namespace convene::store {

// Shared fragments, as literals so that every statement built from them is a constant (statements
// are made while the program loads, before any std::string of another file may exist).
#define CONVENE_SESSION_OBJECT                                                                          \
  "json_build_object('id', s.id, 'title', s.title, 'starts_local', extract(epoch FROM s.starts_local)::bigint," \
  " 'timezone', s.timezone, 'disambiguation', s.disambiguation,"                                       \
  " 'starts_at', extract(epoch FROM s.starts_at)::bigint, 'duration_minutes', s.duration_minutes,"     \
  " 'sequence', s.sequence, 'status', s.status, 'uid', s.ical_uid)"
#define CONVENE_REGISTRATION_COLUMNS                                                                     \
  " r.id, r.event_id, r.email, r.name, r.organisation, r.country, r.timezone, r.language,"               \
  " r.answers::text AS answers, r.status,"                                                               \
  " extract(epoch FROM r.consent_at)::bigint AS consent_at,"                                             \
  " extract(epoch FROM r.created_at)::bigint AS created_at,"                                             \
  " extract(epoch FROM r.updated_at)::bigint AS updated_at,"                                             \
  " extract(epoch FROM r.cancelled_at)::bigint AS cancelled_at,"                                         \
  " r.invite_sequence"

const char* const kSessionObject = CONVENE_SESSION_OBJECT;

const char* const kEventColumns = R"sql(
  e.id, e.slug, e.title, e.description, e.timezone, e.capacity,
  extract(epoch FROM e.registration_opens_at)::bigint AS opens_at,
  e.registration_closes,
  extract(epoch FROM e.registration_closes_at)::bigint AS closes_at,
  e.requires_approval, e.access, e.join_url, e.organiser_name, e.organiser_email,
  array_to_json(e.reminder_offsets)::text AS reminder_offsets, e.questions::text AS questions, e.status,
  (SELECT coalesce(json_agg()sql" CONVENE_SESSION_OBJECT R"sql( ORDER BY s.starts_at, s.id), '[]')::text
     FROM sessions s WHERE s.event_id = e.id) AS sessions,
  e.version, (SELECT f.floor FROM sequence_floor f) AS sequence_floor
)sql";

const char* const kRegistrationColumns = CONVENE_REGISTRATION_COLUMNS;

const char* const kRosterColumns = CONVENE_REGISTRATION_COLUMNS R"sql(,
  extract(epoch FROM r.checked_in_at)::bigint AS checked_in_at,
  extract(epoch FROM r.first_joined_at)::bigint AS first_joined_at,
  extract(epoch FROM r.last_joined_at)::bigint AS last_joined_at
)sql";

namespace {

Session session_from_json(const nlohmann::json& s) {
  // The members of kSessionObject.
  Session session{.time = SessionTime{WallTime{std::chrono::seconds{s["starts_local"].get<long long>()}},
                                      zone_of(s["timezone"].get<std::string>()),
                                      parse_disambiguation(s["disambiguation"].get<std::string>())
                                          .value_or(Disambiguation::reject),
                                      std::chrono::minutes{s["duration_minutes"].get<int>()}}};
  session.id = s["id"].get<std::int64_t>();
  session.title = s["title"].get<std::string>();
  session.starts_at = Instant{std::chrono::seconds{s["starts_at"].get<long long>()}};
  session.sequence = s["sequence"].get<int>();
  session.status = parse_session_status(s["status"].get<std::string>()).value_or(SessionStatus::scheduled);
  session.uid = s["uid"].get<std::string>();
  return session;
}

}  // namespace

Session session_from_json_text(const std::string& text) { return session_from_json(nlohmann::json::parse(text)); }

Event event_from_row(const pqxx::row& row) {
  Event event{.zone = zone_of(row["timezone"].as<std::string>())};
  event.id = row["id"].as<std::int64_t>();
  event.slug = row["slug"].as<std::string>();
  event.title = row["title"].as<std::string>();
  event.description = row["description"].as<std::string>();
  event.capacity = row["capacity"].as<int>();
  event.registration_opens_at = optional_instant_of(row["opens_at"]);
  const auto closes = row["registration_closes"].as<std::string>();
  if (closes == "at") event.registration_closes = instant_of(row["closes_at"]);
  else if (closes == "never") event.registration_closes = StaysOpen{};
  else event.registration_closes = ClosesWhenLastSessionStarts{};
  event.requires_approval = row["requires_approval"].as<bool>();
  event.access = parse_event_access(row["access"].as<std::string>()).value_or(EventAccess::open);
  event.join_url = optional_text(row["join_url"]);
  event.organiser_name = optional_text(row["organiser_name"]);
  event.organiser_email = optional_text(row["organiser_email"]);
  for (const auto& text : nlohmann::json::parse(row["reminder_offsets"].as<std::string>())) {
    if (auto offset = IsoDuration::parse(text.get<std::string>())) event.reminder_offsets.push_back(*offset);
  }
  event.questions = questionnaire_from_json(nlohmann::json::parse(row["questions"].as<std::string>()));
  event.status = parse_event_status(row["status"].as<std::string>()).value_or(EventStatus::draft);
  for (const auto& s : nlohmann::json::parse(row["sessions"].as<std::string>())) event.sessions.push_back(session_from_json(s));
  event.version = row["version"].as<std::int64_t>();
  event.sequence_floor = row["sequence_floor"].as<int>();
  return event;
}

Registration registration_from_row(const pqxx::row& row) {
  Registration r{.zone = zone_of(row["timezone"].as<std::string>())};
  r.id = row["id"].as<std::int64_t>();
  r.event_id = row["event_id"].as<std::int64_t>();
  r.email = row["email"].as<std::string>();
  r.name = row["name"].as<std::string>();
  r.organisation = optional_text(row["organisation"]);
  if (!row["country"].is_null()) r.country = CountryCode::parse(row["country"].as<std::string>());
  r.language = parse_language(row["language"].as<std::string>()).value_or(Language::en);
  r.answers = nlohmann::json::parse(row["answers"].as<std::string>());
  r.status = parse_registration_status(row["status"].as<std::string>()).value_or(RegistrationStatus::pending);
  r.consent_at = instant_of(row["consent_at"]);
  r.created_at = instant_of(row["created_at"]);
  r.updated_at = instant_of(row["updated_at"]);
  r.cancelled_at = optional_instant_of(row["cancelled_at"]);
  r.invite_sequence = row["invite_sequence"].as<int>();
  return r;
}

}  // namespace convene::store
