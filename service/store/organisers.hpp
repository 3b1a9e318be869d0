// Organisers: bearer tokens (stored as hashes), scoped to events or to all of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "convene/crypto.hpp"
#include "store/store.hpp"

namespace convene::store::organisers {

std::int64_t insert(Tx& tx, std::string_view email, const Sha256& token_hash, bool all_events);
// Rights on the event with this slug; false when no event has it.
bool grant(Tx& tx, std::int64_t organiser_id, std::string_view slug);
void grant(Tx& tx, std::int64_t organiser_id, std::int64_t event_id);

struct Grant {
  std::int64_t organiser_id;
  std::string email;
  bool all_events;
  bool has_event;  // rights on the event asked about
};
// The rights of a live (unrevoked) token on an event (`slug` may be empty: no event asked about).
std::optional<Grant> by_token_hash(Tx& tx, const Sha256& token_hash, std::string_view slug);
// The rights of an address: those of all its live tokens together (a browser session signs in an
// address, not a token). nullopt when the address has no live token.
std::optional<Grant> by_email(Tx& tx, std::string_view email, std::string_view slug);
// Revokes every live token of that address; returns how many.
int revoke(Tx& tx, std::string_view email);

}  // namespace convene::store::organisers
