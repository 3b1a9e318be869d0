#include "store/organiser_views.hpp"

#include "convene/csv.hpp"
#include "store/rows.hpp"
#include "store/sql.hpp"

namespace convene::store::organiser_views {
namespace {

// What every roster page asks of a registration r besides the search: $1 the event, $2 the last id
// of the page before, $3 the status, $4 the country, $6 attendance, $7 JSON the answers contain ($5
// is the page's size).
#define CONVENE_ROSTER_FILTERS                                                                        \
  " r.event_id = $1 AND r.erased_at IS NULL AND r.id > $2"                                            \
  " AND ($3::text IS NULL OR r.status = $3) AND ($4::text IS NULL OR r.country = $4)"                 \
  " AND ($6::boolean IS NULL"                                                                         \
  "      OR (r.status = 'confirmed' AND convene_attended(r.checked_in_at, r.first_joined_at) = $6))" \
  " AND ($7::jsonb IS NULL OR r.answers @> $7::jsonb)"

const Statement kRosterPage{"roster_page", std::string("SELECT ") + kRosterColumns +
                                               " FROM registrations r WHERE" CONVENE_ROSTER_FILTERS
                                               " ORDER BY r.id LIMIT $5"};

// The same page of the registrants whose name, e-mail or organisation holds $8, a LIKE pattern of
// literal text (like_contains), folded (sql/016_search_after_commit.sql). A registration noted in the
// backlog is matched on its fields folded now (its indexed text may be missing or older), any other
// on its indexed text. Each of the two is a page of its own, ordered and limited, so that the
// planner can choose for each what the pattern asks: the trigram index and a sort for a rare text,
// the id order stopped at the page's end for a common one (0.5 ms against 65 ms for a text every
// registrant has, at 160,000); the two are then merged. The noted registrations are looked up by
// id from an array, whatever the backlog's statistics say: right after a rush emptied it, they
// still counted 60,000 rows, and the planner folded every registration of the event instead (290 ms
// for a text nobody has, against 21).
const Statement kRosterSearchPage{
    "roster_search_page", std::string("SELECT * FROM ((SELECT ") + kRosterColumns + R"sql(
  FROM registration_search s JOIN registrations r ON r.id = s.registration_id
  WHERE s.event_id = $1 AND s.registration_id > $2 AND s.search_text LIKE convene_fold($8)
    AND s.registration_id NOT IN (SELECT registration_id FROM registration_search_backlog)
    AND)sql" CONVENE_ROSTER_FILTERS R"sql(
  ORDER BY s.registration_id LIMIT $5)
  UNION ALL
  (SELECT )sql" + kRosterColumns + R"sql(
  FROM registrations r
  WHERE r.id = ANY (ARRAY(SELECT registration_id FROM registration_search_backlog))
    AND convene_search_text(r.name, r.email, r.organisation) LIKE convene_fold($8)
    AND)sql" CONVENE_ROSTER_FILTERS R"sql(
  ORDER BY r.id LIMIT $5)) found
  ORDER BY id LIMIT $5)sql"};
#undef CONVENE_ROSTER_FILTERS
const Statement kRosterEntry{"roster_entry", std::string("SELECT ") + kRosterColumns +
                                                 " FROM registrations r WHERE r.event_id = $1 AND r.id = $2"
                                                 " AND r.erased_at IS NULL"};
const Statement kRosterEntryForUpdate{"roster_entry_for_update",
                                      std::string("SELECT ") + kRosterColumns +
                                          " FROM registrations r WHERE r.event_id = $1 AND r.id = $2"
                                          " AND r.erased_at IS NULL FOR UPDATE"};
