// Registrations written together (group commit, app/group_commit.hpp): what one request brings to a
// batch and what it takes back. The use case is in app/registrations.cpp.
#pragma once

#include <exception>
#include <optional>

#include "app/group_commit.hpp"
#include "app/result.hpp"
#include "app/secrets.hpp"
#include "convene/registration.hpp"
#include "convene/time.hpp"

namespace convene::app {

struct IdempotentRequest;  // app/idempotency.hpp

struct BatchedRegistration {
  const RegistrationRequest& request;  // its answers checked against the lane's event
  const SecretToken& token;            // the manage token the reply reveals
  Instant now;
  const IdempotentRequest* once;       // with an Idempotency-Key
  // The reply, when the batch wrote the registration. Otherwise (no seat free for the taking, the
  // address registered, the event changed, the key seen before) the request goes its own way.
  std::optional<Document> written = std::nullopt;
  // Why it failed, when it failed alone (a whole batch's failure is thrown by GroupCommit::submit).
  std::exception_ptr failure = nullptr;
};

using RegistrationBatches = GroupCommit<BatchedRegistration>;

}  // namespace convene::app
