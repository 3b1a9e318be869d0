#include "convene/messages.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "convene/embedded.hpp"
#include "convene/mail.hpp"

namespace convene {

std::string fill(std::string_view pattern, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(pattern.size() + 32);
  std::size_t i = 0;
  while (i < pattern.size()) {
    const std::size_t open = pattern.find('{', i);
    if (open == std::string_view::npos) break;
    const std::size_t close = pattern.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(pattern.substr(i, open - i));
    auto it = values.find(std::string(pattern.substr(open + 1, close - open - 1)));
    out.append(it != values.end() ? std::string_view(it->second) : pattern.substr(open, close - open + 1));
    i = close + 1;
  }
  out.append(pattern.substr(i));
  return out;
}

namespace {

std::map<std::string, std::string, std::less<>> load(Language language) {
  const std::string file = std::string(to_string(language)) + ".json";
  for (const auto& embedded : embedded_catalogues()) {
    if (embedded.path != file) continue;
    std::map<std::string, std::string, std::less<>> texts;
    const auto parsed = nlohmann::json::parse(embedded.text);
    for (const auto& [key, value] : parsed.items()) texts[key] = value.get<std::string>();
    return texts;
  }
  return {};
}

}  // namespace

const Catalogue& Catalogue::of(Language language) {
  static const Catalogue english(Language::en, load(Language::en), nullptr);
  static const std::map<Language, Catalogue> others = [] {
    std::map<Language, Catalogue> all;
    for (Language l : kLanguages) {
      if (l != Language::en) all.emplace(l, Catalogue(l, load(l), &english));
    }
    return all;
  }();
  if (language == Language::en) return english;
  return others.at(language);
}

std::string Catalogue::text(std::string_view key, const std::map<std::string, std::string>& values) const {
  if (auto it = texts_.find(key); it != texts_.end()) return fill(it->second, values);
  if (fallback_ != nullptr) return fallback_->text(key, values);
  return std::string(key);
}

std::string Catalogue::date_time(WallTime wall) const {
  const auto day = date::floor<date::days>(wall);
  const date::year_month_day ymd{day};
  const std::string clock = format_wall_time(wall).substr(11, 5);  // HH:MM
  return text("date.format", {{"weekday", text("date.weekday." + std::to_string(date::weekday{day}.c_encoding()))},
                              {"day", std::to_string(unsigned(ymd.day()))},
                              {"month", text("date.month." + std::to_string(unsigned(ymd.month())))},
                              {"year", std::to_string(int(ymd.year()))},
                              {"time", clock}});
}

namespace {

struct Lines {
  std::string text;
  std::string html;
  void paragraph(const std::string& line) {
    text += line + "\n\n";
    html += "<p>" + mail::html_escape(line) + "</p>\n";
  }
  void link(const std::string& label, const std::string& url, const std::optional<std::string>& note = {}) {
    text += label + ":\n" + url + "\n" + (note ? *note + "\n" : "") + "\n";
    html += "<p><a href=\"" + mail::html_escape(url) + "\">" + mail::html_escape(label) + "</a>" +
            (note ? "<br><small>" + mail::html_escape(*note) + "</small>" : "") + "</p>\n";
  }
};

// "Friday 10 September 2021, 18:45 – 20:45 (+05:45)" (the end with its date when that differs).
std::string span_text(const Catalogue& words, Instant starts, Instant ends, const TimeZone& zone) {
  const ZonedTime start = to_zoned(starts, zone);
  const ZonedTime end = to_zoned(ends, zone);
  const bool same_day = date::floor<date::days>(start.local) == date::floor<date::days>(end.local);
  const std::string end_text = same_day ? format_wall_time(end.local).substr(11, 5) : words.date_time(end.local);
  const std::string label = start.abbreviation == format_offset(start.offset) || start.abbreviation.front() == '+' ||
                                    start.abbreviation.front() == '-'
                                ? "UTC" + format_offset(start.offset)
                                : start.abbreviation + ", UTC" + format_offset(start.offset);
  return words.date_time(start.local) + " \u2013 " + end_text + " (" + label + ")";
}

// A session's title and times: in the reader's zone when it is known, and in the event's when that
// is another (an invitee's zone is not known: they see the event's).
void session_block(Lines& out, const Catalogue& words, const Event& event, const Session& session,
                   const TimeZone* reader_zone) {
  std::string title = session.title;
  if (session.status == SessionStatus::cancelled) title += " (" + words.text("email.label.cancelled") + ")";
  std::vector<std::string> times;
  if (reader_zone)
    times.push_back(words.text("email.label.your_time", {{"zone", std::string(reader_zone->name())}}) + ": " +
                    span_text(words, session.starts_at, session.ends_at(), *reader_zone));
  if (!reader_zone || !(event.zone == *reader_zone))
    times.push_back(words.text("email.label.event_time", {{"zone", std::string(event.zone.name())}}) + ": " +
                    span_text(words, session.starts_at, session.ends_at(), event.zone));
  out.text += title + "\n";
  out.html += "<p><strong>" + mail::html_escape(title) + "</strong>";
  for (const auto& line : times) {
    out.text += "  " + line + "\n";
    out.html += "<br>" + mail::html_escape(line);
  }
  out.text += "\n";
  out.html += "</p>\n";
}

const Session* find_session(const Event& event, std::optional<std::int64_t> id) {
  if (!id) return nullptr;
  for (const auto& s : event.sessions) {
    if (s.id == *id) return &s;
  }
  return nullptr;
}

}  // namespace

namespace {

ComposedText document(Language language, std::string subject, const Lines& body, const std::string& footer) {
  const std::string lang(to_string(language));
  const char* dir = is_right_to_left(language) ? "rtl" : "ltr";
  ComposedText out;
  out.subject = std::move(subject);
  out.text = body.text + "-- \n" + footer + "\n";
  out.html = "<!DOCTYPE html>\n<html lang=\"" + lang + "\" dir=\"" + dir + "\">\n<head><meta charset=\"utf-8\"><title>" +
             mail::html_escape(out.subject) + "</title></head>\n<body>\n" + body.html + "<hr>\n<p><small>" +
             mail::html_escape(footer) + "</small></p>\n</body>\n</html>\n";
  return out;
}

// The organisers' own words: their paragraphs, then the registrant's link.
ComposedText compose_announcement(const MessageFacts& f, const Catalogue& words,
                                  const std::map<std::string, std::string>& values) {
  Lines body;
  const std::string_view text = f.announcement->body;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = text.find("\n\n", start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) body.paragraph(std::string(text.substr(start, end - start)));
    start = end + 2;
  }
  body.link(words.text("email.label.manage"), f.manage_url);
  return document(f.registration.language, f.announcement->subject, body,
                  words.text("email.announcement.footer", values));
}

}  // namespace

