// Idempotency-Key (as Stripe has it): a retry of a request with the same key gets the first answer,
// byte for byte; the same key with another body is refused. The answer is recorded in the
// transaction of the work that made it, sealed (AES-256-GCM) under a key derived from the
// Idempotency-Key and the body, neither of which is stored: a copy of the database opens no answer
// (answers to registrations hold manage tokens). Internal to the app layer.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "app/result.hpp"
#include "convene/time.hpp"
#include "store/store.hpp"

namespace convene::app {

// An Idempotency-Key is at most this long (Stripe's limit).
inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;
// The 422 for a key that is empty or too long, if it is.
std::optional<Problem> check_idempotency_key(std::optional<std::string_view> key);

struct IdempotentRequest {
  std::string scope;          // what the key is for: the method and path ("POST /api/v1/events/x/registrations")
  std::string_view key;
  std::string_view raw_body;  // exact bytes
};

// What the work did: its answer, and the registration it wrote if any (erasing that registration
// drops the record too).
struct Answered {
  Document document;
  std::optional<std::int64_t> registration_id;
};

// The steps of answer_once, for work that answers several requests in one transaction (a batch of
// registrations): claims the key (false: it was used before, or is in flight; answer such a request
// through answer_once), records the answer, or gives the claim back when the request is answered
// another way.
bool claim_once(store::Tx& tx, const IdempotentRequest& request, Instant now);
void complete_once(store::Tx& tx, const IdempotentRequest& request, const Answered& answered);
void release_once(store::Tx& tx, const IdempotentRequest& request);

// In `tx`: the recorded answer if the key was used before (replayed), else `work(tx)`'s answer,
// recorded. Waits for a first request with this key still in flight.
Result<> answer_once(store::Tx& tx, const IdempotentRequest& request, Instant now,
                     const std::function<Result<Answered>(store::Tx&)>& work);

}  // namespace convene::app
