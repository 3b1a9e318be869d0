#include "store/search.hpp"

#include "store/sql.hpp"

namespace convene::store::search {
namespace {

// The notes deleted and the registrations read belong to the statement's one snapshot: a change
// noted after it keeps its note for the next batch. A registration noted twice is written once
// (ON CONFLICT may touch a row once per statement); one erased or no longer there is not (an erasure
// deleted its text: sql/016_search_after_commit.sql).
// The advisory lock is the transaction's, so it goes with the commit.
const Statement kIndexBacklog{"index_search_backlog", R"sql(
  WITH turn AS (SELECT pg_try_advisory_xact_lock(hashtext('convene:index_search_backlog')) AS mine),
  taken AS (
    DELETE FROM registration_search_backlog
    WHERE (SELECT mine FROM turn)
      AND ctid = ANY (ARRAY(SELECT ctid FROM registration_search_backlog LIMIT $1))
    RETURNING registration_id),
  written AS (
    INSERT INTO registration_search (registration_id, event_id, search_text)
    SELECT r.id, r.event_id, convene_search_text(r.name, r.email, r.organisation)
    FROM registrations r WHERE r.id IN (SELECT registration_id FROM taken) AND r.erased_at IS NULL
    ON CONFLICT (registration_id) DO UPDATE SET event_id = EXCLUDED.event_id, search_text = EXCLUDED.search_text)
  SELECT count(*)::integer AS n FROM taken)sql"};

const Statement kBacklog{"search_backlog", "SELECT count(*) AS n FROM registration_search_backlog"};

}  // namespace

int index_backlog(Tx& tx, int limit) { return exec(tx, kIndexBacklog, limit)[0]["n"].as<int>(); }

long backlog(Tx& tx) { return exec(tx, kBacklog)[0]["n"].as<long>(); }

}  // namespace convene::store::search
