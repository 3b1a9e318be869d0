// What an event and a registration look like to calendar apps: the registrant's invite, the public
// feed, and "add to calendar" links. Built from domain values; written by icalendar.hpp.
#pragma once

#include <optional>
#include <string>

#include "convene/event.hpp"
#include "convene/icalendar.hpp"
#include "convene/registration.hpp"

namespace convene {

struct InviteLinks {
  std::string manage_url;              // the registrant's page (URL of every VEVENT)
  std::optional<std::string> join_url;  // the personal join link: only in what is e-mailed
};

// The registrant's invite for every session still on (METHOD:REQUEST; a cancelled one is left out),
// or the cancellation of every session (METHOD:CANCEL, same UIDs) once the registration is
// cancelled or declined, or once every session is cancelled: one METHOD for the whole document,
// as RFC 5546 has it, and the same one on the download as in the e-mail.
// SEQUENCE is the session's plus the registration's own (a cancellation raises it) plus the
// installation's floor (convene/sequence_floor.hpp), so it never goes down in the registrant's
// calendar, not even after a database restore. `organizer` is used when the event names none.
// With `only_session`, the document is about that session alone (an e-mail about one session's
// cancellation carries METHOD:CANCEL for it and nothing else).
ical::Calendar registrant_invite(const Event& event, const Registration& registration, const InviteLinks& links,
                                 const ical::Person& organizer, Instant now,
                                 std::optional<std::int64_t> only_session = std::nullopt);

// The public feed (METHOD:PUBLISH): every session, no attendees, no alarms, no join link.
ical::Calendar public_calendar(const Event& event, const std::string& event_url, const ical::Person& organizer,
                               Instant now);

// Template links that open a new entry in Google Calendar or Outlook.com, with UTC times.
std::string google_calendar_link(const Event& event, const Session& session, const std::string& details_url);
std::string outlook_calendar_link(const Event& event, const Session& session, const std::string& details_url);

// Percent-encodes UTF-8 text for a URL query value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text);

}  // namespace convene
