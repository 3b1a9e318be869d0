#include "app/seat_moves.hpp"

#include "store/outbox.hpp"
#include "store/seats.hpp"

namespace convene::app {

void fill_seats_from_waitlist(store::Tx& tx, std::int64_t event_id, Instant now) {
  for (const auto promoted : store::seats::fill_from_waitlist(tx, event_id, now))
    store::outbox::enqueue(tx, {promoted, event_id, MessageKind::promotion}, now);
}

void end_registration(store::Tx& tx, std::int64_t event_id, std::int64_t registration_id, RegistrationStatus ended_as,
                      Instant now) {
  if (store::seats::release(tx, registration_id, ended_as, now)) fill_seats_from_waitlist(tx, event_id, now);
}

}  // namespace convene::app
