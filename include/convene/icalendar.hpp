// iCalendar (RFC 5545) documents as calendar apps need them, with the scheduling methods of iTIP
// (RFC 5546). A small typed model is filled in by the caller and written out here: nothing a person
// typed can break a content line or add a property, because every value goes through one escaper
// and every line through one folder.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convene/enum_names.hpp"
#include "convene/time.hpp"
#include "convene/version.hpp"

namespace convene::ical {

enum class Method { publish, request, cancel };
inline constexpr auto kMethodNames = enum_names<Method>(
    std::pair{Method::publish, "PUBLISH"}, std::pair{Method::request, "REQUEST"}, std::pair{Method::cancel, "CANCEL"});
inline std::string_view to_string(Method method) { return kMethodNames.name(method); }

enum class EventStatus { confirmed, tentative, cancelled };
inline constexpr auto kEventStatusNames = enum_names<EventStatus>(std::pair{EventStatus::confirmed, "CONFIRMED"},
                                                                  std::pair{EventStatus::tentative, "TENTATIVE"},
                                                                  std::pair{EventStatus::cancelled, "CANCELLED"});
enum class ParticipationStatus { accepted, tentative, needs_action, declined };
inline constexpr auto kParticipationStatusNames = enum_names<ParticipationStatus>(
    std::pair{ParticipationStatus::accepted, "ACCEPTED"}, std::pair{ParticipationStatus::tentative, "TENTATIVE"},
    std::pair{ParticipationStatus::needs_action, "NEEDS-ACTION"}, std::pair{ParticipationStatus::declined, "DECLINED"});

struct Person {
  std::string email;
  std::optional<std::string> name;  // CN
};

struct Attendee {
  Person person;
  ParticipationStatus status = ParticipationStatus::accepted;
  bool rsvp = false;  // we do not process replies, so we do not ask for them
};

// A reminder shown `before` the start (VALARM, ACTION:DISPLAY).
struct Alarm {
  std::chrono::seconds before;
  std::string description;
};

// One VEVENT. The start and end are given as instants and written as wall times in `zone`
// (DTSTART;TZID=...), with a VTIMEZONE for that zone in the calendar; UTC is written with Z.
struct Event {
  std::string uid;
  int sequence = 0;
  Instant stamp;  // DTSTAMP: when this copy was generated
  Instant starts_at;
  Instant ends_at;
  TimeZone zone = TimeZone::utc();
  std::string summary;
  std::string description;
  std::optional<std::string> location;
  std::optional<std::string> url;
  EventStatus status = EventStatus::confirmed;
  std::optional<Person> organizer;
  std::vector<Attendee> attendees;
  std::vector<Alarm> alarms;
};

struct Calendar {
  Method method = Method::publish;
  std::string product_id = std::string(kCalendarProductId);
  std::optional<std::string> name;  // X-WR-CALNAME, shown by subscribed-calendar clients
  std::vector<Event> events;
};

// The document: CRLF line ends, lines folded at 75 octets (never inside a UTF-8 character), TEXT
// values escaped, one VTIMEZONE per zone used, covering the dates of the events in that zone.
std::string write(const Calendar& calendar);

// Building blocks, exposed for tests.
// TEXT value escaping (backslash, semicolon, comma, newlines); other control characters dropped.
std::string escape_text(std::string_view text);
// A parameter value: quoted when it holds ':', ';' or ','; characters a parameter cannot hold
// (DQUOTE, control characters) are replaced, so a name can never end the parameter early.
std::string parameter_value(std::string_view text);
// One content line "name;params:value", folded, ending in CRLF.
std::string fold(std::string_view unfolded_line);

// The VTIMEZONE component for `zone` covering [from, to], from the tz database in use: RRULE
// observances where a transition recurs yearly (the form Outlook reads right), dated ones where it
// does not, and a single STANDARD observance for a zone with a fixed offset over the period.
std::string vtimezone(const TimeZone& zone, Instant from, Instant to);

// iCalendar DATE-TIME forms.
std::string utc_date_time(Instant instant);       // 20210910T130000Z
std::string local_date_time(WallTime wall);       // 20210910T090000
// A duration as RFC 5545 writes it for a trigger before the start: -PT1H, -P1D, -P1DT2H30M.
std::string trigger_before(std::chrono::seconds before);

}  // namespace convene::ical
