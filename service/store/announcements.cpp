#include "store/announcements.hpp"

#include <nlohmann/json.hpp>

#include "store/sql.hpp"

namespace convene::store::announcements {
namespace {

// Registrants of event $1 in any audience group of $2 (text[]).
#define CONVENE_AUDIENCE                                                                                      \
  " FROM registrations r WHERE r.event_id = $1 AND r.erased_at IS NULL AND ("                               \
  "    ('confirmed' = ANY($2::text[]) AND r.status = 'confirmed')"                                                   \
  " OR ('waitlisted' = ANY($2::text[]) AND r.status = 'waitlisted')"                                                 \
  " OR ('pending' = ANY($2::text[]) AND r.status = 'pending')"                                                       \
  " OR ('attended' = ANY($2::text[]) AND r.status = 'confirmed' AND convene_attended(r.checked_in_at, r.first_joined_at))" \
  " OR ('did_not_attend' = ANY($2::text[]) AND r.status = 'confirmed'"                                               \
  "     AND NOT convene_attended(r.checked_in_at, r.first_joined_at)))"

const Statement kInsert{"insert_announcement", R"sql(
  WITH written AS (
    INSERT INTO announcements (event_id, organiser_id, language, subject, body, translations, audience, send_at,
                               recipients)
    SELECT $1, $3, $4, $5, $6, $7::jsonb, $2::text[], to_timestamp($8), (SELECT count(*))sql" CONVENE_AUDIENCE R"sql()
    RETURNING id, recipients, extract(epoch FROM created_at)::bigint AS created_at),
  messages AS (
    INSERT INTO outbox (registration_id, event_id, kind, sequence, due_at)
    SELECT r.id, $1, 'announcement', (SELECT id FROM written), to_timestamp($8))sql" CONVENE_AUDIENCE R"sql()
  SELECT id, recipients, created_at FROM written)sql"};
const Statement kCountAudience{"count_announcement_audience", "SELECT count(*) AS n" CONVENE_AUDIENCE};

#define CONVENE_ANNOUNCEMENT_COLUMNS                                                                      \
  " a.id, a.event_id, a.language, a.subject, a.body, a.translations::text AS translations,"             \
  " array_to_json(a.audience)::text AS audience, extract(epoch FROM a.send_at)::bigint AS send_at,"     \
  " extract(epoch FROM a.created_at)::bigint AS created_at,"                                            \
  " extract(epoch FROM a.withdrawn_at)::bigint AS withdrawn_at, a.recipients,"                          \
  " (SELECT count(*) FILTER (WHERE o.status IN ('pending', 'sending')) FROM outbox o"                   \
  "   WHERE o.kind = 'announcement' AND o.event_id = a.event_id AND o.sequence = a.id) AS queued,"      \
  " (SELECT count(*) FILTER (WHERE o.status = 'sent') FROM outbox o"                                     \
  "   WHERE o.kind = 'announcement' AND o.event_id = a.event_id AND o.sequence = a.id) AS sent,"        \
  " (SELECT count(*) FILTER (WHERE o.status = 'failed') FROM outbox o"                                   \
  "   WHERE o.kind = 'announcement' AND o.event_id = a.event_id AND o.sequence = a.id) AS failed,"      \
  " (SELECT count(*) FILTER (WHERE o.status = 'skipped') FROM outbox o"                                  \
  "   WHERE o.kind = 'announcement' AND o.event_id = a.event_id AND o.sequence = a.id) AS skipped"

const Statement kFind{"announcement", "SELECT" CONVENE_ANNOUNCEMENT_COLUMNS
                                      " FROM announcements a WHERE a.event_id = $1 AND a.id = $2"};
const Statement kByIds{"announcements_by_ids",
                       "SELECT" CONVENE_ANNOUNCEMENT_COLUMNS " FROM announcements a WHERE a.id = ANY($1::bigint[])"};
const Statement kPage{"announcements_page", "SELECT" CONVENE_ANNOUNCEMENT_COLUMNS
                                            " FROM announcements a WHERE a.event_id = $1 AND a.id > $2"
                                            " ORDER BY a.id LIMIT $3"};
// Only while none of its messages has left the queue: a worker holding one may be sending it.
const Statement kWithdraw{"withdraw_announcement", R"sql(
  WITH announcement AS (SELECT id, event_id FROM announcements WHERE id = $1 AND withdrawn_at IS NULL FOR UPDATE),
  started AS (
    SELECT 1 FROM outbox o, announcement a
    WHERE o.kind = 'announcement' AND o.event_id = a.event_id AND o.sequence = a.id AND o.status <> 'pending'
    LIMIT 1),
  skipped AS (
    UPDATE outbox o SET status = 'skipped', last_error = 'the announcement was withdrawn'
    FROM announcement a
    WHERE NOT EXISTS (SELECT 1 FROM started)
      AND o.kind = 'announcement' AND o.event_id = a.event_id AND o.sequence = a.id AND o.status = 'pending')
  UPDATE announcements SET withdrawn_at = to_timestamp($2)
  WHERE id = $1 AND withdrawn_at IS NULL AND NOT EXISTS (SELECT 1 FROM started)
  RETURNING id)sql"};

std::string audience_array(const std::vector<Audience>& audience) {
  std::string out = "{";
  for (std::size_t i = 0; i < audience.size(); ++i) out += (i ? "," : "") + std::string(kAudienceNames.name(audience[i]));
  return out + "}";
}

std::string translations_json(const std::map<Language, AnnouncementText>& translations) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [language, text] : translations)
    out[std::string(to_string(language))] = {{"subject", text.subject}, {"body", text.body}};
  return out.dump();
}

