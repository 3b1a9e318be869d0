#include "store/events.hpp"

#include <nlohmann/json.hpp>

#include "store/rows.hpp"
#include "store/sql.hpp"

namespace convene::store::events {
namespace {

const Statement kBySlug{"event_by_slug", std::string("SELECT ") + kEventColumns + " FROM events e WHERE e.slug = $1"};
const Statement kById{"event_by_id", std::string("SELECT ") + kEventColumns + " FROM events e WHERE e.id = $1::bigint"};
const Statement kVersion{"event_version", "SELECT version FROM events WHERE slug = $1"};
const Statement kVersions{"event_versions", "SELECT id, version FROM events WHERE id = ANY($1::bigint[])"};
const Statement kListed{"listed_events", std::string("SELECT ") + kEventColumns +
                                             " FROM events e WHERE e.status = $3 AND e.access = $4 AND e.id > $1"
                                             " ORDER BY e.id LIMIT $2"};
const Statement kInsert{"insert_event", R"sql(
  INSERT INTO events (slug, title, description, timezone, capacity, registration_opens_at,
                      registration_closes, registration_closes_at, requires_approval, join_url,
                      organiser_name, organiser_email, reminder_offsets, status, questions, access)
  VALUES ($1, $2, $3, $4, $5, to_timestamp($6), $7, to_timestamp($8), $9, $10, $11, $12,
          ARRAY(SELECT json_array_elements_text($13::json)), $14, $15::jsonb, $16)
  ON CONFLICT (slug) DO NOTHING
  RETURNING id)sql"};
const Statement kUpdate{"update_event", R"sql(
  UPDATE events SET title = $2, description = $3, timezone = $4, capacity = $5,
         registration_opens_at = to_timestamp($6), registration_closes = $7,
         registration_closes_at = to_timestamp($8), requires_approval = $9, join_url = $10,
         organiser_name = $11, organiser_email = $12,
         reminder_offsets = ARRAY(SELECT json_array_elements_text($13::json)), status = $14,
         questions = $15::jsonb, access = $16, version = version + 1, updated_at = now()
  WHERE id = $1)sql"};
const Statement kInsertSession{"insert_session", R"sql(
  WITH bump AS (UPDATE events SET version = version + 1, updated_at = now() WHERE id = $1)
  INSERT INTO sessions (event_id, title, starts_local, timezone, disambiguation, starts_at,
                        duration_minutes, tzdb_version)
  VALUES ($1, $2, to_timestamp($3) AT TIME ZONE 'UTC', $4, $5, to_timestamp($6), $7, $8)
  RETURNING id, ical_uid)sql"};
const Statement kUpdateSession{"update_session", R"sql(
  WITH bump AS (UPDATE events SET version = version + 1, updated_at = now() WHERE id = $1)
  UPDATE sessions SET title = $3, starts_local = to_timestamp($4) AT TIME ZONE 'UTC',
         timezone = $5, disambiguation = $6, starts_at = to_timestamp($7),
         duration_minutes = $8, sequence = $9, status = $10, tzdb_version = $11,
         updated_at = now()
  WHERE event_id = $1 AND id = $2)sql"};
const Statement kScheduledAfter{"scheduled_sessions_after", std::string(R"sql(
  SELECT s.event_id, e.slug AS event_slug, )sql") + kSessionObject + R"sql(::text AS session, s.tzdb_version
  FROM sessions s JOIN events e ON e.id = s.event_id
  WHERE s.status = 'scheduled' AND s.starts_at > to_timestamp($1)
  ORDER BY s.id
  FOR UPDATE OF s)sql"};
const Statement kRecordSessionChange{"record_session_change", R"sql(
  INSERT INTO session_changes (session_id, reason, old_starts_at, new_starts_at, old_status, new_status,
                               old_tzdb_version, new_tzdb_version, new_sequence)
  VALUES ($1, $2, to_timestamp($3), to_timestamp($4), $5, $6, $7, $8, $9))sql"};

std::optional<Event> first_event(const pqxx::result& result) {
  if (result.empty()) return std::nullopt;
  return event_from_row(result[0]);
}

const char* closes_kind(const RegistrationCloses& closes) {
  if (std::holds_alternative<Instant>(closes)) return "at";
  if (std::holds_alternative<StaysOpen>(closes)) return "never";
  return "last_session_start";
}

std::optional<Instant> closes_at(const RegistrationCloses& closes) {
  if (const auto* at = std::get_if<Instant>(&closes)) return *at;
  return std::nullopt;
}

std::string offsets_json(const std::vector<IsoDuration>& offsets) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& offset : offsets) list.push_back(offset.text());
  return list.dump();
}

// The columns insert and update share, in their parameter order from $2.
template <class Exec>
auto with_event_parameters(const Event& e, Exec&& exec) {
  const auto opens = epoch_text(e.registration_opens_at);
  const auto closes = epoch_text(closes_at(e.registration_closes));
  return exec(e.title, e.description, std::string(e.zone.name()), e.capacity, nullable(opens),
              closes_kind(e.registration_closes), nullable(closes), e.requires_approval, nullable(e.join_url),
              nullable(e.organiser_name), nullable(e.organiser_email), offsets_json(e.reminder_offsets),
              std::string(to_string(e.status)), questionnaire_json(e.questions).dump(),
              std::string(to_string(e.access)));
}

}  // namespace

