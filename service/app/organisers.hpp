// Organiser identity: bearer tokens, shown once, stored as SHA-256 hashes, scoped to events.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "app/context.hpp"
#include "app/secrets.hpp"

namespace convene::app {

struct Organiser {
  std::int64_t id;
  std::string email;
  bool all_events;
  // How the audit log names this organiser.
  std::string actor() const { return "organiser:" + std::to_string(id) + " " + email; }
};

enum class Scope { event, any_event_creation };

// The token of an "Authorization: Bearer <token>" header (the scheme in any letter case).
std::optional<std::string_view> bearer_token(std::string_view authorization);

// Checks an Authorization header against the organisers table, in the caller's transaction.
// No or malformed header, unknown or revoked token: 401. A token without rights on `slug` (or,
// for event creation, without --all): 403.
std::expected<Organiser, Problem> authorise(store::Transaction& tx, const TokenMinter& tokens,
                                            std::optional<std::string_view> authorization, std::string_view slug,
                                            Scope scope = Scope::event);

// `convene organiser add`: returns the new token (the only time it exists in clear).
// Throws std::invalid_argument when the event does not exist.
// The token is minted with the installation's token key, read from the database.
std::string add_organiser(store::Store& store, std::string_view email, std::optional<std::string_view> slug);
// `convene organiser revoke`: revokes every live token of that address; returns how many.
int revoke_organiser(store::Store& store, std::string_view email);

}  // namespace convene::app
