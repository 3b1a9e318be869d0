// Who may do what to an event: the checks every organiser use case starts with. Internal to the app
// layer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "app/context.hpp"
#include "app/organisers.hpp"
#include "convene/event.hpp"
#include "store/audit.hpp"
#include "store/store.hpp"

namespace convene::app {

struct Organiser {
  std::int64_t id;  // a token's own row; for a browser session, the first live token of the address
  std::string email;
  bool all_events;
  bool by_session;  // signed in with the browser (rights of every live token of the address)
  // How the audit log names this organiser.
  store::audit::Actor actor() const { return {id, "organiser:" + std::to_string(id) + " " + email}; }
};

// event: rights on the event named. any_event_creation: rights to create events (--all).
// identity: who it is, whatever their rights.
enum class Scope { event, any_event_creation, identity };

// No credentials: 401. An unknown or revoked token, an ended session: 401. A token without rights on `slug` (or, for event creation,
// without --all): 403.
Result<Organiser> authorise(store::Tx& tx, const Context& context, const OrganiserCredentials& credentials,
                            std::string_view slug, Scope scope = Scope::event);

// An organiser's event: authorised, and loaded.
struct OrganiserEvent {
  Organiser organiser;
  Event event;
};
Result<OrganiserEvent> organiser_event(store::Tx& tx, const Context& context, const OrganiserCredentials& credentials,
                                       std::string_view slug);

}  // namespace convene::app
