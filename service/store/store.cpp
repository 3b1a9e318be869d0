#include "store/store.hpp"

#include <nlohmann/json.hpp>

namespace convene::store {
namespace {

// ---------------------------------------------------------------------------------------------
// Statements. Times cross the boundary as whole seconds since the epoch: the session runs in UTC,
// and nothing depends on how PostgreSQL would format a timestamp.

constexpr const char* kEventColumns = R"sql(
  e.id, e.slug, e.title, e.description, e.timezone, e.capacity,
  extract(epoch FROM e.registration_opens_at)::bigint,
  e.registration_closes,
  extract(epoch FROM e.registration_closes_at)::bigint,
  e.requires_approval, e.join_url, e.organiser_name, e.organiser_email,
  array_to_json(e.reminder_offsets)::text, e.status,
  (SELECT coalesce(json_agg(json_build_array(
            s.id, s.title, extract(epoch FROM s.starts_local)::bigint, s.timezone, s.disambiguation,
            extract(epoch FROM s.starts_at)::bigint, s.duration_minutes, s.sequence, s.status, s.ical_uid)
          ORDER BY s.starts_at, s.id), '[]')::text
     FROM sessions s WHERE s.event_id = e.id),
  e.version
)sql";

constexpr const char* kRegistrationColumns = R"sql(
  r.id, r.event_id, r.email, r.name, r.organisation, r.country, r.timezone, r.language,
  r.answers::text, r.status,
  extract(epoch FROM r.consent_at)::bigint, extract(epoch FROM r.created_at)::bigint,
  extract(epoch FROM r.updated_at)::bigint, extract(epoch FROM r.cancelled_at)::bigint, r.invite_sequence
)sql";

// The registration a manage token (hash in $1) belongs to.
constexpr const char* kTokenOwner = R"sql((
  SELECT id FROM registrations WHERE manage_token_hash = decode($1, 'hex')
  UNION ALL
  SELECT registration_id FROM access_tokens WHERE token_hash = decode($1, 'hex') AND purpose = 'manage'
  LIMIT 1))sql";

struct Statement {
  const char* name;
  std::string sql;
};