// The names are kExportColumns.
const Statement kExportPage{"export_page", R"sql(
  SELECT r.id::text AS id, r.status, r.email, r.name, coalesce(r.organisation, '') AS organisation,
         coalesce(r.country, '') AS country, r.timezone, r.language,
         to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS registered_at,
         to_char(r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at,
         coalesce(to_char(r.cancelled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') AS cancelled_at,
         coalesce(to_char(r.checked_in_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') AS checked_in_at,
         coalesce(to_char(r.first_joined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') AS first_joined_at,
         coalesce(to_char(r.last_joined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') AS last_joined_at,
         CASE WHEN r.status <> 'confirmed' THEN ''
              WHEN convene_attended(r.checked_in_at, r.first_joined_at) THEN 'true' ELSE 'false' END AS attended,
         CASE WHEN r.answers = '{}' THEN '' ELSE r.answers::text END AS answers
  FROM registrations r
  WHERE r.event_id = $1 AND r.erased_at IS NULL AND r.id > $2
  ORDER BY r.id LIMIT $3)sql"};
const Statement kAudienceByZone{"audience_by_zone", R"sql(
  SELECT timezone, count(*)::integer AS n FROM registrations
  WHERE event_id = $1 AND convene_is_active(status)
  GROUP BY timezone ORDER BY timezone)sql"};
const Statement kStats{"event_stats", R"sql(
  SELECT 'status' AS what, status AS key, count(*) AS n FROM registrations WHERE event_id = $1 GROUP BY status
  UNION ALL
  SELECT 'country', coalesce(country, ''), count(*) FROM registrations
  WHERE event_id = $1 AND convene_is_active(status) GROUP BY country
  UNION ALL
  SELECT 'timezone', timezone, count(*) FROM registrations
  WHERE event_id = $1 AND convene_is_active(status) GROUP BY timezone
  UNION ALL
  SELECT 'seats_left', '', count(*) FROM free_seats WHERE event_id = $1
  UNION ALL
  SELECT 'checked_in', '', count(*) FROM registrations WHERE event_id = $1 AND checked_in_at IS NOT NULL
  UNION ALL
  SELECT 'overbooked', '', count(*) FROM registrations r JOIN events e ON e.id = r.event_id
  WHERE r.event_id = $1 AND r.seat_no > e.capacity
  UNION ALL
  SELECT 'country_confirmed', coalesce(country, ''), count(*) FROM registrations
  WHERE event_id = $1 AND status = 'confirmed' GROUP BY country
  UNION ALL
  SELECT 'country_attended', coalesce(country, ''), count(*) FROM registrations
  WHERE event_id = $1 AND status = 'confirmed' AND convene_attended(checked_in_at, first_joined_at) GROUP BY country
  UNION ALL
  SELECT 'invited_not_registered', '', count(*) FROM invitations WHERE event_id = $1 AND used_at IS NULL)sql"};
const Statement kDeliveriesPage{"deliveries_page", R"sql(
  SELECT id, registration_id, invitation_id, kind, session_id, status, attempts, extract(epoch FROM due_at)::bigint AS due_at,
         extract(epoch FROM sent_at)::bigint AS sent_at, last_error
  FROM outbox
  WHERE event_id = $1 AND id > $2
    AND ($3::text IS NULL OR status = $3 OR ($3 = 'pending' AND status = 'sending'))
    AND ($4::text IS NULL OR kind = $4)
  ORDER BY id LIMIT $5)sql"};
const Statement kManagedEvents{"managed_events", std::string("SELECT ") + kEventColumns + R"sql(,
    (SELECT count(*) FILTER (WHERE status = 'confirmed') FROM registrations r WHERE r.event_id = e.id) AS confirmed,
    (SELECT count(*) FILTER (WHERE status = 'waitlisted') FROM registrations r WHERE r.event_id = e.id) AS waitlisted,
    (SELECT count(*) FILTER (WHERE status = 'pending') FROM registrations r WHERE r.event_id = e.id) AS pending,
    (SELECT count(*) FILTER (WHERE status = 'cancelled') FROM registrations r WHERE r.event_id = e.id) AS cancelled
  FROM events e
  WHERE $3 OR e.id IN (SELECT oe.event_id FROM organiser_events oe JOIN organisers o ON o.id = oe.organiser_id
                       WHERE o.revoked_at IS NULL AND (o.id = $1 OR lower(o.email) = lower($2)))
  ORDER BY e.id)sql"};
const Statement kRegistrationsByStatus{"registrations_by_status",
                                       "SELECT status, count(*) AS n FROM registrations GROUP BY status"};

RosterEntry roster_entry_from_row(const pqxx::row& row) {
  return {registration_from_row(row), optional_instant_of(row["checked_in_at"]),
          optional_instant_of(row["first_joined_at"]), optional_instant_of(row["last_joined_at"])};
}

}  // namespace

std::vector<RosterEntry> roster_page(Tx& tx, std::int64_t event_id, const RosterFilter& filter, std::int64_t after_id,
                                     int limit) {
  const std::optional<std::string> status =
      filter.status ? std::optional(std::string(to_string(*filter.status))) : std::nullopt;
  std::vector<RosterEntry> entries;
  const std::optional<std::string> attended =
      filter.attended ? std::optional(std::string(*filter.attended ? "true" : "false")) : std::nullopt;
  if (!filter.text) {
    for (const auto& row : exec(tx, kRosterPage, event_id, after_id, nullable(status), nullable(filter.country), limit,
                                nullable(attended), nullable(filter.answers_contain)))
      entries.push_back(roster_entry_from_row(row));
    return entries;
  }
  // A line break separates the fields in the indexed text: a text that holds one would match across
  // two of them, and no single field holds one (they are single lines).
  if (filter.text->find('\n') != std::string::npos) return entries;
  // Planned for its values each time: the best plan depends on how common the text is.
  for (const auto& row : exec_planned_for_values(tx, kRosterSearchPage, event_id, after_id, nullable(status),
                                                 nullable(filter.country), limit, nullable(attended),
                                                 nullable(filter.answers_contain), like_contains(*filter.text)))
    entries.push_back(roster_entry_from_row(row));
  return entries;
}

std::optional<RosterEntry> roster_entry(Tx& tx, std::int64_t event_id, std::int64_t registration_id, bool for_update) {
  const auto result = exec(tx, for_update ? kRosterEntryForUpdate : kRosterEntry, event_id, registration_id);
  if (result.empty()) return std::nullopt;
  return roster_entry_from_row(result[0]);
}

ExportPage export_page(Tx& tx, std::int64_t event_id, std::int64_t after_id, int limit) {
  ExportPage page;
  const auto result = exec(tx, kExportPage, event_id, after_id, limit);
  page.rows.reserve(result.size());
  for (const auto& row : result) {
    auto& cells = page.rows.emplace_back();
    for (std::size_t i = 0; i < kExportColumns.size(); ++i) {
      const auto field = row[std::string(kExportColumns[i])];
      cells[i].assign(field.c_str(), field.size());
    }
  }
  if (!result.empty()) page.last_id = result[result.size() - 1]["id"].as<std::int64_t>();
  return page;
}

std::vector<std::pair<std::string, int>> audience_by_zone(Tx& tx, std::int64_t event_id) {
  std::vector<std::pair<std::string, int>> zones;
  for (const auto& row : exec(tx, kAudienceByZone, event_id))
    zones.emplace_back(row["timezone"].as<std::string>(), row["n"].as<int>());
  return zones;
}

Stats stats(Tx& tx, std::int64_t event_id) {
  Stats stats;
  for (const auto& row : exec(tx, kStats, event_id)) {
    const auto what = row["what"].as<std::string>();
    const auto key = row["key"].as<std::string>();
    const int count = row["n"].as<int>();
    if (what == "status") stats.by_status[key] = count;
    else if (what == "country") stats.by_country[key] = count;
    else if (what == "timezone") stats.by_timezone[key] = count;
    else if (what == "seats_left") stats.seats_left = count;
    else if (what == "checked_in") stats.checked_in = count;
    else if (what == "overbooked") stats.overbooked = count;
    else if (what == "invited_not_registered") stats.invited_not_registered = count;
    else if (what == "country_confirmed") stats.confirmed_by_country[key] = count;
    else if (what == "country_attended") {
      stats.attended_by_country[key] = count;
      stats.attended += count;
    }
  }
  const auto waitlisted = stats.by_status.find(std::string(to_string(RegistrationStatus::waitlisted)));
  stats.waitlist_length = waitlisted == stats.by_status.end() ? 0 : waitlisted->second;
  return stats;
}

std::vector<Delivery> deliveries_page(Tx& tx, std::int64_t event_id, std::optional<DeliveryStatus> status,
                                      std::optional<MessageKind> kind, std::int64_t after_id, int limit) {
  const std::optional<std::string> s = status ? std::optional(std::string(to_string(*status))) : std::nullopt;
  const std::optional<std::string> k = kind ? std::optional(std::string(to_string(*kind))) : std::nullopt;
  std::vector<Delivery> rows;
  for (const auto& r : exec(tx, kDeliveriesPage, event_id, after_id, nullable(s), nullable(k), limit)) {
    rows.push_back({r["id"].as<std::int64_t>(), optional_id(r["registration_id"]), optional_id(r["invitation_id"]),
                    r["kind"].as<std::string>(),
                    optional_id(r["session_id"]),
                    parse_delivery_status(r["status"].as<std::string>()).value_or(DeliveryStatus::pending),
                    r["attempts"].as<int>(), instant_of(r["due_at"]), optional_instant_of(r["sent_at"]),
                    optional_text(r["last_error"])});
  }
  return rows;
}

std::vector<ManagedEvent> managed_events(Tx& tx, std::int64_t organiser_id, std::optional<std::string> email,
                                         bool all_events) {
  std::vector<ManagedEvent> found;
  for (const auto& row : exec(tx, kManagedEvents, organiser_id, nullable(email), all_events)) {
    found.push_back({event_from_row(row), row["confirmed"].as<int>(), row["waitlisted"].as<int>(),
                     row["pending"].as<int>(), row["cancelled"].as<int>()});
  }
  return found;
}

std::map<std::string, long> registrations_by_status(Tx& tx) {
  std::map<std::string, long> counts;
  for (const auto& row : exec(tx, kRegistrationsByStatus)) counts[row["status"].as<std::string>()] = row["n"].as<long>();
  return counts;
}

}  // namespace convene::store::organiser_views
