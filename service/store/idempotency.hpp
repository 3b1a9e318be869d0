// Idempotency-Key records: the first answer to a request, kept so that a retry gets it unchanged.
// Written in the transaction of the request they answer. The answer is stored sealed (see
// app/registrations.cpp); records older than kIdempotencyKeyLifetime are purged.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "convene/crypto.hpp"
#include "convene/time.hpp"
#include "store/store.hpp"

namespace convene::store::idempotency {

inline constexpr std::chrono::hours kIdempotencyKeyLifetime{24};

struct Record {
  Sha256 request_hash;
  bool completed = false;  // false while the first request is still in flight
  std::optional<std::string> sealed_answer;
};

// Claims the key for this request: true if it was free (or its record had expired). Blocks while
// another transaction holds it.
bool claim(Tx& tx, const Sha256& key_hash, const Sha256& request_hash, Instant now);
std::optional<Record> find(Tx& tx, const Sha256& key_hash);
// Makes `tx`'s commit wait for the synchronous standbys as a write's does (it rewrites the record as
// it is), so that a record replayed after it is as durable as a new answer. A commit whose wait for the standby was cancelled at the
// deadline (store/deadline.hpp) is visible on the primary before any standby has it; this
// transaction's commit comes after that one's, so once it is confirmed, the record is on a standby
// too (or the deadline passes again, and the retry is told outcome-unknown once more).
void await_replication(Tx& tx, const Sha256& key_hash);
void complete(Tx& tx, const Sha256& key_hash, const std::string& sealed_answer,
              std::optional<std::int64_t> registration_id);
// Gives back a key claimed in `tx` and not completed (its request will be answered another way).
void release(Tx& tx, const Sha256& key_hash);
// Deletes expired records, at most `limit` of them; returns how many.
int purge(Tx& tx, Instant now, int limit);

}  // namespace convene::store::idempotency
