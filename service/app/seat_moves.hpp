// The rules of seats that several use cases share: a freed seat goes to the first person on the
// waitlist, who is told. Internal to the app layer; call under seats::lock_capacity.
#pragma once

#include <cstdint>

#include "convene/registration.hpp"
#include "store/store.hpp"

namespace convene::app {

// Gives every free seat of the event to the oldest waitlisted registrants, each told by a promotion.
void fill_seats_from_waitlist(store::Tx& tx, std::int64_t event_id, Instant now);

// Ends a registration (cancelled or rejected); the seat it held, if any, goes to the waitlist.
void end_registration(store::Tx& tx, std::int64_t event_id, std::int64_t registration_id, RegistrationStatus ended_as,
                      Instant now);

}  // namespace convene::app