const std::vector<Statement>& statements() {
  static const std::vector<Statement> all = {
      {"event_by_slug", std::string("SELECT ") + kEventColumns + " FROM events e WHERE e.slug = $1"},
      {"event_by_id", std::string("SELECT ") + kEventColumns + " FROM events e WHERE e.id = $1::bigint"},
      {"published_events", std::string("SELECT ") + kEventColumns +
                               " FROM events e WHERE e.status = 'published' AND e.id > $1 ORDER BY e.id LIMIT $2"},
      {"insert_event", R"sql(
        INSERT INTO events (slug, title, description, timezone, capacity, registration_opens_at,
                            registration_closes, registration_closes_at, requires_approval, join_url,
                            organiser_name, organiser_email, reminder_offsets, status)
        VALUES ($1, $2, $3, $4, $5, to_timestamp($6), $7, to_timestamp($8), $9, $10, $11, $12,
                ARRAY(SELECT json_array_elements_text($13::json)), $14)
        ON CONFLICT (slug) DO NOTHING
        RETURNING id)sql"},
      {"update_event", R"sql(
        UPDATE events SET title = $2, description = $3, timezone = $4, capacity = $5,
               registration_opens_at = to_timestamp($6), registration_closes = $7,
               registration_closes_at = to_timestamp($8), requires_approval = $9, join_url = $10,
               organiser_name = $11, organiser_email = $12,
               reminder_offsets = ARRAY(SELECT json_array_elements_text($13::json)), status = $14,
               version = version + 1, updated_at = now()
        WHERE id = $1)sql"},
      {"insert_session", R"sql(
        WITH bump AS (UPDATE events SET version = version + 1, updated_at = now() WHERE id = $1)
        INSERT INTO sessions (event_id, title, starts_local, timezone, disambiguation, starts_at,
                              duration_minutes, tzdb_version)
        VALUES ($1, $2, to_timestamp($3) AT TIME ZONE 'UTC', $4, $5, to_timestamp($6), $7, $8)
        RETURNING id, ical_uid)sql"},
      {"update_session", R"sql(
        WITH bump AS (UPDATE events SET version = version + 1, updated_at = now() WHERE id = $1)
        UPDATE sessions SET title = $3, starts_local = to_timestamp($4) AT TIME ZONE 'UTC',
               timezone = $5, disambiguation = $6, starts_at = to_timestamp($7),
               duration_minutes = $8, sequence = $9, status = $10, tzdb_version = $11,
               updated_at = now()
        WHERE event_id = $1 AND id = $2)sql"},
      {"scheduled_sessions_after", R"sql(
        SELECT s.event_id, e.slug,
               json_build_array(s.id, s.title, extract(epoch FROM s.starts_local)::bigint, s.timezone,
                                s.disambiguation, extract(epoch FROM s.starts_at)::bigint,
                                s.duration_minutes, s.sequence, s.status, s.ical_uid)::text,
               s.tzdb_version
        FROM sessions s JOIN events e ON e.id = s.event_id
        WHERE s.status = 'scheduled' AND s.starts_at > to_timestamp($1)
        ORDER BY s.id
        FOR UPDATE OF s)sql"},
      {"record_session_change", R"sql(
        INSERT INTO session_changes (session_id, reason, old_starts_at, new_starts_at, old_status, new_status,
                                     old_tzdb_version, new_tzdb_version, new_sequence)
        VALUES ($1, $2, to_timestamp($3), to_timestamp($4), $5, $6, $7, $8, $9))sql"},
      // New seats, except numbers already held (by a registrant an organiser seated beyond capacity).
      {"add_seats", R"sql(
        INSERT INTO free_seats (event_id, seat_no)
        SELECT $1, n FROM generate_series($2::int, $3::int) AS n
        WHERE NOT EXISTS (SELECT 1 FROM registrations WHERE event_id = $1 AND seat_no = n))sql"},
      {"lock_capacity", "SELECT pg_advisory_xact_lock(1, $1::int)"},
      {"confirmed_count",
       "SELECT count(*) FROM registrations WHERE event_id = $1 AND seat_no IS NOT NULL"},
      {"remove_free_seats_above", "DELETE FROM free_seats WHERE event_id = $1 AND seat_no > $2"},
      // Holders of seats above a lowered capacity move to free seats below it. Each move is made
      // only if that free seat was really taken (joined on `taken`), never on a guess.
      {"reseat_above", R"sql(
        WITH movers AS (
          SELECT id, row_number() OVER (ORDER BY seat_no) AS n
          FROM registrations WHERE event_id = $1 AND seat_no > $2),
        free AS (
          SELECT seat_no, row_number() OVER (ORDER BY seat_no) AS n
          FROM free_seats WHERE event_id = $1 AND seat_no <= $2),
        pairs AS (SELECT movers.id, free.seat_no FROM movers JOIN free USING (n)),
        taken AS (
          DELETE FROM free_seats f USING pairs p
          WHERE f.event_id = $1 AND f.seat_no = p.seat_no RETURNING f.seat_no)
        UPDATE registrations r SET seat_no = p.seat_no
        FROM pairs p JOIN taken t ON t.seat_no = p.seat_no
        WHERE r.id = p.id)sql"},
      // Free seats go to the oldest waitlisted registrants, one each, in one statement.
      {"fill_seats_from_waitlist", R"sql(
        WITH free AS (
          SELECT seat_no, row_number() OVER (ORDER BY seat_no) AS n
          FROM free_seats WHERE event_id = $1),
        waiting AS (
          SELECT id, row_number() OVER (ORDER BY id) AS n
          FROM registrations WHERE event_id = $1 AND status = 'waitlisted'),
        pairs AS (SELECT free.seat_no, waiting.id FROM free JOIN waiting USING (n)),
        taken AS (
          DELETE FROM free_seats f USING pairs p
          WHERE f.event_id = $1 AND f.seat_no = p.seat_no RETURNING f.seat_no)
        UPDATE registrations r SET status = 'confirmed', seat_no = p.seat_no, updated_at = to_timestamp($2)
        FROM pairs p JOIN taken t ON t.seat_no = p.seat_no
        WHERE r.id = p.id AND r.status = 'waitlisted'
        RETURNING r.id)sql"},
      // The fast path of the opening rush, one statement. If the event's version is still the one
      // the caller checked its rules against ($12), it takes a free seat nobody else is taking at
      // this moment (searching from a random seat, $11, and wrapping around) and inserts the
      // registration holding it; without a seat, the registration is waitlisted (and the caller
      // settles that under the capacity lock), or pending when $13 says the event needs approval.
      // Concurrent registrations lock different free_seats rows, so they commit in parallel; the
      // unique (event_id, seat_no) index makes a double booking impossible, not unlikely. The
      // free seat is deleted only if the registration was inserted.
      {"insert_registration", R"sql(
        WITH seat_after AS (
          SELECT seat_no FROM free_seats
          WHERE $13 AND event_id = $1 AND seat_no >= $11
          ORDER BY seat_no LIMIT 1
          FOR UPDATE SKIP LOCKED),
        seat_before AS (
          SELECT seat_no FROM free_seats
          WHERE $13 AND NOT EXISTS (SELECT 1 FROM seat_after) AND event_id = $1 AND seat_no < $11
          ORDER BY seat_no LIMIT 1
          FOR UPDATE SKIP LOCKED),
        seat AS (SELECT seat_no FROM seat_after UNION ALL SELECT seat_no FROM seat_before),
        registration AS (
          INSERT INTO registrations (event_id, email, name, organisation, country, timezone, language,
                                     answers, consent_at, status, seat_no, manage_token_hash,
                                     created_at, updated_at)
          SELECT $1, $2, $3, $4, $5, $6, $7, $8::jsonb, to_timestamp($9),
                 CASE WHEN NOT $13 THEN 'pending' WHEN seat.seat_no IS NULL THEN 'waitlisted'
                      ELSE 'confirmed' END,
                 seat.seat_no, decode($10, 'hex'), to_timestamp($9), to_timestamp($9)
          FROM (SELECT 1) AS one LEFT JOIN seat ON true
          WHERE EXISTS (SELECT 1 FROM events WHERE id = $1 AND version = $12)
            AND ($14 OR NOT $13 OR seat.seat_no IS NOT NULL)
          ON CONFLICT (event_id, lower(email)) DO NOTHING
          RETURNING id, status, seat_no),
        taken AS (
          DELETE FROM free_seats f USING registration r
          WHERE f.event_id = $1 AND f.seat_no = r.seat_no),
        confirmation AS (
          INSERT INTO outbox (registration_id, event_id, kind, due_at)
          SELECT id, $1, 'confirmation', to_timestamp($9) FROM registration)
        SELECT (SELECT version FROM events WHERE id = $1), registration.id, registration.status
        FROM (SELECT 1) AS one LEFT JOIN registration ON true)sql"},
      // The slow path, under the event's capacity lock: without SKIP LOCKED the statement waits for
      // seats that others are taking right now, and takes one if their transaction rolled back.
      {"claim_seat_waiting", R"sql(
        WITH seat AS (
          SELECT seat_no FROM free_seats WHERE event_id = $1 ORDER BY seat_no LIMIT 1 FOR UPDATE),
        taken AS (
          DELETE FROM free_seats f USING seat s
          WHERE f.event_id = $1 AND f.seat_no = s.seat_no RETURNING f.seat_no)
        UPDATE registrations SET status = 'confirmed', seat_no = (SELECT seat_no FROM taken),
               updated_at = to_timestamp($3)
        WHERE id = $2 AND EXISTS (SELECT 1 FROM taken)
        RETURNING id)sql"},
      // Ends a registration (cancelled or rejected); a seat it held becomes free again.
      {"end_registration", R"sql(
        WITH ended AS (
          UPDATE registrations r SET status = $2, seat_no = NULL, updated_at = to_timestamp($3),
                 cancelled_at = CASE WHEN $2 = 'cancelled' THEN to_timestamp($3) ELSE r.cancelled_at END,
                 invite_sequence = r.invite_sequence + 1
          FROM (SELECT id, seat_no AS held FROM registrations WHERE id = $1) AS before
          WHERE r.id = before.id
          RETURNING r.event_id, before.held)
        INSERT INTO free_seats (event_id, seat_no)
        SELECT event_id, held FROM ended WHERE held IS NOT NULL
        RETURNING seat_no)sql"},
      // A manage token is the one returned at registration or one minted for an e-mail.
      {"registration_by_token_hash", std::string("SELECT ") + kRegistrationColumns +
                                         " FROM registrations r WHERE r.id = " + kTokenOwner},
      {"registration_by_token_hash_for_update",
       std::string("SELECT ") + kRegistrationColumns + " FROM registrations r WHERE r.id = " + kTokenOwner +
           " FOR UPDATE"},
      {"registration_and_event_version",
       std::string("SELECT ") + kRegistrationColumns +
           ", e.slug, e.version FROM registrations r JOIN events e ON e.id = r.event_id WHERE r.id = " + kTokenOwner},
      {"event_version", "SELECT version FROM events WHERE slug = $1"},
      {"registration_by_id", std::string("SELECT ") + kRegistrationColumns +
                                 " FROM registrations r WHERE r.id = $1"},
      {"update_registration_details", R"sql(
        UPDATE registrations SET name = $2, organisation = $3, timezone = $4, language = $5,
               updated_at = to_timestamp($6)
        WHERE id = $1)sql"},
      {"enqueue", R"sql(
        INSERT INTO outbox (registration_id, event_id, kind, session_id, sequence, due_at)
        VALUES ($1, $2, $3, $4, $5, to_timestamp($6))
        ON CONFLICT DO NOTHING)sql"},
      {"enqueue_for_active_registrants", R"sql(
        INSERT INTO outbox (registration_id, event_id, kind, session_id, sequence, due_at)
        SELECT id, event_id, $2, $3, $4, to_timestamp($5) FROM registrations
        WHERE event_id = $1 AND status IN ('confirmed', 'waitlisted', 'pending')
        ON CONFLICT DO NOTHING)sql"},
      // Reminders are planned when they come due rather than written at registration: a session
      // that moves takes its reminders with it (they follow its sequence), and the registration
      // stays one statement. "Once" still holds: the unique key refuses a second copy.
      {"plan_reminders", R"sql(
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
        ON CONFLICT DO NOTHING)sql"},
      {"claim_outbox", R"sql(
        UPDATE outbox SET status = 'sending', worker = $1, attempts = attempts + 1,
               lease_until = to_timestamp($2) + make_interval(secs => $3)
        WHERE id IN (
          SELECT id FROM outbox
          WHERE (status = 'pending' AND due_at <= to_timestamp($2))
             OR (status = 'sending' AND lease_until < to_timestamp($2))
          ORDER BY due_at, id
          LIMIT $4
          FOR UPDATE SKIP LOCKED)
        RETURNING id, registration_id, event_id, kind, session_id, offset_seconds, sequence, attempts)sql"},
      {"record_outbox_outcomes", R"sql(
        UPDATE outbox o SET status = v.status, lease_until = NULL,
               sent_at = CASE WHEN v.status = 'sent' THEN to_timestamp($2) ELSE o.sent_at END,
               due_at = CASE WHEN v.status = 'pending' THEN to_timestamp(v.due) ELSE o.due_at END,
               last_error = CASE WHEN v.status = 'sent' THEN NULL ELSE v.detail END
        FROM jsonb_to_recordset($3::jsonb) AS v(id bigint, attempts integer, status text, due bigint, detail text)
        WHERE o.id = v.id AND o.worker = $1 AND o.attempts = v.attempts AND o.status = 'sending')sql"},
      {"release_outbox", R"sql(
        UPDATE outbox o SET status = 'pending', attempts = o.attempts - 1, lease_until = NULL, worker = NULL
        FROM jsonb_to_recordset($2::jsonb) AS v(id bigint, attempts integer)
        WHERE o.id = v.id AND o.worker = $1 AND o.attempts = v.attempts AND o.status = 'sending')sql"},
      {"add_access_tokens", R"sql(
        INSERT INTO access_tokens (token_hash, registration_id, purpose)
        SELECT decode(v.hash, 'hex'), v.registration, v.purpose
        FROM jsonb_to_recordset($1::jsonb) AS v(hash text, registration bigint, purpose text))sql"},
      {"registrations_by_ids", std::string("SELECT ") + kRegistrationColumns +
                                   " FROM registrations r WHERE r.id = ANY($1::bigint[])"},
      {"event_versions", "SELECT id, version FROM events WHERE id = ANY($1::bigint[])"},
      {"enqueue_confirmation_resend", R"sql(
        WITH resent AS (
          UPDATE registrations SET confirmation_resends = confirmation_resends + 1,
                 confirmation_resent_at = to_timestamp($3)
          WHERE event_id = $1 AND lower(email) = lower($2)
            AND (confirmation_resent_at IS NULL OR confirmation_resent_at < to_timestamp($3) - interval '1 hour')
          RETURNING id, event_id, confirmation_resends)
        INSERT INTO outbox (registration_id, event_id, kind, sequence, due_at)
        SELECT id, event_id, 'confirmation', confirmation_resends, to_timestamp($3) FROM resent
        ON CONFLICT DO NOTHING
        RETURNING id)sql"},
      {"join_by_token_hash", std::string(R"sql(
        WITH joined AS (
          UPDATE registrations r SET first_joined_at = coalesce(r.first_joined_at, to_timestamp($2)),
                                     last_joined_at = to_timestamp($2)
          FROM access_tokens t
          WHERE t.token_hash = decode($1, 'hex') AND t.purpose = 'join' AND t.registration_id = r.id
            AND r.status = 'confirmed'
          RETURNING r.id)
        SELECT )sql") + kRegistrationColumns + R"sql(
        FROM access_tokens t JOIN registrations r ON r.id = t.registration_id
        WHERE t.token_hash = decode($1, 'hex') AND t.purpose = 'join')sql"},
      {"roster_page", std::string("SELECT ") + kRegistrationColumns + R"sql(,
               extract(epoch FROM r.checked_in_at)::bigint, extract(epoch FROM r.first_joined_at)::bigint,
               extract(epoch FROM r.last_joined_at)::bigint
        FROM registrations r
        WHERE r.event_id = $1 AND r.erased_at IS NULL AND r.id > $2
          AND ($3::text IS NULL OR r.status = $3)
          AND ($4::text IS NULL OR r.country = $4)
          AND ($5::text IS NULL OR convene_fold(r.name) LIKE convene_fold($5)
               OR convene_fold(r.email) LIKE convene_fold($5)
               OR convene_fold(coalesce(r.organisation, '')) LIKE convene_fold($5))
        ORDER BY r.id
        LIMIT $6)sql"},
      {"export_page", R"sql(
        SELECT r.id::text, r.status, r.email, r.name, coalesce(r.organisation, ''), coalesce(r.country, ''),
               r.timezone, r.language,
               to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               to_char(r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               coalesce(to_char(r.cancelled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
               coalesce(to_char(r.checked_in_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
               coalesce(to_char(r.first_joined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
               coalesce(to_char(r.last_joined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
               CASE WHEN r.answers = '{}' THEN '' ELSE r.answers::text END
        FROM registrations r
        WHERE r.event_id = $1 AND r.erased_at IS NULL AND r.id > $2
        ORDER BY r.id LIMIT $3)sql"},
      {"roster_entry", std::string("SELECT ") + kRegistrationColumns + R"sql(,
               extract(epoch FROM r.checked_in_at)::bigint, extract(epoch FROM r.first_joined_at)::bigint,
               extract(epoch FROM r.last_joined_at)::bigint
        FROM registrations r WHERE r.event_id = $1 AND r.id = $2 AND r.erased_at IS NULL)sql"},
      {"roster_entry_for_update", std::string("SELECT ") + kRegistrationColumns + R"sql(,
               extract(epoch FROM r.checked_in_at)::bigint, extract(epoch FROM r.first_joined_at)::bigint,
               extract(epoch FROM r.last_joined_at)::bigint
        FROM registrations r WHERE r.event_id = $1 AND r.id = $2 AND r.erased_at IS NULL FOR UPDATE)sql"},
      // Counts over everyone ever registered (erased people included: counts are kept), places by
      // country and zone over those still coming (confirmed, waitlisted, pending).
      {"event_stats", R"sql(
        SELECT 'status', status, count(*) FROM registrations WHERE event_id = $1 GROUP BY status
        UNION ALL
        SELECT 'country', coalesce(country, ''), count(*) FROM registrations
        WHERE event_id = $1 AND status IN ('confirmed', 'waitlisted', 'pending') GROUP BY country
        UNION ALL
        SELECT 'timezone', timezone, count(*) FROM registrations
        WHERE event_id = $1 AND status IN ('confirmed', 'waitlisted', 'pending') GROUP BY timezone
        UNION ALL
        SELECT 'seats_left', '', count(*) FROM free_seats WHERE event_id = $1
        UNION ALL
        SELECT 'checked_in', '', count(*) FROM registrations WHERE event_id = $1 AND checked_in_at IS NOT NULL
        UNION ALL
        SELECT 'overbooked', '', count(*) FROM registrations r JOIN events e ON e.id = r.event_id
        WHERE r.event_id = $1 AND r.seat_no > e.capacity)sql"},
      {"deliveries_page", R"sql(
        SELECT id, registration_id, kind, session_id, status, attempts, extract(epoch FROM due_at)::bigint,
               extract(epoch FROM sent_at)::bigint, last_error
        FROM outbox
        WHERE event_id = $1 AND id > $2
          AND ($3::text IS NULL OR status = $3 OR ($3 = 'pending' AND status = 'sending'))
          AND ($4::text IS NULL OR kind = $4)
        ORDER BY id LIMIT $5)sql"},
      {"audit_page", R"sql(
        SELECT id, actor, action, registration_id, session_id, details::text, extract(epoch FROM at)::bigint
        FROM audit_log WHERE event_id = $1 AND id > $2 ORDER BY id LIMIT $3)sql"},
      {"set_checked_in", "UPDATE registrations SET checked_in_at = to_timestamp($2), updated_at = now() WHERE id = $1"},
      // Seats beyond capacity are numbered after every other seat of the event.
      {"take_extra_seat", R"sql(
        UPDATE registrations SET status = 'confirmed', updated_at = to_timestamp($3), seat_no = (
          SELECT greatest(e.capacity,
                          coalesce((SELECT max(seat_no) FROM registrations WHERE event_id = $1), 0),
                          coalesce((SELECT max(seat_no) FROM free_seats WHERE event_id = $1), 0)) + 1
          FROM events e WHERE e.id = $1)
        WHERE id = $2)sql"},
      {"bump_invite_sequence", "UPDATE registrations SET invite_sequence = invite_sequence + 1 WHERE id = $1"},
      {"next_confirmation_sequence", R"sql(
        UPDATE registrations SET confirmation_resends = confirmation_resends + 1 WHERE id = $1
        RETURNING confirmation_resends)sql"},
      {"audit", R"sql(
        INSERT INTO audit_log (event_id, organiser_id, actor, action, registration_id, session_id, details)
        VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb))sql"},
      // Erasure: the row stays for counts (status, country, zone, language, times); everything that
      // names or reaches the person goes. Their tokens stop working, their pending messages are
      // skipped, and errors that might quote their address are cleared.
      {"erase_registration", R"sql(
        WITH erased AS (
          UPDATE registrations SET email = 'erased-' || id || '@erased.invalid', name = 'Erased',
                 organisation = NULL, answers = '{}',
                 manage_token_hash = sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')),
                 erased_at = to_timestamp($2), updated_at = to_timestamp($2)
          WHERE id = $1 RETURNING id),
        tokens AS (DELETE FROM access_tokens WHERE registration_id = $1),
        replies AS (DELETE FROM idempotency_keys WHERE registration_id = $1),
        messages AS (
          UPDATE outbox SET status = CASE WHEN status IN ('pending', 'sending') THEN 'skipped' ELSE status END,
                 last_error = CASE WHEN status IN ('pending', 'sending') THEN 'the registration was erased' END,
                 lease_until = NULL
          WHERE registration_id = $1)
        SELECT id FROM erased)sql"},
      {"registrations_by_status", "SELECT status, count(*) FROM registrations GROUP BY status"},
      {"outbox_depth", R"sql(
        SELECT 'due', count(*), coalesce(extract(epoch FROM now() - min(due_at)), 0)::float8
        FROM outbox WHERE status IN ('pending', 'sending') AND due_at <= now()
        UNION ALL
        SELECT status, count(*), 0 FROM outbox GROUP BY status)sql"},
      {"purge_idempotency_keys", R"sql(
        DELETE FROM idempotency_keys WHERE key_hash IN (
          SELECT key_hash FROM idempotency_keys WHERE created_at < to_timestamp($1) - interval '24 hours'
          ORDER BY created_at LIMIT $2))sql"},
      {"expire_idempotency_key",
       "DELETE FROM idempotency_keys WHERE key_hash = decode($1, 'hex') AND created_at < now() - interval '24 hours'"},
      {"claim_idempotency_key", R"sql(
        INSERT INTO idempotency_keys (key_hash, request_hash) VALUES (decode($1, 'hex'), decode($2, 'hex'))
        ON CONFLICT (key_hash) DO NOTHING RETURNING 1)sql"},
      {"idempotency_record",
       "SELECT encode(request_hash, 'hex'), status, encode(response, 'hex') FROM idempotency_keys "
       "WHERE key_hash = decode($1, 'hex')"},
      {"complete_idempotency_key",
       "UPDATE idempotency_keys SET status = $2, response = decode($3, 'hex'), registration_id = $4 "
       "WHERE key_hash = decode($1, 'hex')"},
      {"insert_organiser",
       "INSERT INTO organisers (email, token_hash, all_events) VALUES ($1, decode($2, 'hex'), $3) RETURNING id"},
      {"grant_event_by_slug", R"sql(
        INSERT INTO organiser_events (organiser_id, event_id)
        SELECT $1, id FROM events WHERE slug = $2
        ON CONFLICT DO NOTHING RETURNING event_id)sql"},
      {"grant_event_by_id",
       "INSERT INTO organiser_events (organiser_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"},
      {"organiser_by_token_hash", R"sql(
        SELECT o.id, o.email, o.all_events,
               EXISTS (SELECT 1 FROM organiser_events oe JOIN events e ON e.id = oe.event_id
                       WHERE oe.organiser_id = o.id AND e.slug = $2)
        FROM organisers o WHERE o.token_hash = decode($1, 'hex') AND o.revoked_at IS NULL)sql"},
      {"revoke_organisers",
       "UPDATE organisers SET revoked_at = now() WHERE lower(email) = lower($1) AND revoked_at IS NULL"},
      {"server_secret", "SELECT encode(value, 'hex') FROM server_secrets WHERE name = $1"},
  };
  return all;
}

void prepare_statements(pqxx::connection& connection) {
  for (const auto& statement : statements()) connection.prepare(statement.name, statement.sql);
}

// ---------------------------------------------------------------------------------------------
// Parameters and columns.

// libpqxx 6 passes a null for a null const char*; std::optional is not understood there.
const char* nullable(const std::optional<std::string>& value) { return value ? value->c_str() : nullptr; }

std::optional<long long> epoch(const std::optional<Instant>& instant) {
  if (!instant) return std::nullopt;
  return instant->time_since_epoch().count();
}

// to_timestamp(NULL) is NULL, so optional instants travel as nullable text.
std::optional<std::string> epoch_text(const std::optional<Instant>& instant) {
  auto seconds = epoch(instant);
  return seconds ? std::optional(std::to_string(*seconds)) : std::nullopt;
}

long long epoch(Instant instant) { return instant.time_since_epoch().count(); }
long long epoch(WallTime wall) { return wall.time_since_epoch().count(); }

Instant instant_of(const pqxx::field& field) { return Instant{std::chrono::seconds{field.as<long long>()}}; }
std::optional<Instant> optional_instant_of(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return instant_of(field);
}
std::optional<std::string> optional_text(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

// A zone name stored earlier that today's tz database no longer knows (it has never happened: IANA
// keeps old names as links) falls back to UTC rather than making the row unreadable.
TimeZone zone_of(const std::string& name) { return TimeZone::find(name).value_or(TimeZone::utc()); }

std::string hex(const Sha256& digest) { return to_hex(digest); }

Sha256 digest_from_hex(const std::string& text) {
  Sha256 digest{};
  for (std::size_t i = 0; i < digest.size() && 2 * i + 1 < text.size(); ++i)
    digest[i] = static_cast<std::uint8_t>(std::stoi(text.substr(2 * i, 2), nullptr, 16));
  return digest;
}

std::string bytes_from_hex(const std::string& text) {
  std::string bytes(text.size() / 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<char>(std::stoi(text.substr(2 * i, 2), nullptr, 16));
  return bytes;
}

std::string hex_of_bytes(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 15]);
  }
  return out;
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

Session session_from_json(const nlohmann::json& s) {
  Session session{
      .id = s[0].get<std::int64_t>(),
      .title = s[1].get<std::string>(),
      .time = SessionTime{WallTime{std::chrono::seconds{s[2].get<long long>()}}, zone_of(s[3].get<std::string>()),
                          parse_disambiguation(s[4].get<std::string>()).value_or(Disambiguation::reject),
                          std::chrono::minutes{s[6].get<int>()}},
      .starts_at = Instant{std::chrono::seconds{s[5].get<long long>()}},
      .sequence = s[7].get<int>(),
      .status = parse_session_status(s[8].get<std::string>()).value_or(SessionStatus::scheduled),
  };
  session.uid = s[9].get<std::string>();
  return session;
}

Event event_from_row(const pqxx::row& row) {
  Event event{.zone = zone_of(row[4].as<std::string>())};
  event.id = row[0].as<std::int64_t>();
  event.slug = row[1].as<std::string>();
  event.title = row[2].as<std::string>();
  event.description = row[3].as<std::string>();
  event.capacity = row[5].as<int>();
  event.registration_opens_at = optional_instant_of(row[6]);
  const auto closes = row[7].as<std::string>();
  if (closes == "at") event.registration_closes = instant_of(row[8]);
  else if (closes == "never") event.registration_closes = StaysOpen{};
  else event.registration_closes = ClosesWhenLastSessionStarts{};
  event.requires_approval = row[9].as<bool>();
  event.join_url = optional_text(row[10]);
  event.organiser_name = optional_text(row[11]);
  event.organiser_email = optional_text(row[12]);
  for (const auto& text : nlohmann::json::parse(row[13].as<std::string>())) {
    if (auto offset = IsoDuration::parse(text.get<std::string>())) event.reminder_offsets.push_back(*offset);
  }
  event.status = parse_event_status(row[14].as<std::string>()).value_or(EventStatus::draft);
  for (const auto& s : nlohmann::json::parse(row[15].as<std::string>())) {
    event.sessions.push_back(session_from_json(s));
  }
  event.version = row[16].as<std::int64_t>();
  return event;
}

Registration registration_from_row(const pqxx::row& row) {
  Registration r{.zone = zone_of(row[6].as<std::string>())};
  r.id = row[0].as<std::int64_t>();
  r.event_id = row[1].as<std::int64_t>();
  r.email = row[2].as<std::string>();
  r.name = row[3].as<std::string>();
  r.organisation = optional_text(row[4]);
  if (!row[5].is_null()) r.country = CountryCode::parse(row[5].as<std::string>());
  r.language = parse_language(row[7].as<std::string>()).value_or(Language::en);
  r.answers = nlohmann::json::parse(row[8].as<std::string>());
  r.status = parse_registration_status(row[9].as<std::string>()).value_or(RegistrationStatus::pending);
  r.consent_at = instant_of(row[10]);
  r.created_at = instant_of(row[11]);
  r.updated_at = instant_of(row[12]);
  r.cancelled_at = optional_instant_of(row[13]);
  r.invite_sequence = row[14].as<int>();
  return r;
}

bool means_database_unavailable(const std::string& sqlstate) {
  // 08: connection exception; 57P0x: the server is shutting down or starting; 57014: a statement
  // ran into statement_timeout; 53300: too many connections.
  return sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P0", 0) == 0 || sqlstate == "57014" ||
         sqlstate == "53300";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Events.

std::optional<Event> Transaction::event_where(const std::string& statement, const std::string& key) {
  const auto result = tx_.exec_prepared(statement, key);
  if (result.empty()) return std::nullopt;
  return event_from_row(result[0]);
}

std::optional<Event> Transaction::event_by_slug(std::string_view slug) {
  return event_where("event_by_slug", std::string(slug));
}

std::optional<Event> Transaction::event_by_id(std::int64_t id) {
  return event_where("event_by_id", std::to_string(id));
}

std::vector<Event> Transaction::published_events(std::int64_t after_id, int limit) {
  std::vector<Event> events;
  for (const auto& row : tx_.exec_prepared("published_events", after_id, limit))
    events.push_back(event_from_row(row));
  return events;
}

namespace {
// The columns insert_event and update_event share, in their parameter order from $2.
template <class Exec>
auto with_event_parameters(const Event& e, Exec&& exec) {
  const auto opens = epoch_text(e.registration_opens_at);
  const auto closes = epoch_text(closes_at(e.registration_closes));
  return exec(e.title, e.description, std::string(e.zone.name()), e.capacity, nullable(opens),
              closes_kind(e.registration_closes), nullable(closes), e.requires_approval,
              nullable(e.join_url), nullable(e.organiser_name), nullable(e.organiser_email),
              offsets_json(e.reminder_offsets), std::string(to_string(e.status)));
}
}  // namespace

std::optional<std::int64_t> Transaction::insert_event(const Event& event) {
  const auto result = with_event_parameters(event, [&](auto&&... columns) {
    return tx_.exec_prepared("insert_event", event.slug, columns...);
  });
  if (result.empty()) return std::nullopt;
  return result[0][0].as<std::int64_t>();
}

void Transaction::update_event(const Event& event) {
  with_event_parameters(event, [&](auto&&... columns) {
    return tx_.exec_prepared("update_event", event.id, columns...);
  });
}

Session Transaction::insert_session(std::int64_t event_id, const NewSession& s) {
  const auto result = tx_.exec_prepared("insert_session", event_id, s.title, epoch(s.time.starts_local),
                                        std::string(s.time.zone.name()),
                                        std::string(to_string(s.time.disambiguation)), epoch(s.starts_at),
                                        static_cast<int>(s.time.duration.count()), tzdb_version());
  return Session{.id = result[0][0].as<std::int64_t>(), .uid = result[0][1].as<std::string>(), .title = s.title,
                 .time = s.time, .starts_at = s.starts_at};
}

void Transaction::update_session(std::int64_t event_id, const Session& s) {
  tx_.exec_prepared("update_session", event_id, s.id, s.title, epoch(s.time.starts_local),
                    std::string(s.time.zone.name()), std::string(to_string(s.time.disambiguation)),
                    epoch(s.starts_at), static_cast<int>(s.time.duration.count()), s.sequence,
                    std::string(to_string(s.status)), tzdb_version());
}

std::vector<StoredSession> Transaction::scheduled_sessions_after(Instant after) {
  std::vector<StoredSession> found;
  for (const auto& row : tx_.exec_prepared("scheduled_sessions_after", epoch(after))) {
    found.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>(),
                     session_from_json(nlohmann::json::parse(row[2].as<std::string>())), row[3].as<std::string>()});
  }
  return found;
}

void Transaction::record_session_change(const SessionChange& c) {
  tx_.exec_prepared("record_session_change", c.session_id, c.reason, epoch(c.old_starts_at), epoch(c.new_starts_at),
                    std::string(to_string(c.old_status)), std::string(to_string(c.new_status)), c.old_tzdb_version,
                    tzdb_version(), c.new_sequence);
}

// ---------------------------------------------------------------------------------------------
// Capacity.

void Transaction::add_seats(std::int64_t event_id, int first_seat_no, int last_seat_no) {
  if (first_seat_no <= last_seat_no) tx_.exec_prepared("add_seats", event_id, first_seat_no, last_seat_no);
}

void Transaction::lock_capacity(std::int64_t event_id) { tx_.exec_prepared("lock_capacity", event_id); }

int Transaction::confirmed_count(std::int64_t event_id) {
  return tx_.exec_prepared("confirmed_count", event_id)[0][0].as<int>();
}

void Transaction::shrink_seats(std::int64_t event_id, int capacity) {
  tx_.exec_prepared("remove_free_seats_above", event_id, capacity);
  tx_.exec_prepared("reseat_above", event_id, capacity);
}

std::vector<std::int64_t> Transaction::fill_seats_from_waitlist(std::int64_t event_id, Instant now) {
  std::vector<std::int64_t> promoted;
  for (const auto& row : tx_.exec_prepared("fill_seats_from_waitlist", event_id, epoch(now)))
    promoted.push_back(row[0].as<std::int64_t>());
  for (const auto id : promoted) changed(id);
  return promoted;
}

// ---------------------------------------------------------------------------------------------
// Registrations.

namespace {
template <class Exec>
auto with_registration_parameters(const Transaction::NewRegistration& r, Exec&& exec) {
  const auto& q = r.request;
  const std::optional<std::string> country =
      q.country ? std::optional(std::string(q.country->code())) : std::nullopt;
  return exec(r.event_id, q.email.text(), q.name, nullable(q.organisation), nullable(country),
              std::string(r.zone.name()), std::string(to_string(r.language)), q.answers.dump(),
              epoch(r.now), hex(r.manage_token_hash));
}
}  // namespace

RegistrationInsert Transaction::insert_registration(const NewRegistration& r, const Event& checked_against,
                                                   int first_seat_to_try, Waitlisting waitlisting) {
  const bool takes_seat = !checked_against.requires_approval;
  const bool may_waitlist = waitlisting == Waitlisting::allowed;
  const auto result = with_registration_parameters(r, [&](auto&&... p) {
    return tx_.exec_prepared("insert_registration", p..., first_seat_to_try, checked_against.version, takes_seat,
                             may_waitlist);
  });
  const auto& row = result[0];
  if (row[0].is_null() || row[0].as<std::int64_t>() != checked_against.version)
    return {RegistrationInsert::event_changed, 0, RegistrationStatus::pending};
  if (row[1].is_null()) {
    // Nothing inserted: the address is registered already, or (when waitlisting was not allowed)
    // there was no seat to take; the caller's waitlisting path tells the two apart.
    return {takes_seat && !may_waitlist ? RegistrationInsert::no_seat_or_duplicate : RegistrationInsert::already_registered,
            0, RegistrationStatus::pending};
  }
  return {RegistrationInsert::inserted, row[1].as<std::int64_t>(),
          parse_registration_status(row[2].as<std::string>()).value_or(RegistrationStatus::pending)};
}

bool Transaction::claim_seat_waiting(std::int64_t event_id, std::int64_t registration_id, Instant now) {
  changed(registration_id);
  return !tx_.exec_prepared("claim_seat_waiting", event_id, registration_id, epoch(now)).empty();
}

std::optional<Registration> Transaction::registration_by_token_hash(const Sha256& hash, bool for_update) {
  const auto result = tx_.exec_prepared(
      for_update ? "registration_by_token_hash_for_update" : "registration_by_token_hash", hex(hash));
  if (result.empty()) return std::nullopt;
  return registration_from_row(result[0]);
}

std::optional<Transaction::RegistrationAndEvent> Transaction::registration_and_event_version(const Sha256& hash) {
  const auto result = tx_.exec_prepared("registration_and_event_version", hex(hash));
  if (result.empty()) return std::nullopt;
  return RegistrationAndEvent{registration_from_row(result[0]), result[0][15].as<std::string>(),
                              result[0][16].as<std::int64_t>()};
}

std::optional<std::int64_t> Transaction::event_version(std::string_view slug) {
  const auto result = tx_.exec_prepared("event_version", std::string(slug));
  if (result.empty()) return std::nullopt;
  return result[0][0].as<std::int64_t>();
}

std::optional<Registration> Transaction::registration_by_id(std::int64_t id) {
  const auto result = tx_.exec_prepared("registration_by_id", id);
  if (result.empty()) return std::nullopt;
  return registration_from_row(result[0]);
}

void Transaction::update_registration_details(const Registration& r, Instant now) {
  changed(r.id);
  tx_.exec_prepared("update_registration_details", r.id, r.name, nullable(r.organisation),
                    std::string(r.zone.name()), std::string(to_string(r.language)), epoch(now));
}

bool Transaction::end_registration(std::int64_t id, RegistrationStatus status, Instant now) {
  changed(id);
  return !tx_.exec_prepared("end_registration", id, std::string(to_string(status)), epoch(now)).empty();
}

// ---------------------------------------------------------------------------------------------
// Outbox.

namespace {
std::optional<std::string> optional_id_text(std::optional<std::int64_t> id) {
  return id ? std::optional(std::to_string(*id)) : std::nullopt;
}
}  // namespace

void Transaction::enqueue(std::int64_t registration_id, std::int64_t event_id, std::string_view kind,
                          std::optional<std::int64_t> session_id, int sequence, Instant due) {
  const auto session = optional_id_text(session_id);
  tx_.exec_prepared("enqueue", registration_id, event_id, std::string(kind), nullable(session), sequence, epoch(due));
}

int Transaction::enqueue_for_active_registrants(std::int64_t event_id, std::string_view kind, std::int64_t session_id,
                                                 int sequence, Instant due) {
  return static_cast<int>(
      tx_.exec_prepared("enqueue_for_active_registrants", event_id, std::string(kind), session_id, sequence, epoch(due))
          .affected_rows());
}

int Transaction::plan_reminders(Instant now) {
  return static_cast<int>(tx_.exec_prepared("plan_reminders", epoch(now)).affected_rows());
}

int Transaction::purge_idempotency_keys(Instant now, int limit) {
  return static_cast<int>(tx_.exec_prepared("purge_idempotency_keys", epoch(now), limit).affected_rows());
}

std::vector<OutboxRow> Transaction::claim_outbox(std::string_view worker, Instant now, std::chrono::seconds lease,
                                                 int limit) {
  std::vector<OutboxRow> rows;
  for (const auto& r : tx_.exec_prepared("claim_outbox", std::string(worker), epoch(now), lease.count(), limit)) {
    rows.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>(), r[3].as<std::string>(),
                    r[4].is_null() ? std::nullopt : std::optional(r[4].as<std::int64_t>()), r[5].as<int>(),
                    r[6].as<int>(), r[7].as<int>()});
  }
  std::sort(rows.begin(), rows.end(), [](const OutboxRow& a, const OutboxRow& b) { return a.id < b.id; });
  return rows;
}

namespace {
std::string id_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "}";
}
}  // namespace

int Transaction::record_outbox_outcomes(std::string_view worker, const std::vector<OutboxOutcome>& outcomes,
                                        Instant now) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& o : outcomes) {
    rows.push_back({{"id", o.row->id}, {"attempts", o.row->attempts}, {"status", o.status},
                    {"due", epoch(o.due)}, {"detail", o.detail}});
  }
  return static_cast<int>(
      tx_.exec_prepared("record_outbox_outcomes", std::string(worker), epoch(now), rows.dump()).affected_rows());
}

void Transaction::release_outbox(std::string_view worker, const std::vector<OutboxRow>& rows) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : rows) list.push_back({{"id", r.id}, {"attempts", r.attempts}});
  tx_.exec_prepared("release_outbox", std::string(worker), list.dump());
}

std::vector<Registration> Transaction::registrations_by_ids(const std::vector<std::int64_t>& ids) {
  std::vector<Registration> found;
  for (const auto& row : tx_.exec_prepared("registrations_by_ids", id_array(ids))) found.push_back(registration_from_row(row));
  return found;
}

std::map<std::int64_t, std::int64_t> Transaction::event_versions(const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, std::int64_t> versions;
  for (const auto& row : tx_.exec_prepared("event_versions", id_array(ids)))
    versions[row[0].as<std::int64_t>()] = row[1].as<std::int64_t>();
  return versions;
}

bool Transaction::enqueue_confirmation_resend(std::int64_t event_id, std::string_view email, Instant now) {
  return !tx_.exec_prepared("enqueue_confirmation_resend", event_id, std::string(email), epoch(now)).empty();
}

void Transaction::add_access_tokens(const std::vector<NewAccessToken>& tokens) {
  if (tokens.empty()) return;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& t : tokens) rows.push_back({{"hash", hex(t.hash)}, {"registration", t.registration_id}, {"purpose", t.purpose}});
  tx_.exec_prepared("add_access_tokens", rows.dump());
}