ComposedText compose_sign_in(Language language, const std::string& link, int minutes) {
  const Catalogue& words = Catalogue::of(language);
  Lines body;
  body.paragraph(words.text("email.sign_in.body", {{"minutes", std::to_string(minutes)}}));
  body.link(words.text("email.sign_in.link"), link);
  return document(language, words.text("email.sign_in.subject"), body, words.text("email.sign_in.footer"));
}

ComposedText compose_invitation(const InvitationFacts& f) {
  const Catalogue& words = Catalogue::of(f.language);
  const std::map<std::string, std::string> values{
      {"event", f.event.title}, {"organiser", f.organiser}, {"name", f.name.value_or("")}};
  Lines body;
  body.paragraph(words.text(f.name ? "email.greeting" : "email.invitation.greeting_unnamed", values));
  body.paragraph(words.text("email.invitation.body", values));
  for (const auto& s : f.event.sessions) {
    if (s.status == SessionStatus::scheduled) session_block(body, words, f.event, s, nullptr);
  }
  body.link(words.text("email.invitation.link", values), f.registration_url, words.text("email.invitation.link_note"));
  const char* subject = f.reminder ? "email.invitation.reminder_subject" : "email.invitation.subject";
  return document(f.language, words.text(subject, values), body, words.text("email.invitation.footer", values));
}

ComposedText compose(const MessageFacts& f) {
  const Catalogue& words = Catalogue::of(f.registration.language);
  const Session* session = find_session(f.event, f.session_id);
  std::map<std::string, std::string> values{{"event", f.event.title},
                                            {"name", f.registration.name},
                                            {"organiser", f.organiser},
                                            {"session", session ? session->title : f.event.title}};
  if (f.kind == MessageKind::announcement && f.announcement) return compose_announcement(f, words, values);
  std::string key;
  switch (f.kind) {
    case MessageKind::confirmation:
      key = "email.confirmation." + std::string(to_string(f.registration.status));
      if (f.registration.status != RegistrationStatus::confirmed &&
          f.registration.status != RegistrationStatus::waitlisted && f.registration.status != RegistrationStatus::pending)
        key = "email.confirmation.confirmed";
      break;
    case MessageKind::promotion: key = "email.promotion"; break;
    case MessageKind::reminder:
      key = "email.reminder";
      if (session) values["time"] = words.date_time(to_zoned(session->starts_at, f.registration.zone).local);
      break;
    case MessageKind::update: key = "email.update"; break;
    case MessageKind::cancellation:
      key = session ? "email.cancellation.session" : "email.cancellation.registration";
      break;
    case MessageKind::rejection: key = "email.rejection"; break;
    case MessageKind::announcement:  // composed above, from the organisers' text
    case MessageKind::sign_in:       // not to a registrant: compose_sign_in
    case MessageKind::invitation:    // not to a registrant: compose_invitation
      throw std::logic_error("compose: a " + std::string(to_string(f.kind)) + " message needs its own text");
  }

  Lines body;
  body.paragraph(words.text("email.greeting", values));
  body.paragraph(words.text(key + ".body", values));
  const bool ended = f.kind == MessageKind::rejection ||
                     (f.kind == MessageKind::cancellation && !session);
  // The sessions the message is about, in the registrant's zone and the event's.
  if (session) {
    session_block(body, words, f.event, *session, &f.registration.zone);
  } else {
    for (const auto& s : f.event.sessions) session_block(body, words, f.event, s, &f.registration.zone);
  }
  if (!ended) {
    if (f.join_url) {
      body.link(words.text("email.label.join"), *f.join_url, words.text("email.label.join_note"));
    } else if (f.registration.status == RegistrationStatus::waitlisted ||
               f.registration.status == RegistrationStatus::pending) {
      body.paragraph(words.text("email.label.join_later"));
    }
  }
  body.link(words.text("email.label.manage"), f.manage_url);

  return document(f.registration.language, words.text(key + ".subject", values), body,
                  words.text("email.footer", values));
}

}  // namespace convene
