// The problems the use cases report, each worded once.
#pragma once

#include <string_view>

#include "convene/event.hpp"
#include "convene/problem.hpp"
#include "convene/rate_limit.hpp"

namespace convene::app::problems {

Problem event_not_found(std::string_view slug);
Problem session_not_found(std::string_view slug, std::string_view session_id);
Problem registration_not_found(std::string_view slug, std::string_view registration_id);
// A manage token that finds nothing (or a link built from one).
Problem unknown_manage_token();
Problem already_registered();
Problem idempotency_key_reused();
Problem event_changing();
Problem registration_rejected();
Problem slug_taken(std::string_view slug);
Problem capacity_reached(int capacity);
// The question's option has `limit` holders already: told at the answer's field, like a validation error.
Problem option_full(const Question& question, const ChoiceOption& option, int limit);
Problem capacity_below_confirmed(int confirmed, int capacity);
// Why the registration window of `event` does not admit a registration at `now`, if it does not.
std::optional<Problem> window(const Event& event, Instant now);
Problem missing_organiser_token();
Problem unknown_organiser_token();
Problem session_ended();
Problem cross_site_request();
Problem announcement_sent();
// Registering for an invitation event without an invitation that is valid, unused and for this address.
Problem invitation_required();
Problem invitation_not_found(std::string_view slug, std::string_view invitation_id);
Problem invitation_used();
Problem not_by_invitation(std::string_view slug);
Problem not_an_organiser_of(std::string_view slug);
Problem not_allowed_to_create_events();
// 429: `what` says, in words a person can act on, what was limited.
Problem rate_limited(const RateDecision& decision, std::string_view what);
Problem foreign_cursor();
Problem invalid_zone(std::string_view field);
// Time-fit without an audience: nobody registered (or none in a zone the tz database knows) and no
// zones= or countries= given.
Problem no_audience();

}  // namespace convene::app::problems