std::optional<Registration> Transaction::join_by_token_hash(const Sha256& token_hash, Instant now) {
  const auto result = tx_.exec_prepared("join_by_token_hash", hex(token_hash), epoch(now));
  if (result.empty()) return std::nullopt;
  return registration_from_row(result[0]);
}

// ---------------------------------------------------------------------------------------------
// Organisers' views.

namespace {
RosterEntry roster_entry_from_row(const pqxx::row& row) {
  return {registration_from_row(row), optional_instant_of(row[15]), optional_instant_of(row[16]),
          optional_instant_of(row[17])};
}
}  // namespace

std::vector<RosterEntry> Transaction::roster_page(std::int64_t event_id, const RosterFilter& filter,
                                                  std::int64_t after_id, int limit) {
  const std::optional<std::string> status =
      filter.status ? std::optional(std::string(to_string(*filter.status))) : std::nullopt;
  std::vector<RosterEntry> entries;
  for (const auto& row : tx_.exec_prepared("roster_page", event_id, after_id, nullable(status), nullable(filter.country),
                                           nullable(filter.like_pattern), limit))
    entries.push_back(roster_entry_from_row(row));
  return entries;
}

std::vector<std::vector<std::string>> Transaction::export_page(std::int64_t event_id, std::int64_t after_id, int limit,
                                                               std::int64_t& last_id) {
  std::vector<std::vector<std::string>> rows;
  const auto result = tx_.exec_prepared("export_page", event_id, after_id, limit);
  rows.reserve(result.size());
  for (const auto& row : result) {
    std::vector<std::string> fields;
    fields.reserve(row.size());
    for (const auto& field : row) fields.emplace_back(field.c_str(), field.size());
    rows.push_back(std::move(fields));
  }
  if (!result.empty()) last_id = result[result.size() - 1][0].as<std::int64_t>();
  return rows;
}

