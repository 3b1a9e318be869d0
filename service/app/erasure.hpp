// Erasure (GDPR article 17): the registration is cancelled if active (its seat goes to the
// waitlist) and everything that names or reaches the person goes; what counts need stays. Internal
// to the app layer; the caller holds the event's capacity lock and the registration's row.
#pragma once

#include "convene/event.hpp"
#include "convene/registration.hpp"
#include "store/audit.hpp"
#include "store/store.hpp"

namespace convene::app {

void erase(store::Tx& tx, const Event& event, const Registration& registration, const store::audit::Actor& by,
           Instant now);

}  // namespace convene::app
