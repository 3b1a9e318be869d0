#include "convene/icalendar.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace convene::ical {

namespace {

constexpr std::size_t kMaxLineOctets = 75;

bool is_continuation_byte(unsigned char byte) { return (byte & 0xC0) == 0x80; }

std::string_view status_text(EventStatus status) { return kEventStatusNames.name(status); }

std::string_view partstat_text(ParticipationStatus status) { return kParticipationStatusNames.name(status); }

// A mailto: URI for an address (CAL-ADDRESS). Our addresses are validated (no spaces, no ';' ','
// ':'), but anything outside plain ASCII is percent-encoded as RFC 6068 asks.
std::string mailto(std::string_view email) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "mailto:";
  for (unsigned char ch : email) {
    if (ch <= 0x20 || ch >= 0x7F || ch == '%' || ch == '"' || ch == ';' || ch == ',' || ch == ':' || ch == '<' ||
        ch == '>' || ch == '\\') {
      out.push_back('%');
      out.push_back(kHex[ch >> 4]);
      out.push_back(kHex[ch & 15]);
    } else {
      out.push_back(static_cast<char>(ch));
    }
  }
  return out;
}

// A URI value (URL property): control characters and spaces cannot occur in one; drop them so that
// no value can end the line.
std::string uri_value(std::string_view uri) {
  std::string out;
  for (unsigned char ch : uri) {
    if (ch > 0x20 && ch != 0x7F) out.push_back(static_cast<char>(ch));
  }
  return out;
}

class Writer {
 public:
  void line(std::string_view name, std::string_view value) { out_ += fold(std::string(name) + ":" + std::string(value)); }
  void text(std::string_view name, std::string_view value) { line(name, escape_text(value)); }
  void raw(const std::string& folded_lines) { out_ += folded_lines; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

void write_person_line(Writer& w, std::string_view property, const Person& person, std::string_view extra) {
  std::string name(property);
  if (person.name) name += ";CN=" + parameter_value(*person.name);
  name += extra;
  w.line(name, mailto(person.email));
}

void write_event(Writer& w, const Event& e) {
  w.line("BEGIN", "VEVENT");
  w.text("UID", e.uid);
  w.line("SEQUENCE", std::to_string(e.sequence));
  w.line("DTSTAMP", utc_date_time(e.stamp));
  // A wall time the zone shows twice (clocks going back) cannot say which of the two it means:
  // RFC 5545 3.3.5 reads it as the first, libical 3.0 and pytz-based readers as the second. Such a
  // session is written in UTC, which every reader takes the same way.
  const auto repeated = [&](Instant instant) {
    return !to_instant(to_zoned(instant, e.zone).local, e.zone, Disambiguation::reject).has_value();
  };
  if (e.zone == TimeZone::utc() || repeated(e.starts_at) || repeated(e.ends_at)) {
    w.line("DTSTART", utc_date_time(e.starts_at));
    w.line("DTEND", utc_date_time(e.ends_at));
  } else {
    const std::string tzid = "TZID=" + parameter_value(e.zone.name());
    w.line("DTSTART;" + tzid, local_date_time(to_zoned(e.starts_at, e.zone).local));
    w.line("DTEND;" + tzid, local_date_time(to_zoned(e.ends_at, e.zone).local));
  }
  w.text("SUMMARY", e.summary);
  if (!e.description.empty()) w.text("DESCRIPTION", e.description);
  if (e.location) w.text("LOCATION", *e.location);
  if (e.url) w.line("URL", uri_value(*e.url));
  w.line("STATUS", status_text(e.status));
  w.line("TRANSP", e.status == EventStatus::cancelled ? "TRANSPARENT" : "OPAQUE");
  if (e.organizer) write_person_line(w, "ORGANIZER", *e.organizer, "");
  for (const auto& attendee : e.attendees) {
    write_person_line(w, "ATTENDEE", attendee.person,
                      std::string(";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=") +
                          std::string(partstat_text(attendee.status)) + ";RSVP=" + (attendee.rsvp ? "TRUE" : "FALSE"));
  }
  if (e.status != EventStatus::cancelled) {
    for (const auto& alarm : e.alarms) {
      w.line("BEGIN", "VALARM");
      w.line("ACTION", "DISPLAY");
      w.text("DESCRIPTION", alarm.description);
      w.line("TRIGGER", trigger_before(alarm.before));
      w.line("END", "VALARM");
    }
  }
  w.line("END", "VEVENT");
}

}  // namespace

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;  // CRLF is one line break
        out += "\\n";
        break;
      case '\n': out += "\\n"; break;
      default:
        if ((static_cast<unsigned char>(ch) < 0x20 && ch != '\t') || ch == 0x7F) break;  // CONTROL: dropped
        out.push_back(ch);
    }
  }
  return out;
}

