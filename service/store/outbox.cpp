#include "store/outbox.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "store/sql.hpp"

namespace convene::store::outbox {
namespace {

const Statement kEnqueue{"enqueue", R"sql(
  INSERT INTO outbox (registration_id, event_id, kind, session_id, sequence, due_at)
  VALUES ($1, $2, $3, $4, $5, to_timestamp($6))
  ON CONFLICT DO NOTHING)sql"};
const Statement kEnqueueForActive{"enqueue_for_active_registrants", R"sql(
  INSERT INTO outbox (registration_id, event_id, kind, session_id, sequence, due_at)
  SELECT id, event_id, $2, $3, $4, to_timestamp($5) FROM registrations
  WHERE event_id = $1 AND convene_is_active(status)
  ON CONFLICT DO NOTHING)sql"};
const Statement kResendConfirmation{"enqueue_confirmation_resend", R"sql(
  WITH resent AS (
    UPDATE registrations SET confirmation_resends = confirmation_resends + 1,
           confirmation_resent_at = to_timestamp($3)
    WHERE event_id = $1 AND lower(email) = lower($2)
      AND (confirmation_resent_at IS NULL OR confirmation_resent_at < to_timestamp($3) - interval '1 hour')
    RETURNING id, event_id, confirmation_resends)
  INSERT INTO outbox (registration_id, event_id, kind, sequence, due_at)
  SELECT id, event_id, 'confirmation', confirmation_resends, to_timestamp($3) FROM resent
  ON CONFLICT DO NOTHING
  RETURNING id)sql"};
// Reminders are planned when they come due rather than written at registration: a session that
// moves takes its reminders with it (they follow its sequence), and the registration stays one
// statement. "Once" still holds: the unique key refuses a second copy.
const Statement kPlanReminders{"plan_reminders", R"sql(
  INSERT INTO outbox (registration_id, event_id, kind, session_id, offset_seconds, sequence, due_at)
  SELECT r.id, r.event_id, 'reminder', s.id, o.seconds, s.sequence, s.starts_at - make_interval(secs => o.seconds)
  FROM events e
  CROSS JOIN LATERAL (SELECT extract(epoch FROM o::interval)::integer AS seconds
                      FROM unnest(e.reminder_offsets) AS o) AS o
  JOIN sessions s ON s.event_id = e.id
  JOIN registrations r ON r.event_id = e.id
  WHERE e.status = 'published' AND s.status = 'scheduled'
    AND s.starts_at > to_timestamp($1)
    AND s.starts_at - make_interval(secs => o.seconds) <= to_timestamp($1)
    AND r.status = 'confirmed'
    AND r.created_at < s.starts_at - make_interval(secs => o.seconds)
  ON CONFLICT DO NOTHING)sql"};
const Statement kClaim{"claim_outbox", R"sql(
  UPDATE outbox SET status = 'sending', worker = $1, attempts = attempts + 1,
         lease_until = to_timestamp($2) + make_interval(secs => $3)
  WHERE id IN (
    SELECT id FROM outbox
    WHERE (status = 'pending' AND due_at <= to_timestamp($2))
       OR (status = 'sending' AND lease_until < to_timestamp($2))
    ORDER BY due_at, id
    LIMIT $4
    FOR UPDATE SKIP LOCKED)
  RETURNING id, registration_id, sign_in_id, invitation_id, event_id, kind, session_id, offset_seconds, sequence, attempts)sql"};
const Statement kRecord{"record_outbox_outcomes", R"sql(
  UPDATE outbox o SET status = v.status, lease_until = NULL,
         sent_at = CASE WHEN v.status = 'sent' THEN to_timestamp($2) ELSE o.sent_at END,
         due_at = CASE WHEN v.status = 'pending' THEN to_timestamp(v.due) ELSE o.due_at END,
         last_error = CASE WHEN v.status = 'sent' THEN NULL ELSE v.detail END
  FROM jsonb_to_recordset($3::jsonb) AS v(id bigint, attempts integer, status text, due bigint, detail text)
  WHERE o.id = v.id AND o.worker = $1 AND o.attempts = v.attempts AND o.status = 'sending')sql"};
const Statement kRelease{"release_outbox", R"sql(
  UPDATE outbox o SET status = 'pending', attempts = o.attempts - 1, lease_until = NULL, worker = NULL
  FROM jsonb_to_recordset($2::jsonb) AS v(id bigint, attempts integer)
  WHERE o.id = v.id AND o.worker = $1 AND o.attempts = v.attempts AND o.status = 'sending')sql"};
const Statement kDepth{"outbox_depth", R"sql(
  SELECT 'due' AS what, count(*) AS n, coalesce(extract(epoch FROM now() - min(due_at)), 0)::float8 AS oldest
  FROM outbox WHERE status IN ('pending', 'sending') AND due_at <= now()
  UNION ALL
  SELECT status, count(*), 0 FROM outbox GROUP BY status)sql"};

}  // namespace

void enqueue(Tx& tx, const Message& m, Instant due) {
  exec(tx, kEnqueue, m.registration_id, m.event_id, std::string(to_string(m.kind)), nullable(id_text(m.session_id)),
       m.sequence, epoch(due));
}

int enqueue_for_active_registrants(Tx& tx, std::int64_t event_id, MessageKind kind, std::int64_t session_id,
                                   int sequence, Instant due) {
  return static_cast<int>(
      exec(tx, kEnqueueForActive, event_id, std::string(to_string(kind)), session_id, sequence, epoch(due))
          .affected_rows());
}

bool enqueue_confirmation_resend(Tx& tx, std::int64_t event_id, std::string_view email, Instant now) {
  return !exec(tx, kResendConfirmation, event_id, std::string(email), epoch(now)).empty();
}

int plan_reminders(Tx& tx, Instant now) {
  return static_cast<int>(exec(tx, kPlanReminders, epoch(now)).affected_rows());
}

std::vector<Claimed> claim(Tx& tx, std::string_view worker, Instant now, std::chrono::seconds lease, int limit) {
  std::vector<Claimed> claimed;
  for (const auto& r : exec(tx, kClaim, std::string(worker), epoch(now), lease.count(), limit)) {
    claimed.push_back({r["id"].as<std::int64_t>(), optional_id(r["registration_id"]), optional_id(r["sign_in_id"]),
                       optional_id(r["invitation_id"]), optional_id(r["event_id"]), r["kind"].as<std::string>(), optional_id(r["session_id"]),
                       r["offset_seconds"].as<int>(), r["sequence"].as<int>(), r["attempts"].as<int>()});
  }
  std::sort(claimed.begin(), claimed.end(), [](const Claimed& a, const Claimed& b) { return a.id < b.id; });
  return claimed;
}

int record(Tx& tx, std::string_view worker, const std::vector<Outcome>& outcomes, Instant now) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& o : outcomes) {
    rows.push_back({{"id", o.message->id}, {"attempts", o.message->attempts}, {"status", to_string(o.status)},
                    {"due", epoch(o.due)}, {"detail", o.detail}});
  }
  return static_cast<int>(exec(tx, kRecord, std::string(worker), epoch(now), rows.dump()).affected_rows());
}

void release(Tx& tx, std::string_view worker, const std::vector<Claimed>& messages) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : messages) list.push_back({{"id", m.id}, {"attempts", m.attempts}});
  exec(tx, kRelease, std::string(worker), list.dump());
}

Depth depth(Tx& tx) {
  Depth depth;
  for (const auto& row : exec(tx, kDepth)) {
    const auto what = row["what"].as<std::string>();
    if (what == "due") {
      depth.due = row["n"].as<long>();
      depth.oldest_due_seconds = row["oldest"].as<double>();
    } else {
      depth.by_status[what] = row["n"].as<long>();
    }
  }
  return depth;
}

}  // namespace convene::store::outbox