Announcement from_row(const pqxx::row& row) {
  Announcement a{};
  a.id = row["id"].as<std::int64_t>();
  a.event_id = row["event_id"].as<std::int64_t>();
  a.language = parse_language(row["language"].as<std::string>()).value_or(Language::en);
  a.text = {row["subject"].as<std::string>(), row["body"].as<std::string>()};
  const auto translations = nlohmann::json::parse(row["translations"].as<std::string>());  // outlives items()
  for (const auto& [code, text] : translations.items()) {
    if (auto language = parse_language(code))
      a.translations[*language] = {text.value("subject", ""), text.value("body", "")};
  }
  for (const auto& name : nlohmann::json::parse(row["audience"].as<std::string>())) {
    if (auto group = kAudienceNames.parse(name.get<std::string>())) a.audience.push_back(*group);
  }
  a.send_at = instant_of(row["send_at"]);
  a.created_at = instant_of(row["created_at"]);
  a.withdrawn_at = optional_instant_of(row["withdrawn_at"]);
  a.recipients = row["recipients"].as<int>();
  a.queued = row["queued"].as<int>();
  a.sent = row["sent"].as<int>();
  a.failed = row["failed"].as<int>();
  a.skipped = row["skipped"].as<int>();
  return a;
}

}  // namespace

const AnnouncementText& Announcement::in(Language wanted) const {
  if (wanted == language) return text;
  const auto found = translations.find(wanted);
  return found == translations.end() ? text : found->second;
}

Announcement insert(Tx& tx, const NewAnnouncement& n) {
  const auto row = exec(tx, kInsert, n.event_id, audience_array(n.audience), nullable(id_text(n.organiser_id)),
                        std::string(to_string(n.language)), n.text.subject, n.text.body,
                        translations_json(n.translations), epoch(n.send_at))[0];
  Announcement a{row["id"].as<std::int64_t>(), n.event_id, n.language, n.text, n.translations, n.audience, n.send_at,
                 instant_of(row["created_at"]), std::nullopt, row["recipients"].as<int>()};
  a.queued = a.recipients;
  return a;
}

int count_audience(Tx& tx, std::int64_t event_id, const std::vector<Audience>& audience) {
  return exec(tx, kCountAudience, event_id, audience_array(audience))[0]["n"].as<int>();
}

std::optional<Announcement> find(Tx& tx, std::int64_t event_id, std::int64_t id) {
  const auto result = exec(tx, kFind, event_id, id);
  if (result.empty()) return std::nullopt;
  return from_row(result[0]);
}

std::vector<Announcement> by_ids(Tx& tx, const std::vector<std::int64_t>& ids) {
  std::vector<Announcement> found;
  for (const auto& row : exec(tx, kByIds, id_array(ids))) found.push_back(from_row(row));
  return found;
}

std::vector<Announcement> page(Tx& tx, std::int64_t event_id, std::int64_t after_id, int limit) {
  std::vector<Announcement> found;
  for (const auto& row : exec(tx, kPage, event_id, after_id, limit)) found.push_back(from_row(row));
  return found;
}

bool withdraw(Tx& tx, std::int64_t id, Instant now) { return !exec(tx, kWithdraw, id, epoch(now)).empty(); }

}  // namespace convene::store::announcements
