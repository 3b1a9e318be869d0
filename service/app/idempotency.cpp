#include "app/idempotency.hpp"

#include "app/problems.hpp"
#include "app/secrets.hpp"
#include "store/idempotency.hpp"

namespace convene::app {
namespace {

// The keys an Idempotency-Key maps to. The lookup key and the sealing key are both derived from the
// client's key, and the sealing key also from the body, so what is stored reveals neither.
struct Keys {
  Sha256 lookup;
  Sha256 request;
  Sha256 seal;
};

Keys keys_of(const IdempotentRequest& r) {
  const std::string scope = r.scope + "\n" + std::string(r.key);
  return {sha256("lookup\n" + scope), sha256(r.raw_body), sha256("seal\n" + scope + "\n" + std::string(r.raw_body))};
}

}  // namespace

std::optional<Problem> check_idempotency_key(std::optional<std::string_view> key) {
  if (!key || (!key->empty() && key->size() <= kMaxIdempotencyKeyLength)) return std::nullopt;
  return validation_failed({{"Idempotency-Key", "must be 1-" + std::to_string(kMaxIdempotencyKeyLength) + " characters"}});
}

bool claim_once(store::Tx& tx, const IdempotentRequest& request, Instant now) {
  const Keys keys = keys_of(request);
  return store::idempotency::claim(tx, keys.lookup, keys.request, now);
}

void complete_once(store::Tx& tx, const IdempotentRequest& request, const Answered& answered) {
  const Keys keys = keys_of(request);
  store::idempotency::complete(tx, keys.lookup, seal(keys.seal, random_bytes(12), answered.document.json),
                               answered.registration_id);
}

void release_once(store::Tx& tx, const IdempotentRequest& request) {
  store::idempotency::release(tx, keys_of(request).lookup);
}

Result<> answer_once(store::Tx& tx, const IdempotentRequest& request, Instant now,
                     const std::function<Result<Answered>(store::Tx&)>& work) {
  if (!claim_once(tx, request, now)) {
    // Seen before (the claim waited for the first request's transaction if it was in flight).
    const Keys keys = keys_of(request);
    auto record = store::idempotency::find(tx, keys.lookup);
    if (!record || record->request_hash != keys.request) return std::unexpected(problems::idempotency_key_reused());
    auto json = record->sealed_answer ? open(keys.seal, *record->sealed_answer) : std::nullopt;
    if (!json || !record->completed) return std::unexpected(problems::idempotency_key_reused());
    store::idempotency::await_replication(tx, keys.lookup);  // no 201 for what only the primary holds
    return Document{*std::move(json), Document::Kind::created, "", true};
  }
  auto answered = work(tx);
  if (!answered) return std::unexpected(answered.error());
  complete_once(tx, request, *answered);
  return answered->document;
}

}  // namespace convene::app
