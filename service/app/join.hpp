// GET /j/{join_token}: the personal link to the meeting that only e-mails carry.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "app/context.hpp"

namespace convene::app {

struct JoinAnswer {
  int status;                           // 302 to the meeting, else the page's status
  std::optional<std::string> location;  // the event's join URL, for a 302
  std::string html;                     // a page saying why not, in the registrant's language
};

// Redirects to the event's join URL while the registration is confirmed, recording the first and
// last join (attendance); otherwise explains why not.
JoinAnswer follow_join_link(Context& context, std::string_view join_token);

}  // namespace convene::app
