#include "store/audit.hpp"

#include "store/sql.hpp"

namespace convene::store::audit {
namespace {

const Statement kWrite{"audit", R"sql(
  INSERT INTO audit_log (event_id, organiser_id, actor, action, registration_id, session_id, details)
  VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb))sql"};
const Statement kPage{"audit_page", R"sql(
  SELECT id, actor, action, registration_id, session_id, details::text AS details,
         extract(epoch FROM at)::bigint AS at
  FROM audit_log WHERE event_id = $1 AND id > $2 ORDER BY id LIMIT $3)sql"};

}  // namespace

void write(Tx& tx, const Actor& actor, const Record& r) {
  exec(tx, kWrite, r.event_id, nullable(id_text(actor.organiser_id)), actor.name,
       std::string(kActionNames.name(r.action)), nullable(id_text(r.registration_id)), nullable(id_text(r.session_id)),
       r.details_json);
}

std::vector<Entry> page(Tx& tx, std::int64_t event_id, std::int64_t after_id, int limit) {
  std::vector<Entry> entries;
  for (const auto& r : exec(tx, kPage, event_id, after_id, limit)) {
    entries.push_back({r["id"].as<std::int64_t>(), r["actor"].as<std::string>(), r["action"].as<std::string>(),
                       optional_id(r["registration_id"]), optional_id(r["session_id"]), r["details"].as<std::string>(),
                       instant_of(r["at"])});
  }
  return entries;
}

}  // namespace convene::store::audit