std::optional<RosterEntry> Transaction::roster_entry(std::int64_t event_id, std::int64_t registration_id,
                                                     bool for_update) {
  const auto result =
      tx_.exec_prepared(for_update ? "roster_entry_for_update" : "roster_entry", event_id, registration_id);
  if (result.empty()) return std::nullopt;
  return roster_entry_from_row(result[0]);
}

EventStats Transaction::event_stats(std::int64_t event_id) {
  EventStats stats;
  for (const auto& row : tx_.exec_prepared("event_stats", event_id)) {
    const auto kind = row[0].as<std::string>();
    const auto key = row[1].as<std::string>();
    const int count = row[2].as<int>();
    if (kind == "status") stats.by_status[key] = count;
    else if (kind == "country") stats.by_country[key] = count;
    else if (kind == "timezone") stats.by_timezone[key] = count;
    else if (kind == "seats_left") stats.seats_left = count;
    else if (kind == "checked_in") stats.checked_in = count;
    else if (kind == "overbooked") stats.overbooked = count;
  }
  stats.waitlist_length = stats.by_status.contains("waitlisted") ? stats.by_status["waitlisted"] : 0;
  return stats;
}

std::vector<DeliveryRow> Transaction::deliveries_page(std::int64_t event_id, std::optional<std::string_view> status,
                                                      std::optional<std::string_view> kind, std::int64_t after_id,
                                                      int limit) {
  const std::optional<std::string> s = status ? std::optional(std::string(*status)) : std::nullopt;
  const std::optional<std::string> k = kind ? std::optional(std::string(*kind)) : std::nullopt;
  std::vector<DeliveryRow> rows;
  for (const auto& r : tx_.exec_prepared("deliveries_page", event_id, after_id, nullable(s), nullable(k), limit)) {
    rows.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::string>(),
                    r[3].is_null() ? std::nullopt : std::optional(r[3].as<std::int64_t>()), r[4].as<std::string>(),
                    r[5].as<int>(), instant_of(r[6]), optional_instant_of(r[7]), optional_text(r[8])});
  }
  return rows;
}

