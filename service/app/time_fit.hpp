// GET /api/v1/events/{slug}/time-fit: which half-hour start on a day suits most of the event's
// audience (the computation is the core's, convene/time_fit.hpp).
#pragma once

#include <string_view>

#include "app/context.hpp"
#include "app/organisers.hpp"
#include "convene/time_fit.hpp"

namespace convene::app {

// The audience is the event's registrants (confirmed, waitlisted, pending) unless the query names
// one with zones= or countries=. Registrants whose stored zone the tz database no longer knows
// cannot be placed: they are counted apart ("unplaced") and left out of every share.
Result<> time_fit(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                  const TimeFitQuery& query);

}  // namespace convene::app
