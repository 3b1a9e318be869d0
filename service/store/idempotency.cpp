#include "store/idempotency.hpp"

#include "store/sql.hpp"

namespace convene::store::idempotency {
namespace {

// `status` is the HTTP status of the stored answer: only answers to creations (201) are stored, so
// a record is complete once it has one. The lifetime is a parameter ($2 seconds), kept in C++.
// Ages are measured on the service's clock ($3), as the purge measures them.
const Statement kExpire{"expire_idempotency_key",
                        "DELETE FROM idempotency_keys WHERE key_hash = decode($1, 'hex') "
                        "AND created_at < to_timestamp($3) - make_interval(secs => $2)"};
const Statement kClaim{"claim_idempotency_key", R"sql(
  INSERT INTO idempotency_keys (key_hash, request_hash, created_at)
  VALUES (decode($1, 'hex'), decode($2, 'hex'), to_timestamp($3))
  ON CONFLICT (key_hash) DO NOTHING RETURNING 1)sql"};
const Statement kFind{"idempotency_record",
                      "SELECT encode(request_hash, 'hex') AS request_hash, status, encode(response, 'hex') AS response "
                      "FROM idempotency_keys WHERE key_hash = decode($1, 'hex')"};
const Statement kComplete{"complete_idempotency_key",
                          "UPDATE idempotency_keys SET status = 201, response = decode($2, 'hex'), registration_id = $3 "
                          "WHERE key_hash = decode($1, 'hex')"};
const Statement kRelease{"release_idempotency_key",
                         "DELETE FROM idempotency_keys WHERE key_hash = decode($1, 'hex') AND status IS NULL"};
const Statement kPurge{"purge_idempotency_keys", R"sql(
  DELETE FROM idempotency_keys WHERE key_hash IN (
    SELECT key_hash FROM idempotency_keys WHERE created_at < to_timestamp($1) - make_interval(secs => $3)
    ORDER BY created_at LIMIT $2))sql"};

// Rewrites the record as it is: PostgreSQL makes a commit wait for the synchronous standbys only if
// its transaction wrote WAL (a transaction id alone is not enough).
const Statement kTouch{"touch_idempotency_key", "UPDATE idempotency_keys SET status = status WHERE key_hash = decode($1, 'hex')"};

long long lifetime_seconds() { return std::chrono::seconds(kIdempotencyKeyLifetime).count(); }

}  // namespace

bool claim(Tx& tx, const Sha256& key_hash, const Sha256& request_hash, Instant now) {
  exec(tx, kExpire, hex(key_hash), lifetime_seconds(), epoch(now));
  return !exec(tx, kClaim, hex(key_hash), hex(request_hash), epoch(now)).empty();
}

std::optional<Record> find(Tx& tx, const Sha256& key_hash) {
  const auto result = exec(tx, kFind, hex(key_hash));
  if (result.empty()) return std::nullopt;
  const auto& row = result[0];
  Record record{digest_from_hex(row["request_hash"].as<std::string>())};
  record.completed = !row["status"].is_null();
  if (!row["response"].is_null()) record.sealed_answer = bytes_from_hex(row["response"].as<std::string>());
  return record;
}

void complete(Tx& tx, const Sha256& key_hash, const std::string& sealed_answer,
              std::optional<std::int64_t> registration_id) {
  exec(tx, kComplete, hex(key_hash), hex_of_bytes(sealed_answer), nullable(id_text(registration_id)));
}

void release(Tx& tx, const Sha256& key_hash) { exec(tx, kRelease, hex(key_hash)); }

void await_replication(Tx& tx, const Sha256& key_hash) { exec(tx, kTouch, hex(key_hash)); }

int purge(Tx& tx, Instant now, int limit) {
  return static_cast<int>(exec(tx, kPurge, epoch(now), limit, lifetime_seconds()).affected_rows());
}

}  // namespace convene::store::idempotency
