#include "store/registrations.hpp"

#include <nlohmann/json.hpp>

#include "store/rows.hpp"
#include "store/sql.hpp"

namespace convene::store::registrations {
namespace {

// If the event's version is still the one the caller checked its rules against ($12), take a free
// seat nobody else is taking at this moment (searching from a random seat, $11, and wrapping around)
// and insert the registration holding it; without a seat, the registration is waitlisted (if $14
// allows it) or, when $13 says the event needs approval, pending. The unique (event_id, seat_no)
// index makes a double booking impossible, not unlikely. The free seat is deleted and the message
// ($15) queued only if the registration was inserted.
const Statement kInsert{"insert_registration", R"sql(
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
  message AS (
    INSERT INTO outbox (registration_id, event_id, kind, due_at)
    SELECT id, $1, $15, to_timestamp($9) FROM registration)
  SELECT (SELECT version FROM events WHERE id = $1) AS event_version, registration.id, registration.status,
         registration.id IS NULL
           AND EXISTS (SELECT 1 FROM registrations WHERE event_id = $1 AND lower(email) = lower($2)) AS duplicate
  FROM (SELECT 1) AS one LEFT JOIN registration ON true)sql"};

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

Inserted insert(Tx& tx, const NewRegistration& r, const Event& checked_against, int first_seat_to_try,
                Waitlisting waitlisting, MessageKind message) {
  const bool takes_seat = !checked_against.requires_approval;
  const bool may_waitlist = waitlisting == Waitlisting::allowed;
  const auto& q = r.request;
  const std::optional<std::string> country = q.country ? std::optional(std::string(q.country->code())) : std::nullopt;
  const auto result = exec(tx, kInsert, checked_against.id, q.email.text(), q.name, nullable(q.organisation),
                           nullable(country), std::string(r.zone.name()), std::string(to_string(r.language)),
                           q.answers.dump(), epoch(r.now), hex(r.manage_token_hash), first_seat_to_try,
                           checked_against.version, takes_seat, may_waitlist, std::string(to_string(message)));
  const auto& row = result[0];
  if (row["event_version"].is_null() || row["event_version"].as<std::int64_t>() != checked_against.version)
    return {Inserted::event_changed};
  if (row["id"].is_null()) {
    // Nothing inserted: the address is registered already, or (when waitlisting was not allowed)
    // there was no seat to take. A registration of the address that committed while this statement
    // waited is not in its snapshot: then the caller's waitlisting path finds it.
    if (row["duplicate"].as<bool>() || !(takes_seat && !may_waitlist)) return {Inserted::already_registered};
    return {Inserted::no_seat};
  }
  return {Inserted::inserted, row["id"].as<std::int64_t>(),
          parse_registration_status(row["status"].as<std::string>()).value_or(RegistrationStatus::pending)};
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
