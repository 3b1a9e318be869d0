#include "app/join.hpp"

#include "store/events.hpp"
#include "store/registrations.hpp"

namespace convene::app {

JoinOutcome follow_join_link(Context& context, std::string_view join_token) {
  if (!context.tokens.may_exist(join_token)) return {};
  const Instant now = context.clock();
  return context.store.autocommit([&](store::Tx& tx) -> JoinOutcome {
    auto registration = store::registrations::join_by_token_hash(tx, sha256(join_token), now);
    if (!registration) return {};
    auto event = store::events::by_id(tx, registration->event_id);
    if (!event) return {};
    JoinOutcome outcome{std::nullopt, JoinRefusal::unknown_link, registration->language, event->title};
    if (event->status == EventStatus::cancelled) outcome.refusal = JoinRefusal::event_cancelled;
    else if (!is_active(registration->status)) outcome.refusal = JoinRefusal::registration_ended;
    else if (registration->status != RegistrationStatus::confirmed) outcome.refusal = JoinRefusal::not_confirmed;
    else if (!event->join_url) outcome.refusal = JoinRefusal::not_yet_published;
    else outcome.meeting_url = event->join_url;
    return outcome;
  });
}

}  // namespace convene::app