std::string parameter_value(std::string_view text) {
  std::string clean;
  bool needs_quotes = false;
  for (unsigned char ch : text) {
    if (ch < 0x20 || ch == 0x7F) continue;
    if (ch == '"') {
      clean.push_back('\'');
      continue;
    }
    needs_quotes = needs_quotes || ch == ':' || ch == ';' || ch == ',';
    clean.push_back(static_cast<char>(ch));
  }
  return needs_quotes ? "\"" + clean + "\"" : clean;
}

std::string fold(std::string_view line) {
  std::string out;
  out.reserve(line.size() + line.size() / 70 * 3 + 2);
  std::size_t limit = kMaxLineOctets;  // the first line holds 75 octets; the others 74 after the space
  while (line.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && is_continuation_byte(static_cast<unsigned char>(line[cut]))) --cut;  // never split a character
    // Nor an escape pair ("\," "\;" "\n" "\\"): RFC 5545 allows it, but Outlook then shows the
    // backslash. A pair starts at the last backslash of an odd run of them.
    std::size_t run = 0;
    while (run < cut && line[cut - 1 - run] == '\\') ++run;
    if (run % 2 == 1) --cut;
    if (cut == 0) cut = limit;  // no character starts within reach: not UTF-8, so cut anywhere (and move on)
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    limit = kMaxLineOctets - 1;
  }
  out.append(line);
  out += "\r\n";
  return out;
}

std::string utc_date_time(Instant instant) {
  std::string iso = format_instant(instant);  // 2021-09-10T13:00:00Z
  std::erase(iso, '-');
  std::erase(iso, ':');
  return iso;
}

std::string local_date_time(WallTime wall) {
  std::string iso = format_wall_time(wall);
  std::erase(iso, '-');
  std::erase(iso, ':');
  return iso;
}

std::string trigger_before(std::chrono::seconds before) {
  long long total = before.count();
  std::string out = total > 0 ? "-P" : "P";
  total = std::llabs(total);
  const long long days = total / 86400, hours = total / 3600 % 24, minutes = total / 60 % 60, seconds = total % 60;
  if (days > 0) out += std::to_string(days) + "D";
  if (hours > 0 || minutes > 0 || seconds > 0 || days == 0) {
    out += "T";
    if (hours > 0) out += std::to_string(hours) + "H";
    if (minutes > 0) out += std::to_string(minutes) + "M";
    if (seconds > 0 || (hours == 0 && minutes == 0)) out += std::to_string(seconds) + "S";
  }
  return out;
}

std::string write(const Calendar& calendar) {
  Writer w;
  w.line("BEGIN", "VCALENDAR");
  w.line("VERSION", "2.0");
  w.text("PRODID", calendar.product_id);
  w.line("CALSCALE", "GREGORIAN");
  w.line("METHOD", to_string(calendar.method));
  if (calendar.name) w.text("X-WR-CALNAME", *calendar.name);

  // One VTIMEZONE per zone in use, covering the dates of that zone's events (and a year either side,
  // so that recurring rules show as rules).
  std::map<std::string_view, std::pair<Instant, Instant>> spans;
  std::map<std::string_view, TimeZone> zones;
  for (const auto& e : calendar.events) {
    if (e.zone == TimeZone::utc()) continue;
    zones.emplace(e.zone.name(), e.zone);
    auto [it, fresh] = spans.try_emplace(e.zone.name(), e.starts_at, e.ends_at);
    if (!fresh) {
      it->second.first = std::min(it->second.first, e.starts_at);
      it->second.second = std::max(it->second.second, e.ends_at);
    }
  }
  constexpr auto kMargin = std::chrono::hours(24 * 366);
  for (const auto& [name, span] : spans) w.raw(vtimezone(zones.at(name), span.first - kMargin, span.second + kMargin));

  for (const auto& e : calendar.events) write_event(w, e);
  w.line("END", "VCALENDAR");
  return w.take();
}

}  // namespace convene::ical
