#include "app/erasure.hpp"

#include "app/seat_moves.hpp"
#include "store/registrations.hpp"

namespace convene::app {

void erase(store::Tx& tx, const Event& event, const Registration& registration, const store::audit::Actor& by,
           Instant now) {
  if (is_active(registration.status))
    end_registration(tx, event.id, registration.id, RegistrationStatus::cancelled, now);
  store::registrations::erase(tx, registration.id, now);
  store::audit::write(tx, by, {event.id, store::audit::Action::registration_erase, registration.id});
}

}  // namespace convene::app