std::vector<AuditEntry> Transaction::audit_page(std::int64_t event_id, std::int64_t after_id, int limit) {
  std::vector<AuditEntry> entries;
  for (const auto& r : tx_.exec_prepared("audit_page", event_id, after_id, limit)) {
    entries.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                       r[3].is_null() ? std::nullopt : std::optional(r[3].as<std::int64_t>()),
                       r[4].is_null() ? std::nullopt : std::optional(r[4].as<std::int64_t>()), r[5].as<std::string>(),
                       instant_of(r[6])});
  }
  return entries;
}

void Transaction::set_checked_in(std::int64_t registration_id, std::optional<Instant> at) {
  changed(registration_id);
  const auto seconds = epoch_text(at);
  tx_.exec_prepared("set_checked_in", registration_id, nullable(seconds));
}

void Transaction::take_extra_seat(std::int64_t event_id, std::int64_t registration_id, Instant now) {
  changed(registration_id);
  tx_.exec_prepared("take_extra_seat", event_id, registration_id, epoch(now));
}

void Transaction::bump_invite_sequence(std::int64_t registration_id) {
  changed(registration_id);
  tx_.exec_prepared("bump_invite_sequence", registration_id);
}

int Transaction::next_confirmation_sequence(std::int64_t registration_id) {
  return tx_.exec_prepared("next_confirmation_sequence", registration_id)[0][0].as<int>();
}

