#include "store/sign_ins.hpp"

#include "store/sql.hpp"

namespace convene::store::sign_ins {
namespace {

// The message's sequence is the request's id: one message per request (the outbox's unique key).
const Statement kRequest{"request_sign_in", R"sql(
  WITH requested AS (
    INSERT INTO organiser_sign_ins (email, language, requested_at) VALUES ($1, $2, to_timestamp($3))
    RETURNING id),
  message AS (
    INSERT INTO outbox (sign_in_id, kind, sequence, due_at)
    SELECT id, 'sign-in', id, to_timestamp($3) FROM requested)
  SELECT id FROM requested)sql"};
const Statement kFind{"sign_in_request", "SELECT id, email, language FROM organiser_sign_ins WHERE id = $1"};
const Statement kSetToken{"set_sign_in_token",
                          "UPDATE organiser_sign_ins SET token_hash = decode($2, 'hex'), expires_at = to_timestamp($3) "
                          "WHERE id = $1"};
const Statement kUse{"use_sign_in_token", R"sql(
  UPDATE organiser_sign_ins SET used_at = to_timestamp($2)
  WHERE token_hash = decode($1, 'hex') AND used_at IS NULL AND expires_at > to_timestamp($2)
  RETURNING email)sql"};
const Statement kOpenSession{"open_organiser_session", R"sql(
  INSERT INTO organiser_sessions (token_hash, email, created_at, last_seen_at, expires_at)
  VALUES (decode($1, 'hex'), $2, to_timestamp($3), to_timestamp($3), to_timestamp($4)))sql"};
const Statement kSessionEmail{"organiser_session_email", R"sql(
  UPDATE organiser_sessions SET last_seen_at = to_timestamp($2)
  WHERE token_hash = decode($1, 'hex') AND revoked_at IS NULL AND expires_at > to_timestamp($2)
    AND last_seen_at > to_timestamp($2) - make_interval(secs => $3)
  RETURNING email)sql"};
const Statement kRevokeSession{"revoke_organiser_session",
                               "UPDATE organiser_sessions SET revoked_at = to_timestamp($2) "
                               "WHERE token_hash = decode($1, 'hex') AND revoked_at IS NULL"};

}  // namespace

std::int64_t request(Tx& tx, std::string_view email, Language language, Instant now) {
  return exec(tx, kRequest, std::string(email), std::string(to_string(language)), epoch(now))[0]["id"].as<std::int64_t>();
}

std::optional<Request> find(Tx& tx, std::int64_t id) {
  const auto result = exec(tx, kFind, id);
  if (result.empty()) return std::nullopt;
  const auto& row = result[0];
  return Request{row["id"].as<std::int64_t>(), row["email"].as<std::string>(),
                 parse_language(row["language"].as<std::string>()).value_or(Language::en)};
}

void set_token(Tx& tx, std::int64_t id, const Sha256& token_hash, Instant expires_at) {
  exec(tx, kSetToken, id, hex(token_hash), epoch(expires_at));
}

std::optional<std::string> use(Tx& tx, const Sha256& token_hash, Instant now) {
  const auto result = exec(tx, kUse, hex(token_hash), epoch(now));
  if (result.empty()) return std::nullopt;
  return result[0]["email"].as<std::string>();
}

void open_session(Tx& tx, const Sha256& token_hash, std::string_view email, Instant now, Instant expires_at) {
  exec(tx, kOpenSession, hex(token_hash), std::string(email), epoch(now), epoch(expires_at));
}

std::optional<std::string> session_email(Tx& tx, const Sha256& token_hash, Instant now, std::chrono::seconds idle) {
  const auto result = exec(tx, kSessionEmail, hex(token_hash), epoch(now), idle.count());
  if (result.empty()) return std::nullopt;
  return result[0]["email"].as<std::string>();
}

void revoke_session(Tx& tx, const Sha256& token_hash, Instant now) { exec(tx, kRevokeSession, hex(token_hash), epoch(now)); }

}  // namespace convene::store::sign_ins
