#include "app/problems.hpp"

#include <string>

namespace convene::app::problems {

Problem event_not_found(std::string_view slug) { return not_found("There is no event '" + std::string(slug) + "'."); }

Problem session_not_found(std::string_view slug, std::string_view session_id) {
  return not_found("Event '" + std::string(slug) + "' has no session " + std::string(session_id) + ".");
}

Problem registration_not_found(std::string_view slug, std::string_view registration_id) {
  return not_found("Event '" + std::string(slug) + "' has no registration " + std::string(registration_id) + ".");
}

Problem unknown_manage_token() {
  return not_found("No registration has this manage token. Check the link from your confirmation.");
}

Problem already_registered() {
  return Problem{ProblemType::already_registered,
                 "This e-mail address is already registered for this event. We have sent the confirmation again to "
                 "that address; it holds the link to manage the registration."};
}

Problem invitation_required() {
  // The same words whatever is wrong (no invitation, another address's, used, withdrawn): the reply
  // tells nobody which addresses are invited.
  return Problem{ProblemType::invitation_required,
                 "This event is by invitation only. Use the link from your invitation e-mail; it works once, for the "
                 "address it was sent to."};
}

Problem invitation_not_found(std::string_view slug, std::string_view invitation_id) {
  return not_found("Event '" + std::string(slug) + "' has no invitation " + std::string(invitation_id) + ".");
}

Problem invitation_used() {
  return Problem{ProblemType::invitation_used,
                 "The invitee has registered with this invitation, so it cannot be withdrawn. Cancel or reject the "
                 "registration in the roster instead."};
}

Problem not_by_invitation(std::string_view slug) {
  return Problem{ProblemType::not_by_invitation,
                 "Event '" + std::string(slug) +
                     "' is open to anyone, so invitations would open nothing. Make it invitation-only first "
                     "(\"access\": \"invitation\")."};
}

Problem idempotency_key_reused() {
  return Problem{ProblemType::idempotency_key_reused,
                 "This Idempotency-Key was first used with a different request body. Use a new key for a new request."};
}

Problem event_changing() {
  return Problem{ProblemType::event_changing,
                 "The event changed several times while we registered you; please try again."};
}

Problem registration_rejected() {
  return Problem{ProblemType::registration_rejected,
                 "An organiser declined this registration, so there is nothing to cancel."};
}

Problem slug_taken(std::string_view slug) {
  return Problem{ProblemType::slug_taken, "Another event already uses the slug '" + std::string(slug) + "'."};
}

Problem capacity_reached(int capacity) {
  Problem p{ProblemType::capacity_reached,
            "Every seat is taken. Send \"override_capacity\": true to confirm this registrant beyond the capacity, "
            "or raise the capacity."};
  p.extensions["capacity"] = capacity;
  return p;
}

Problem option_full(const Question& question, const ChoiceOption& option, int limit) {
  const std::string label = option.label.in(Language::en);
  Problem p{ProblemType::option_full, "Every place for \"" + label + "\" is taken; choose another answer."};
  p.errors.push_back({"answers." + question.key, "has no place left for \"" + label + "\" (" + std::to_string(limit) +
                                                    " places, all taken); choose another answer"});
  p.extensions["option"] = option.key;
  return p;
}

Problem capacity_below_confirmed(int confirmed, int capacity) {
  Problem p{ProblemType::capacity_below_confirmed,
            std::to_string(confirmed) + " registrants are confirmed; cancel some before lowering the capacity to " +
                std::to_string(capacity) + "."};
  p.extensions["confirmed"] = confirmed;
  return p;
}

std::optional<Problem> window(const Event& event, Instant now) {
  const RegistrationWindow window = registration_window(event, now);
  if (const auto* early = std::get_if<RegistrationNotYetOpen>(&window)) {
    Problem p{ProblemType::registration_not_open, "Registration opens at " + format_instant(early->opens_at) + "."};
    p.extensions["opens_at"] = format_instant(early->opens_at);
    return p;
  }
  if (const auto* closed = std::get_if<RegistrationClosed>(&window)) {
    if (!closed->closed_at)
      return Problem{ProblemType::event_cancelled, "This event was cancelled, so it takes no registrations."};
    Problem p{ProblemType::registration_closed, "Registration closed at " + format_instant(*closed->closed_at) + "."};
    p.extensions["closed_at"] = format_instant(*closed->closed_at);
    return p;
  }
  return std::nullopt;
}

Problem missing_organiser_token() {
  return Problem{ProblemType::unauthorised, "Send Authorization: Bearer <organiser token>."};
}

Problem unknown_organiser_token() {
  return Problem{ProblemType::unauthorised, "The organiser token is malformed, unknown or revoked."};
}

Problem session_ended() {
  return Problem{ProblemType::unauthorised, "Your session has ended or was signed out; please sign in again."};
}

Problem cross_site_request() {
  return Problem{ProblemType::cross_site_request,
                 "Changes made with the console's session are accepted only from the console's own pages."};
}

Problem announcement_sent() {
  return Problem{ProblemType::announcement_sent,
                 "Some of this announcement's messages are being sent or were sent; it can no longer be withdrawn."};
}

Problem not_an_organiser_of(std::string_view slug) {
  return Problem{ProblemType::forbidden, "This organiser token has no rights on event '" + std::string(slug) + "'."};
}

Problem not_allowed_to_create_events() {
  return Problem{ProblemType::forbidden, "Only tokens created with --all may create events."};
}

Problem rate_limited(const RateDecision& decision, std::string_view what) {
  const long seconds = decision.retry_after_seconds();
  Problem p{ProblemType::rate_limited, std::string(what) + " Please try again in " + std::to_string(seconds) +
                                           (seconds == 1 ? " second." : " seconds.")};
  p.retry_after = std::chrono::seconds{seconds};
  return p;
}

Problem foreign_cursor() { return bad_request("The cursor was not issued by this server for this list."); }

Problem invalid_zone(std::string_view field) {
  return validation_failed({{std::string(field), std::string(kZoneExpected)}});
}

Problem no_audience() {
  return validation_failed({{"zones", "no registrant can be placed in a time zone yet: name the audience with zones "
                                      "or countries"}});
}

}  // namespace convene::app::problems