void Transaction::audit(std::int64_t event_id, std::optional<std::int64_t> organiser_id, std::string_view actor,
                        std::string_view action, std::optional<std::int64_t> registration_id,
                        std::optional<std::int64_t> session_id, const std::string& details_json) {
  const auto organiser = optional_id_text(organiser_id);
  const auto registration = optional_id_text(registration_id);
  const auto session = optional_id_text(session_id);
  tx_.exec_prepared("audit", event_id, nullable(organiser), std::string(actor), std::string(action),
                    nullable(registration), nullable(session), details_json);
}

void Transaction::erase_registration(std::int64_t registration_id, Instant now) {
  changed(registration_id);
  tx_.exec_prepared("erase_registration", registration_id, epoch(now));
}

std::map<std::string, long> Transaction::registrations_by_status() {
  std::map<std::string, long> counts;
  for (const auto& row : tx_.exec_prepared("registrations_by_status")) counts[row[0].as<std::string>()] = row[1].as<long>();
  return counts;
}

Transaction::OutboxDepth Transaction::outbox_depth() {
  OutboxDepth depth;
  for (const auto& row : tx_.exec_prepared("outbox_depth")) {
    const auto kind = row[0].as<std::string>();
    if (kind == "due") {
      depth.due = row[1].as<long>();
      depth.oldest_due_seconds = row[2].as<double>();
    } else {
      depth.by_status[kind] = row[1].as<long>();
    }
  }
  return depth;
}

