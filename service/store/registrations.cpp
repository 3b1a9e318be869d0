#include "store/registrations.hpp"

#include <nlohmann/json.hpp>

#include "convene/text.hpp"
#include "store/rows.hpp"
#include "store/sql.hpp"

namespace convene::store::registrations {
namespace {

// If the event's version is still the one the caller checked its rules against ($3), take free
// seats nobody else is taking at this moment, one for each row of the batch ($2, in order),
// searching from a random seat ($5) and wrapping around, and insert the registrations holding them;
// a row without a seat is waitlisted (if $6 allows it) or not written, and when $4 says the event
// needs approval every row is pending and takes no seat. The unique (event_id, seat_no) index makes a
// double booking impossible, not unlikely. The free seats are deleted and the messages ($7) queued
// only for the registrations inserted. Rows go in in the order of their addresses, the order every
// batch takes, so that two batches waiting on each other's addresses cannot deadlock. A row whose
// address is registered (before, or earlier in the same batch) is not written: `attempted` says the
// row was put to the insert, so only ON CONFLICT can have left it out. ON CONFLICT sees a
// registration that committed while the statement waited, which a look-up in its snapshot would not;
// and a look-up per row was planned badly while the table was nearly empty (a new database, before
// autovacuum's first ANALYZE): through (event_id, id), reading every registration of the event for
// each row, and at a full event, where every row of the first try is left out, the rush fell from
// about 6,500 to 1,000 a second (measured with auto_explain on bench/registration.sh's load).
//
// The seats wanted are counted from the rows, not passed as a parameter: PostgreSQL plans a prepared
// statement for its parameters' values five times, then keeps one generic plan if that looks no
// costlier. A LIMIT given as a parameter looked far cheaper planned for its value (LIMIT 1 against a
// tenth of the free seats), so every execution was planned again: 1.3-1.6 ms a statement against
// 0.8-0.9 ms with the plan kept (measured one at a time on a 1,000,000-seat event). The plan is the
// same either way (the free seats' primary key, from the random seat on).
const Statement kInsert{"insert_registration", R"sql(
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS v(n int, email text, name text, organisation text,
                                                   country text, timezone text, language text, answers jsonb,
                                                   token text, at float8)),
  current_event AS (SELECT version FROM events WHERE id = $1),
  unchanged AS (SELECT 1 FROM current_event WHERE version = $3),
  seat_after AS (
    SELECT seat_no FROM free_seats
    WHERE $4 AND EXISTS (SELECT 1 FROM unchanged) AND event_id = $1 AND seat_no >= $5
    ORDER BY seat_no LIMIT (SELECT count(*) FROM input)
    FOR UPDATE SKIP LOCKED),
  seat_before AS (
    SELECT seat_no FROM free_seats
    WHERE $4 AND EXISTS (SELECT 1 FROM unchanged) AND event_id = $1 AND seat_no < $5
    ORDER BY seat_no LIMIT greatest(0, (SELECT count(*) FROM input) - (SELECT count(*) FROM seat_after))
    FOR UPDATE SKIP LOCKED),
  seat AS (
    SELECT seat_no, row_number() OVER (ORDER BY seat_no) AS n
    FROM (SELECT seat_no FROM seat_after UNION ALL SELECT seat_no FROM seat_before) AS found),
  registration AS (
    INSERT INTO registrations (event_id, email, name, organisation, country, timezone, language,
                               answers, consent_at, status, seat_no, manage_token_hash,
                               created_at, updated_at)
    SELECT $1, i.email, i.name, i.organisation, i.country, i.timezone, i.language, i.answers, to_timestamp(i.at),
           CASE WHEN NOT $4 THEN 'pending' WHEN seat.seat_no IS NULL THEN 'waitlisted' ELSE 'confirmed' END,
           seat.seat_no, decode(i.token, 'hex'), to_timestamp(i.at), to_timestamp(i.at)
    FROM input i LEFT JOIN seat ON seat.n = i.n
    WHERE EXISTS (SELECT 1 FROM unchanged) AND ($6 OR NOT $4 OR seat.seat_no IS NOT NULL)
    ORDER BY lower(i.email)
    ON CONFLICT (event_id, lower(email)) DO NOTHING
    RETURNING id, status, seat_no, manage_token_hash, created_at),
  taken AS (  /* by an array of seat numbers: an index look-up each, whatever the plan guesses */
    DELETE FROM free_seats
    WHERE event_id = $1 AND seat_no = ANY (ARRAY(SELECT seat_no FROM registration WHERE seat_no IS NOT NULL))),
  message AS (
    INSERT INTO outbox (registration_id, event_id, kind, due_at)
    SELECT id, $1, $7, created_at FROM registration)
  SELECT i.n, (SELECT version FROM current_event) AS event_version, r.id, r.status,
         ($6 OR NOT $4 OR seat.seat_no IS NOT NULL) AS attempted
  FROM input i LEFT JOIN seat ON seat.n = i.n LEFT JOIN registration r ON r.manage_token_hash = decode(i.token, 'hex')
  ORDER BY i.n)sql"};

// A manage token is the one returned at registration or one minted for an e-mail.
#define CONVENE_TOKEN_OWNER                                                                        \
  "(SELECT id FROM registrations WHERE manage_token_hash = decode($1, 'hex')"                       \
  " UNION ALL"                                                                                      \
  " SELECT registration_id FROM access_tokens WHERE token_hash = decode($1, 'hex') AND purpose = 'manage'" \
  " LIMIT 1)"

const Statement kByTokenHash{"registration_by_token_hash", std::string("SELECT ") + kRegistrationColumns +
                                                               " FROM registrations r WHERE r.id = " CONVENE_TOKEN_OWNER};
const Statement kByTokenHashForUpdate{"registration_by_token_hash_for_update",
                                      std::string("SELECT ") + kRegistrationColumns +
                                          " FROM registrations r WHERE r.id = " CONVENE_TOKEN_OWNER " FOR UPDATE"};
const Statement kWithEventVersion{"registration_and_event_version",
                                  std::string("SELECT ") + kRegistrationColumns +
                                      ", e.slug AS event_slug, e.version AS event_version"
                                      " FROM registrations r JOIN events e ON e.id = r.event_id"
                                      " WHERE r.id = " CONVENE_TOKEN_OWNER};
const Statement kByIds{"registrations_by_ids",
                       std::string("SELECT ") + kRegistrationColumns + " FROM registrations r WHERE r.id = ANY($1::bigint[])"};
const Statement kUpdateDetails{"update_registration_details", R"sql(
  UPDATE registrations SET name = $2, organisation = $3, timezone = $4, language = $5,
         updated_at = to_timestamp($6), answers = $7::jsonb
  WHERE id = $1)sql"};
const Statement kSetCheckedIn{"set_checked_in",
                              "UPDATE registrations SET checked_in_at = to_timestamp($2), updated_at = to_timestamp($3) "
                              "WHERE id = $1"};
const Statement kBumpInviteSequence{"bump_invite_sequence",
                                    "UPDATE registrations SET invite_sequence = invite_sequence + 1 WHERE id = $1"};
const Statement kNextConfirmationSequence{"next_confirmation_sequence", R"sql(
  UPDATE registrations SET confirmation_resends = confirmation_resends + 1 WHERE id = $1
  RETURNING confirmation_resends)sql"};
// The row stays for counts (status, country, zone, language, times); everything that names or
// reaches the person goes. Their tokens stop working, their pending messages are skipped, and
// errors that might quote their address are cleared.
const Statement kErase{"erase_registration", R"sql(
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
  SELECT id FROM erased)sql"};
const Statement kAddAccessTokens{"add_access_tokens", R"sql(
  INSERT INTO access_tokens (token_hash, registration_id, purpose)
  SELECT decode(v.hash, 'hex'), v.registration, v.purpose
  FROM jsonb_to_recordset($1::jsonb) AS v(hash text, registration bigint, purpose text))sql"};
const Statement kJoinByTokenHash{"join_by_token_hash", std::string(R"sql(
  WITH joined AS (
    UPDATE registrations r SET first_joined_at = coalesce(r.first_joined_at, to_timestamp($2)),
                               last_joined_at = to_timestamp($2)
    FROM access_tokens t
    WHERE t.token_hash = decode($1, 'hex') AND t.purpose = 'join' AND t.registration_id = r.id
      AND r.status = 'confirmed'
    RETURNING r.id)
  SELECT )sql") + kRegistrationColumns + R"sql(
  FROM access_tokens t JOIN registrations r ON r.id = t.registration_id
  WHERE t.token_hash = decode($1, 'hex') AND t.purpose = 'join')sql"};

std::optional<Registration> first_registration(const pqxx::result& result) {
  if (result.empty()) return std::nullopt;
  return registration_from_row(result[0]);
}

}  // namespace

std::vector<Inserted> insert(Tx& tx, std::span<const NewRegistration> rows, const Event& checked_against,
                             int first_seat_to_try, Waitlisting waitlisting, MessageKind message) {
  const bool takes_seat = !checked_against.requires_approval;
  const bool may_waitlist = waitlisting == Waitlisting::allowed;
  // The rows as the statement's jsonb_to_recordset reads them, written straight into text: building
  // a JSON tree of them first cost about 6% of the server's CPU per registration (perf, 64 connections).
  std::string input = "[";
  const auto text = [&input](const char* name, std::string_view value) {
    input += name;
    append_json_string(input, value);
  };
  for (std::size_t n = 0; n < rows.size(); ++n) {
    const auto& r = rows[n];
    const auto& q = r.request;
    input += n == 0 ? "{" : ",{";
    input += "\"n\":" + std::to_string(n + 1);  // numbered as the seats found are, from 1
    text(",\"email\":", q.email.text());
    text(",\"name\":", q.name);
    if (q.organisation) text(",\"organisation\":", *q.organisation);
    if (q.country) text(",\"country\":", q.country->code());
    text(",\"timezone\":", r.zone.name());
    text(",\"language\":", to_string(r.language));
    input += ",\"answers\":" + q.answers.dump();
    text(",\"token\":", hex(r.manage_token_hash));
    input += ",\"at\":" + std::to_string(epoch(r.now)) + "}";
  }
  input += "]";
  const auto result = exec(tx, kInsert, checked_against.id, input, checked_against.version, takes_seat,
                           first_seat_to_try, may_waitlist, std::string(to_string(message)));
  std::vector<Inserted> outcomes;
  outcomes.reserve(rows.size());
  for (const auto& row : result) {
    if (row["event_version"].is_null() || row["event_version"].as<std::int64_t>() != checked_against.version) {
      outcomes.push_back({Inserted::event_changed});
    } else if (row["id"].is_null()) {
      // Nothing inserted: the address is registered already (the row was put to the insert), or
      // (when waitlisting was not allowed) there was no seat to take.
      outcomes.push_back({row["attempted"].as<bool>() ? Inserted::already_registered : Inserted::no_seat});
    } else {
      outcomes.push_back({Inserted::inserted, row["id"].as<std::int64_t>(),
                          parse_registration_status(row["status"].as<std::string>()).value_or(RegistrationStatus::pending)});
    }
  }
  return outcomes;
}

std::optional<Registration> by_token_hash(Tx& tx, const Sha256& hash, bool for_update) {
  return first_registration(exec(tx, for_update ? kByTokenHashForUpdate : kByTokenHash, hex(hash)));
}

std::optional<WithEventVersion> with_event_version(Tx& tx, const Sha256& hash) {
  const auto result = exec(tx, kWithEventVersion, hex(hash));
  if (result.empty()) return std::nullopt;
  return WithEventVersion{registration_from_row(result[0]), result[0]["event_slug"].as<std::string>(),
                          result[0]["event_version"].as<std::int64_t>()};
}

std::vector<Registration> by_ids(Tx& tx, const std::vector<std::int64_t>& ids) {
  std::vector<Registration> found;
  for (const auto& row : exec(tx, kByIds, id_array(ids))) found.push_back(registration_from_row(row));
  return found;
}

void update_details(Tx& tx, const Registration& r, Instant now) {
  tx.changed(r.id);
  exec(tx, kUpdateDetails, r.id, r.name, nullable(r.organisation), std::string(r.zone.name()),
       std::string(to_string(r.language)), epoch(now), r.answers.dump());
}

void set_checked_in(Tx& tx, std::int64_t registration_id, std::optional<Instant> at, Instant now) {
  tx.changed(registration_id);
  exec(tx, kSetCheckedIn, registration_id, nullable(epoch_text(at)), epoch(now));
}

void bump_invite_sequence(Tx& tx, std::int64_t registration_id) {
  tx.changed(registration_id);
  exec(tx, kBumpInviteSequence, registration_id);
}

int next_confirmation_sequence(Tx& tx, std::int64_t registration_id) {
  return exec(tx, kNextConfirmationSequence, registration_id)[0]["confirmation_resends"].as<int>();
}

void erase(Tx& tx, std::int64_t registration_id, Instant now) {
  tx.changed(registration_id);
  exec(tx, kErase, registration_id, epoch(now));
}

void add_access_tokens(Tx& tx, const std::vector<NewAccessToken>& tokens) {
  if (tokens.empty()) return;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& t : tokens)
    rows.push_back({{"hash", hex(t.hash)}, {"registration", t.registration_id}, {"purpose", to_string(t.purpose)}});
  exec(tx, kAddAccessTokens, rows.dump());
}

std::optional<Registration> join_by_token_hash(Tx& tx, const Sha256& token_hash, Instant now) {
  return first_registration(exec(tx, kJoinByTokenHash, hex(token_hash), epoch(now)));
}

}  // namespace convene::store::registrations
