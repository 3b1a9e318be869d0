#include "store/organisers.hpp"

#include "store/sql.hpp"

namespace convene::store::organisers {
namespace {

const Statement kInsert{"insert_organiser",
                        "INSERT INTO organisers (email, token_hash, all_events) VALUES ($1, decode($2, 'hex'), $3) "
                        "RETURNING id"};
const Statement kGrantBySlug{"grant_event_by_slug", R"sql(
  INSERT INTO organiser_events (organiser_id, event_id)
  SELECT $1, id FROM events WHERE slug = $2
  ON CONFLICT DO NOTHING RETURNING event_id)sql"};
const Statement kEventExists{"event_exists", "SELECT 1 FROM events WHERE slug = $1"};
const Statement kGrantById{"grant_event_by_id",
                           "INSERT INTO organiser_events (organiser_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"};
const Statement kByTokenHash{"organiser_by_token_hash", R"sql(
  SELECT o.id, o.email, o.all_events,
         EXISTS (SELECT 1 FROM organiser_events oe JOIN events e ON e.id = oe.event_id
                 WHERE oe.organiser_id = o.id AND e.slug = $2) AS has_event
  FROM organisers o WHERE o.token_hash = decode($1, 'hex') AND o.revoked_at IS NULL)sql"};
const Statement kByEmail{"organiser_by_email", R"sql(
  SELECT min(o.id) AS id, min(o.email) AS email, bool_or(o.all_events) AS all_events,
         EXISTS (SELECT 1 FROM organiser_events oe JOIN organisers mine ON mine.id = oe.organiser_id
                 JOIN events e ON e.id = oe.event_id
                 WHERE lower(mine.email) = lower($1) AND mine.revoked_at IS NULL AND e.slug = $2) AS has_event
  FROM organisers o WHERE lower(o.email) = lower($1) AND o.revoked_at IS NULL
  HAVING count(*) > 0)sql"};
const Statement kRevoke{"revoke_organisers",
                        "UPDATE organisers SET revoked_at = now() WHERE lower(email) = lower($1) AND revoked_at IS NULL"};

}  // namespace

std::int64_t insert(Tx& tx, std::string_view email, const Sha256& token_hash, bool all_events) {
  return exec(tx, kInsert, std::string(email), hex(token_hash), all_events)[0]["id"].as<std::int64_t>();
}

bool grant(Tx& tx, std::int64_t organiser_id, std::string_view slug) {
  exec(tx, kGrantBySlug, organiser_id, std::string(slug));
  return !exec(tx, kEventExists, std::string(slug)).empty();
}

void grant(Tx& tx, std::int64_t organiser_id, std::int64_t event_id) { exec(tx, kGrantById, organiser_id, event_id); }

std::optional<Grant> by_token_hash(Tx& tx, const Sha256& token_hash, std::string_view slug) {
  const auto result = exec(tx, kByTokenHash, hex(token_hash), std::string(slug));
  if (result.empty()) return std::nullopt;
  const auto& row = result[0];
  return Grant{row["id"].as<std::int64_t>(), row["email"].as<std::string>(), row["all_events"].as<bool>(),
               row["has_event"].as<bool>()};
}

std::optional<Grant> by_email(Tx& tx, std::string_view email, std::string_view slug) {
  const auto result = exec(tx, kByEmail, std::string(email), std::string(slug));
  if (result.empty()) return std::nullopt;
  const auto& row = result[0];
  return Grant{row["id"].as<std::int64_t>(), row["email"].as<std::string>(), row["all_events"].as<bool>(),
               row["has_event"].as<bool>()};
}

int revoke(Tx& tx, std::string_view email) {
  return static_cast<int>(exec(tx, kRevoke, std::string(email)).affected_rows());
}

}  // namespace convene::store::organisers
