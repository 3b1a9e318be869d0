// The calendar documents served over HTTP: a registrant's invite and an event's public feed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "app/context.hpp"
#include "convene/icalendar.hpp"

namespace convene::app {

struct CalendarDocument {
  ical::Method method;   // also the Content-Type's method parameter
  std::string filename;  // for Content-Disposition
  std::string etag;      // weak: changes when anything shown changes, not with DTSTAMP
  std::optional<std::string> body;  // absent when If-None-Match matched (304)
};
using CalendarResult = Result<CalendarDocument>;

// GET /api/v1/registrations/{token}/invite.ics. Never carries the join link (only e-mail does).
CalendarResult registrant_invite_document(Context& context, std::string_view manage_token,
                                          std::optional<std::string_view> if_none_match);
// GET /api/v1/events/{slug}/calendar.ics
CalendarResult public_calendar_document(Context& context, std::string_view slug,
                                        std::optional<std::string_view> if_none_match);

}  // namespace convene::app
