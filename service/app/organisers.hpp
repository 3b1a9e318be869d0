// Organiser identity: bearer tokens, shown once, stored as SHA-256 hashes, scoped to events.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace convene::store {
class Store;
}

namespace convene::app {

// How a request says which organiser it comes from, as the HTTP edge read it: a bearer token
// ("Authorization: Bearer <token>", for scripts; empty when the header was not a bearer token), or
// the session cookie a browser got by signing in. The bearer token wins when both are there.
struct OrganiserCredentials {
  std::optional<std::string_view> bearer;
  std::optional<std::string_view> session;
  bool present() const { return bearer.has_value() || session.has_value(); }
};

// `convene organiser add`: returns the new token (the only time it exists in clear), with rights on
// the event `slug`, or on every event. Throws std::invalid_argument when the address is not one or
// the event does not exist.
std::string add_organiser(store::Store& store, std::string_view email, std::optional<std::string_view> slug);
// `convene organiser revoke`: revokes every live token of that address; returns how many.
int revoke_organiser(store::Store& store, std::string_view email);

}  // namespace convene::app