// ---------------------------------------------------------------------------------------------
// Idempotency keys.

bool Transaction::claim_idempotency_key(const Sha256& key_hash, const Sha256& request_hash) {
  tx_.exec_prepared("expire_idempotency_key", hex(key_hash));
  return !tx_.exec_prepared("claim_idempotency_key", hex(key_hash), hex(request_hash)).empty();
}

std::optional<IdempotencyRecord> Transaction::idempotency_record(const Sha256& key_hash) {
  const auto result = tx_.exec_prepared("idempotency_record", hex(key_hash));
  if (result.empty()) return std::nullopt;
  IdempotencyRecord record{digest_from_hex(result[0][0].as<std::string>()), std::nullopt, std::nullopt};
  if (!result[0][1].is_null()) record.status = result[0][1].as<int>();
  if (!result[0][2].is_null()) record.sealed_response = bytes_from_hex(result[0][2].as<std::string>());
  return record;
}

void Transaction::complete_idempotency_key(const Sha256& key_hash, int status, const std::string& sealed,
                                           std::int64_t registration_id) {
  tx_.exec_prepared("complete_idempotency_key", hex(key_hash), status, hex_of_bytes(sealed), registration_id);
}

// ---------------------------------------------------------------------------------------------
// Organisers.

std::int64_t Transaction::insert_organiser(std::string_view email, const Sha256& token_hash, bool all_events) {
  return tx_.exec_prepared("insert_organiser", std::string(email), hex(token_hash), all_events)[0][0]
      .as<std::int64_t>();
}