std::optional<Event> by_slug(Tx& tx, std::string_view slug) { return first_event(exec(tx, kBySlug, std::string(slug))); }

std::optional<Event> by_id(Tx& tx, std::int64_t id) { return first_event(exec(tx, kById, id)); }

std::optional<std::int64_t> version(Tx& tx, std::string_view slug) {
  const auto result = exec(tx, kVersion, std::string(slug));
  if (result.empty()) return std::nullopt;
  return result[0]["version"].as<std::int64_t>();
}

std::map<std::int64_t, std::int64_t> versions(Tx& tx, const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, std::int64_t> found;
  for (const auto& row : exec(tx, kVersions, id_array(ids)))
    found[row["id"].as<std::int64_t>()] = row["version"].as<std::int64_t>();
  return found;
}

std::vector<Event> listed(Tx& tx, std::int64_t after_id, int limit) {
  std::vector<Event> found;
  for (const auto& row : exec(tx, kListed, after_id, limit, std::string(to_string(kListedEventStatus)),
                               std::string(to_string(kListedEventAccess))))
    found.push_back(event_from_row(row));
  return found;
}

std::optional<std::int64_t> insert(Tx& tx, const Event& event) {
  const auto result =
      with_event_parameters(event, [&](auto&&... columns) { return exec(tx, kInsert, event.slug, columns...); });
  if (result.empty()) return std::nullopt;
  return result[0]["id"].as<std::int64_t>();
}

void update(Tx& tx, const Event& event) {
  with_event_parameters(event, [&](auto&&... columns) { return exec(tx, kUpdate, event.id, columns...); });
}

Session insert_session(Tx& tx, std::int64_t event_id, const NewSession& s) {
  const auto result = exec(tx, kInsertSession, event_id, s.title, epoch(s.time.starts_local),
                           std::string(s.time.zone.name()), std::string(to_string(s.time.disambiguation)),
                           epoch(s.starts_at), static_cast<int>(s.time.duration.count()), tzdb_version());
  Session session{.time = s.time};
  session.id = result[0]["id"].as<std::int64_t>();
  session.uid = result[0]["ical_uid"].as<std::string>();
  session.title = s.title;
  session.starts_at = s.starts_at;
  return session;
}

void update_session(Tx& tx, std::int64_t event_id, const Session& s) {
  exec(tx, kUpdateSession, event_id, s.id, s.title, epoch(s.time.starts_local), std::string(s.time.zone.name()),
       std::string(to_string(s.time.disambiguation)), epoch(s.starts_at), static_cast<int>(s.time.duration.count()),
       s.sequence, std::string(to_string(s.status)), tzdb_version());
}

std::vector<StoredSession> scheduled_after(Tx& tx, Instant after) {
  std::vector<StoredSession> found;
  for (const auto& row : exec(tx, kScheduledAfter, epoch(after))) {
    found.push_back({row["event_id"].as<std::int64_t>(), row["event_slug"].as<std::string>(),
                     session_from_json_text(row["session"].as<std::string>()), row["tzdb_version"].as<std::string>()});
  }
  return found;
}

void record_session_change(Tx& tx, const SessionChange& c) {
  exec(tx, kRecordSessionChange, c.session_id, std::string(to_string(c.reason)), epoch(c.old_starts_at),
       epoch(c.new_starts_at), std::string(to_string(c.old_status)), std::string(to_string(c.new_status)),
       c.old_tzdb_version, tzdb_version(), c.new_sequence);
}

}  // namespace convene::store::events
