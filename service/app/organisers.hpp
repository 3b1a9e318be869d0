// Organiser identity: bearer tokens, shown once, stored as SHA-256 hashes, scoped to events.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace convene::store {
class Store;
}

namespace convene::app {

// The organiser token a request presents, as the HTTP edge read it from "Authorization: Bearer
// <token>". Absent: no such header. An empty text: a header that was not a bearer token.
struct OrganiserToken {
  std::string_view text;
};
using OrganiserCredentials = std::optional<OrganiserToken>;

// `convene organiser add`: returns the new token (the only time it exists in clear), with rights on
// the event `slug`, or on every event. Throws std::invalid_argument when the address is not one or
// the event does not exist.
std::string add_organiser(store::Store& store, std::string_view email, std::optional<std::string_view> slug);
// `convene organiser revoke`: revokes every live token of that address; returns how many.
int revoke_organiser(store::Store& store, std::string_view email);

}  // namespace convene::app