bool Transaction::grant_event(std::int64_t organiser_id, std::string_view slug) {
  tx_.exec_prepared("grant_event_by_slug", organiser_id, std::string(slug));
  return event_by_slug(slug).has_value();
}

void Transaction::grant_event(std::int64_t organiser_id, std::int64_t event_id) {
  tx_.exec_prepared("grant_event_by_id", organiser_id, event_id);
}

std::optional<OrganiserGrant> Transaction::organiser_by_token_hash(const Sha256& token_hash, std::string_view slug) {
  const auto result = tx_.exec_prepared("organiser_by_token_hash", hex(token_hash), std::string(slug));
  if (result.empty()) return std::nullopt;
  return OrganiserGrant{result[0][0].as<std::int64_t>(), result[0][1].as<std::string>(), result[0][2].as<bool>(),
                        result[0][3].as<bool>()};
}

int Transaction::revoke_organisers(std::string_view email) {
  return static_cast<int>(tx_.exec_prepared("revoke_organisers", std::string(email)).affected_rows());
}

std::string Transaction::server_secret(std::string_view name) {
  const auto result = tx_.exec_prepared("server_secret", std::string(name));
  if (result.empty()) throw std::runtime_error("server secret missing: run convene migrate");
  return bytes_from_hex(result[0][0].as<std::string>());
}

// ---------------------------------------------------------------------------------------------

std::optional<std::string> statement_sql(std::string_view name) {
  for (const auto& statement : statements()) {
    if (statement.name == name) return statement.sql;
  }
  return std::nullopt;
}

Store::Store(PoolOptions options) : pool_(std::move(options), prepare_statements) {}

void Store::translate_failure(Pool::Lease& lease) {
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    // The connection broke with a statement or a commit in flight: it may have taken effect.
    lease.discard();
    throw DatabaseUnavailable(e.what(), true);
  } catch (const pqxx::in_doubt_error& e) {
    // The commit may or may not have happened (seen during PostgreSQL's fast shutdown).
    lease.discard();
    throw DatabaseUnavailable(e.what(), true);
  } catch (const pqxx::sql_error& e) {
    if (means_database_unavailable(e.sqlstate())) {
      lease.discard();
      throw DatabaseUnavailable(e.what());
    }
    throw;
  }
}

}  // namespace convene::store
