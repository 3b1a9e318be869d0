// Organisers signing in by e-mail link, and the browser sessions that result. Tokens are kept as
// hashes only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "convene/crypto.hpp"
#include "convene/locale.hpp"
#include "convene/time.hpp"
#include "store/store.hpp"

namespace convene::store::sign_ins {

// Records a request to sign in with `email` and queues the message that will carry the link (the
// worker mints the token as it writes it). Returns the request's id.
std::int64_t request(Tx& tx, std::string_view email, Language language, Instant now);

struct Request {
  std::int64_t id;
  std::string email;
  Language language;
};
std::optional<Request> find(Tx& tx, std::int64_t id);
// The token of the link the message carries: valid once, until `expires_at`.
void set_token(Tx& tx, std::int64_t id, const Sha256& token_hash, Instant expires_at);
// Uses the link: the address it signs in, if the token is known, unused and not expired (it is then
// used up, in the same statement).
std::optional<std::string> use(Tx& tx, const Sha256& token_hash, Instant now);

// A browser session for `email`, ending at `expires_at` at the latest.
void open_session(Tx& tx, const Sha256& token_hash, std::string_view email, Instant now, Instant expires_at);
// The address a live session belongs to: not revoked, not expired, used within `idle`. Using it
// moves its last use to `now`.
std::optional<std::string> session_email(Tx& tx, const Sha256& token_hash, Instant now, std::chrono::seconds idle);
void revoke_session(Tx& tx, const Sha256& token_hash, Instant now);

}  // namespace convene::store::sign_ins
