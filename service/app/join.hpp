// GET /j/{join_token}: the personal link to the meeting that only e-mails carry.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "app/context.hpp"
#include "convene/locale.hpp"

namespace convene::app {

// Why a join link does not lead to the meeting.
enum class JoinRefusal {
  unknown_link,        // no such token (a typo, a truncated link, an erased registration)
  event_cancelled,
  registration_ended,  // cancelled or declined
  not_confirmed,       // waitlisted or awaiting approval
  not_yet_published,   // confirmed, but the organisers have not given the meeting's address yet
};

struct JoinOutcome {
  std::optional<std::string> meeting_url;  // the event's join URL: go there
  JoinRefusal refusal = JoinRefusal::unknown_link;  // otherwise, why not
  Language language = Language::en;         // the registrant's, for the page that says why not
  std::string event_title;
};

// Leads to the event's join URL while the registration is confirmed, recording the first and last
// join (attendance); otherwise says why not.
JoinOutcome follow_join_link(Context& context, std::string_view join_token);

}  // namespace convene::app
