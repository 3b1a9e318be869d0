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
  std::int64_t id;
  std::string email;
  bool all_events;
  // How the audit log names this organiser.
  store::audit::Actor actor() const { return {id, "organiser:" + std::to_string(id) + " " + email}; }
};

enum class Scope { event, any_event_creation };

// No token: 401. Unknown or revoked: 401. A token without rights on `slug` (or, for event creation,
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
