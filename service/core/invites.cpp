#include "convene/invites.hpp"

#include <algorithm>

#include "convene/sequence_floor.hpp"

namespace convene {
namespace {

std::string summary_of(const Event& event, const Session& session) {
  return session.title == event.title ? event.title : event.title + " \u2014 " + session.title;
}

ical::Person organizer_of(const Event& event, const ical::Person& fallback) {
  if (event.organiser_email) return {*event.organiser_email, event.organiser_name};
  ical::Person person = fallback;
  if (event.organiser_name) person.name = event.organiser_name;
  return person;
}

ical::Event vevent_of(const Event& event, const Session& session, Instant now) {
  ical::Event e;
  e.uid = session.uid;
  e.sequence = calendar_sequence(event, session);
  e.stamp = now;
  e.starts_at = session.starts_at;
  e.ends_at = session.ends_at();
  e.zone = session.time.zone;
  e.summary = summary_of(event, session);
  e.description = event.description;
  e.status = session.status == SessionStatus::cancelled ? ical::EventStatus::cancelled : ical::EventStatus::confirmed;
  return e;
}

}  // namespace

ical::Calendar registrant_invite(const Event& event, const Registration& registration, const InviteLinks& links,
                                 const ical::Person& organizer, Instant now, std::optional<std::int64_t> only_session) {
  const bool ended = registration.status == RegistrationStatus::cancelled ||
                     registration.status == RegistrationStatus::rejected;
  // RFC 5546: a REQUEST invites to what it holds and a CANCEL withdraws what it holds, so one
  // document cannot carry both. A cancelled session goes in a CANCEL; while any session is still
  // on, the invite is a REQUEST for those alone.
  std::vector<const Session*> sessions;
  for (const auto& session : event.sessions) {
    if (!only_session || session.id == *only_session) sessions.push_back(&session);
  }
  const auto cancelled = [](const Session* s) { return s->status == SessionStatus::cancelled; };
  const bool cancels = ended || (!sessions.empty() && std::all_of(sessions.begin(), sessions.end(), cancelled));
  if (!cancels) std::erase_if(sessions, cancelled);

  ical::Calendar calendar;
  calendar.method = cancels ? ical::Method::cancel : ical::Method::request;
  for (const Session* session : sessions) {
    ical::Event e = vevent_of(event, *session, now);
    e.sequence = calendar_sequence(event, *session, registration);
    e.url = links.manage_url;
    std::string footer = "\n\nYour registration: " + links.manage_url;
    if (links.join_url) {
      e.location = *links.join_url;
      footer = "\n\nJoin: " + *links.join_url + footer;
    }
    e.description += footer;
    e.organizer = organizer_of(event, organizer);
    ical::ParticipationStatus partstat = ical::ParticipationStatus::accepted;
    if (registration.status == RegistrationStatus::waitlisted || registration.status == RegistrationStatus::pending)
      partstat = ical::ParticipationStatus::tentative;
    if (ended) partstat = ical::ParticipationStatus::declined;
    e.attendees.push_back({{registration.email, registration.name}, partstat, false});
    if (cancels) e.status = ical::EventStatus::cancelled;
    for (const auto& offset : event.reminder_offsets)
      e.alarms.push_back({offset.length(), "Reminder: " + e.summary});
    calendar.events.push_back(std::move(e));
  }
  return calendar;
}

ical::Calendar public_calendar(const Event& event, const std::string& event_url, const ical::Person& organizer,
                               Instant now) {
  ical::Calendar calendar;
  calendar.method = ical::Method::publish;
  calendar.name = event.title;
  for (const auto& session : event.sessions) {
    ical::Event e = vevent_of(event, session, now);
    e.url = event_url;
    e.organizer = organizer_of(event, organizer);
    calendar.events.push_back(std::move(e));
  }
  return calendar;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : text) {
    const bool unreserved = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                            ch == '-' || ch == '.' || ch == '_' || ch == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(ch));
    } else {
      out.push_back('%');
      out.push_back(kHex[ch >> 4]);
      out.push_back(kHex[ch & 15]);
    }
  }
  return out;
}

std::string google_calendar_link(const Event& event, const Session& session, const std::string& details_url) {
  return "https://calendar.google.com/calendar/render?action=TEMPLATE&text=" + url_encode(summary_of(event, session)) +
         "&dates=" + ical::utc_date_time(session.starts_at) + "/" + ical::utc_date_time(session.ends_at()) +
         "&ctz=" + url_encode(session.time.zone.name()) + "&details=" + url_encode(details_url);
}

std::string outlook_calendar_link(const Event& event, const Session& session, const std::string& details_url) {
  return "https://outlook.live.com/calendar/0/deeplink/compose?path=%2Fcalendar%2Faction%2Fcompose&rru=addevent"
         "&subject=" + url_encode(summary_of(event, session)) + "&startdt=" + url_encode(format_instant(session.starts_at)) +
         "&enddt=" + url_encode(format_instant(session.ends_at())) + "&body=" + url_encode(details_url);
}

}  // namespace convene
