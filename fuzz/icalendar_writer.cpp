// Fuzz target: the iCalendar writer (ical::write, with its VTIMEZONEs), given calendars whose every
// text a person could type is fuzzed, in zones picked from the tz catalogue.
//
// Input: fields, one per line (see fuzz_common.hpp):
//   0 calendar name (X-WR-CALNAME; empty: none)   1 title (SUMMARY)      2 description
//   3 organiser's name (CN)                       4 attendee's name (CN) 5 location
//   6 URL                                         7 zone of event A      8 start of event A (wall time)
//   9 duration, minutes                           10 zone of event B (empty: one event only)
//   11 start of event B                           12 method and status   13 UID
//   14 alarm text (empty: no alarms)              15 alarm offset, seconds before the start
//   16 attendee's e-mail address
//
// Properties of the document:
//  - every line ends in CRLF, there is no other CR or LF; no line is over 75 octets; continuation
//    lines start with one space and hold something; where the unfolded line is UTF-8, every folded
//    piece is too (no fold splits a character);
//  - unfolded, every line is "NAME;PARAM=...:value" with a known property name, parameters as the
//    writer sets them (values quoted exactly when they hold : ; or ,; no control characters), and
//    no control characters in the value: user text cannot add a line, a property or a parameter.
//    BEGIN/END nest as VCALENDAR > (VTIMEZONE > STANDARD|DAYLIGHT | VEVENT > VALARM), with one
//    VEVENT per event, the expected number of VALARMs, one VTIMEZONE per zone other than UTC;
//  - text values unescape to what was given (line breaks as \n, control characters dropped), CN
//    parameters to the name given (DQUOTE as '), mailto: values percent-decode to the address, the
//    URL is the one given without spaces and control characters, TRIGGER is minus the alarm offset;
//  - DTSTART/DTEND are the event's instants: in UTC with Z, or as a wall time with TZID, which must
//    then be a wall time the zone shows once, and which the document's own VTIMEZONE for that TZID
//    (its observances and yearly RRULEs) turns back into the same instant.
#include <algorithm>
#include <map>
#include <set>

#include "convene/icalendar.hpp"
#include "convene/text.hpp"
#include "fuzz_common.hpp"

using namespace convene;
using std::chrono::seconds;

namespace {

struct ContentLine {
  std::string name;
  std::vector<std::pair<std::string, std::string>> params;  // unquoted values
  std::vector<bool> quoted;
  std::string value;
};

bool is_control(unsigned char ch) { return (ch < 0x20 && ch != '\t') || ch == 0x7F; }

// RFC 5545 section 3.1: name *(";" param) ":" value. Fails on anything the writer should not write.
ContentLine parse_content_line(const std::string& line) {
  ContentLine out;
  std::size_t i = 0;
  while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '-')) ++i;
  out.name = line.substr(0, i);
  FUZZ_CHECK(!out.name.empty(), "no property name: " + fuzz::show(line));
  while (i < line.size() && line[i] == ';') {
    std::size_t start = ++i;
    while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '-')) ++i;
    std::string name = line.substr(start, i - start);
    FUZZ_CHECK(!name.empty() && i < line.size() && line[i] == '=', "bad parameter: " + fuzz::show(line));
    ++i;
    std::string value;
    bool quoted = false;
    if (i < line.size() && line[i] == '"') {
      quoted = true;
      const std::size_t close = line.find('"', i + 1);
      FUZZ_CHECK(close != std::string::npos, "unterminated quoted parameter: " + fuzz::show(line));
      value = line.substr(i + 1, close - i - 1);
      i = close + 1;
    } else {
      start = i;
      while (i < line.size() && line[i] != ';' && line[i] != ':' && line[i] != ',' && line[i] != '"') ++i;
      value = line.substr(start, i - start);
    }
    for (unsigned char ch : value) FUZZ_CHECK(!is_control(ch) && ch != '"', "bad parameter value: " + fuzz::show(line));
    out.params.emplace_back(std::move(name), std::move(value));
    out.quoted.push_back(quoted);
  }
  FUZZ_CHECK(i < line.size() && line[i] == ':', "no ':' after name and parameters: " + fuzz::show(line));
  out.value = line.substr(i + 1);
  for (unsigned char ch : out.value) FUZZ_CHECK(!is_control(ch), "control character in value: " + fuzz::show(line));
  return out;
}

// A TEXT value back to the text: \\ \; \, \n \N are the only escapes; bare ; and , cannot occur.
std::string unescape_text(const std::string& value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char ch = value[i];
    FUZZ_CHECK(ch != ';' && ch != ',', "unescaped ; or , in TEXT: " + fuzz::show(value));
    if (ch != '\\') {
      out += ch;
      continue;
    }
    FUZZ_CHECK(i + 1 < value.size(), "dangling backslash: " + fuzz::show(value));
    const char next = value[++i];
    if (next == 'n' || next == 'N') out += '\n';
    else if (next == '\\' || next == ';' || next == ',') out += next;
    else FUZZ_CHECK(false, "unknown escape: " + fuzz::show(value));
  }
  return out;
}

// What a TEXT value must say for `text`: line breaks (CRLF, CR, LF) as LF, other controls gone.
std::string expected_text(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto ch = static_cast<unsigned char>(text[i]);
    if (ch == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += '\n';
    } else if (ch == '\n') {
      out += '\n';
    } else if (!is_control(ch)) {
      out += static_cast<char>(ch);
    }
  }
  return out;
}

std::string expected_parameter(std::string_view text) {
  std::string out;
  for (unsigned char ch : text) {
    if (ch < 0x20 || ch == 0x7F) continue;
    out += ch == '"' ? '\'' : static_cast<char>(ch);
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      FUZZ_CHECK(i + 2 < text.size() && fuzz::hex_value(text[i + 1]) >= 0 && fuzz::hex_value(text[i + 2]) >= 0,
                 "bad percent escape: " + fuzz::show(text));
      out += static_cast<char>(fuzz::hex_value(text[i + 1]) * 16 + fuzz::hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// -P1DT2H30M5S and the like, in seconds.
std::int64_t parse_duration(std::string_view text) {
  const std::string original(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) negative = text[0] == '-', text.remove_prefix(1);
  FUZZ_CHECK(!text.empty() && text[0] == 'P', "bad duration: " + original);
  text.remove_prefix(1);
  std::int64_t total = 0, n = 0;
  bool in_time = false, digits = false;
  for (char ch : text) {
    if (ch >= '0' && ch <= '9') {
      n = n * 10 + (ch - '0'), digits = true;
      continue;
    }
    if (ch == 'T') {
      FUZZ_CHECK(!in_time && !digits, "bad duration: " + original);
      in_time = true;
      continue;
    }
    FUZZ_CHECK(digits, "bad duration: " + original);
    if (ch == 'D' && !in_time) total += n * 86400;
    else if (ch == 'W' && !in_time) total += n * 7 * 86400;
    else if (ch == 'H' && in_time) total += n * 3600;
    else if (ch == 'M' && in_time) total += n * 60;
    else if (ch == 'S' && in_time) total += n;
    else FUZZ_CHECK(false, "bad duration: " + original);
    n = 0, digits = false;
  }
  FUZZ_CHECK(!digits, "bad duration: " + original);
  return negative ? -total : total;
}

// 20210910T090000 (a wall time) or 20210910T130000Z (an instant), as seconds since 1970.
std::optional<std::pair<std::int64_t, bool>> parse_date_time(std::string_view text) {
  if ((text.size() != 15 && !(text.size() == 16 && text[15] == 'Z')) || text[8] != 'T') return std::nullopt;
  int n[6];
  const std::size_t at[6] = {0, 4, 6, 9, 11, 13}, width[6] = {4, 2, 2, 2, 2, 2};
  for (int k = 0; k < 6; ++k) {
    n[k] = 0;
    for (std::size_t i = at[k]; i < at[k] + width[k]; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      n[k] = n[k] * 10 + (text[i] - '0');
    }
  }
  const date::year_month_day ymd{date::year{n[0]}, date::month{unsigned(n[1])}, date::day{unsigned(n[2])}};
  if (!ymd.ok() || n[3] > 23 || n[4] > 59 || n[5] > 60) return std::nullopt;
  const std::int64_t s = std::int64_t{date::sys_days{ymd}.time_since_epoch().count()} * 86400 + n[3] * 3600 + n[4] * 60 + n[5];
  return std::pair{s, text.size() == 16};
}

std::int64_t parse_utc_offset(std::string_view text) {
  FUZZ_CHECK((text.size() == 5 || text.size() == 7) && (text[0] == '+' || text[0] == '-'), "bad offset " + std::string(text));
  std::int64_t value = 0;
  for (std::size_t i = 1; i < text.size(); i += 2) {
    FUZZ_CHECK(std::isdigit(static_cast<unsigned char>(text[i])) && std::isdigit(static_cast<unsigned char>(text[i + 1])));
    const int two = (text[i] - '0') * 10 + (text[i + 1] - '0');
    value += two * (i == 1 ? 3600 : i == 3 ? 60 : 1);
  }
  return text[0] == '-' ? -value : value;
}

// One STANDARD or DAYLIGHT observance of a VTIMEZONE.
struct Observance {
  std::int64_t start_local = 0;  // DTSTART, wall time in the offset `from`
  std::int64_t from = 0, to = 0;
  bool yearly = false;
  unsigned month = 0;
  int ordinal = 0;  // 1..5, -1 last
  unsigned weekday = 0;
  std::optional<std::int64_t> until;  // UTC
};

// Onsets of the observance, as instants, up to `limit`.
std::vector<std::int64_t> onsets(const Observance& o, std::int64_t limit) {
  std::vector<std::int64_t> out;
  if (!o.yearly) {
    out.push_back(o.start_local - o.from);
    return out;
  }
  const auto start_day = date::floor<date::days>(date::sys_seconds{seconds{o.start_local}});
  const std::int64_t time_of_day = o.start_local - std::int64_t{start_day.time_since_epoch().count()} * 86400;
  const int first_year = int(date::year_month_day{start_day}.year());
  const int last_year = int(date::year_month_day{date::floor<date::days>(date::sys_seconds{seconds{limit}})}.year()) + 1;
  for (int year = first_year; year <= last_year; ++year) {
    const date::year_month ym{date::year{year}, date::month{o.month}};
    date::sys_days day;
    const date::weekday wd{o.weekday};
    if (o.ordinal == -1) {
      day = date::sys_days{ym / date::weekday_last{wd}};
    } else {
      const date::year_month_weekday ymw{ym / date::weekday_indexed{wd, unsigned(o.ordinal)}};
      if (!ymw.ok()) continue;
      day = date::sys_days{ymw};
    }
    const std::int64_t local = std::int64_t{day.time_since_epoch().count()} * 86400 + time_of_day;
    if (local < o.start_local) continue;
    const std::int64_t instant = local - o.from;
    if (o.until && instant > *o.until) break;
    out.push_back(instant);
    if (instant > limit) break;
  }
  return out;
}

// The offset the VTIMEZONE puts in force at `instant`: that of the latest onset at or before it.
std::int64_t offset_at(const std::vector<Observance>& zone, std::int64_t instant) {
  std::optional<std::pair<std::int64_t, std::int64_t>> latest;  // (onset, offset)
  const Observance* earliest = nullptr;
  for (const auto& o : zone) {
    if (!earliest || o.start_local - o.from < earliest->start_local - earliest->from) earliest = &o;
    for (std::int64_t onset : onsets(o, instant)) {
      if (onset <= instant && (!latest || onset > latest->first)) latest = std::pair{onset, o.to};
    }
  }
  FUZZ_CHECK(earliest != nullptr, "VTIMEZONE without observances");
  return latest ? latest->second : earliest->from;
}

struct Component {
  std::string kind;
  std::vector<ContentLine> lines;  // its own properties
  std::vector<Component> children;
};

const ContentLine& only(const Component& c, const std::string& name) {
  const ContentLine* found = nullptr;
  for (const auto& line : c.lines) {
    if (line.name == name) {
      FUZZ_CHECK(found == nullptr, name + " twice in " + c.kind);
      found = &line;
    }
  }
  FUZZ_CHECK(found != nullptr, name + " missing in " + c.kind);
  return *found;
}

std::size_t count(const Component& c, const std::string& name) {
  return std::count_if(c.lines.begin(), c.lines.end(), [&](const ContentLine& l) { return l.name == name; });
}

const std::set<std::string> kKnownProperties = {
    "VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-CALNAME", "UID", "SEQUENCE", "DTSTAMP", "DTSTART",
    "DTEND", "SUMMARY", "DESCRIPTION", "LOCATION", "URL", "STATUS", "TRANSP", "ORGANIZER", "ATTENDEE",
    "ACTION", "TRIGGER", "TZID", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME", "RRULE"};
const std::map<std::string, std::set<std::string>> kChildren = {
    {"", {"VCALENDAR"}}, {"VCALENDAR", {"VTIMEZONE", "VEVENT"}}, {"VTIMEZONE", {"STANDARD", "DAYLIGHT"}},
    {"VEVENT", {"VALARM"}}, {"VALARM", {}}, {"STANDARD", {}}, {"DAYLIGHT", {}}};

// Splits the document into physical lines, checks the folding, and builds the component tree.
Component read_document(const std::string& doc) {
  FUZZ_CHECK(doc.size() >= 2 && doc.compare(doc.size() - 2, 2, "\r\n") == 0, "document does not end in CRLF");
  std::vector<std::string> logical;
  std::vector<std::vector<std::string>> pieces;
  std::size_t pos = 0;
  while (pos < doc.size()) {
    const std::size_t end = doc.find("\r\n", pos);
    FUZZ_CHECK(end != std::string::npos, "text after the last CRLF");
    const std::string physical = doc.substr(pos, end - pos);
    FUZZ_CHECK(physical.find('\r') == std::string::npos && physical.find('\n') == std::string::npos,
               "bare CR or LF in line " + fuzz::show(physical));
    FUZZ_CHECK(physical.size() <= 75, "line of " + std::to_string(physical.size()) + " octets: " + fuzz::show(physical));
    if (!physical.empty() && physical[0] == ' ') {
      FUZZ_CHECK(!logical.empty(), "document starts with a continuation line");
      FUZZ_CHECK(physical.size() > 1, "empty continuation line");
      logical.back() += physical.substr(1);
      pieces.back().push_back(physical.substr(1));
    } else {
      FUZZ_CHECK(!physical.empty(), "empty line");
      FUZZ_CHECK(physical[0] != '\t', "line starts with a tab (a fold readers would unfold)");
      logical.push_back(physical);
      pieces.push_back({physical});
    }
    pos = end + 2;
  }
  // No fold splits a UTF-8 character (where the text was UTF-8 to begin with).
  for (std::size_t i = 0; i < logical.size(); ++i) {
    if (!is_valid_utf8(logical[i])) continue;
    for (const auto& piece : pieces[i])
      FUZZ_CHECK(is_valid_utf8(piece), "a fold splits a UTF-8 character in " + fuzz::show(logical[i]));
  }

  Component root;
  std::vector<Component*> stack{&root};
  for (const auto& text : logical) {
    ContentLine line = parse_content_line(text);
    if (line.name == "BEGIN" || line.name == "END") {
      FUZZ_CHECK(line.params.empty(), text);
      if (line.name == "BEGIN") {
        FUZZ_CHECK(kChildren.at(stack.back()->kind).count(line.value) == 1,
                   "BEGIN:" + line.value + " inside " + stack.back()->kind);
        stack.back()->children.push_back(Component{line.value, {}, {}});
        stack.push_back(&stack.back()->children.back());
      } else {
        FUZZ_CHECK(stack.size() > 1 && stack.back()->kind == line.value, "END:" + line.value + " closes " + stack.back()->kind);
        stack.pop_back();
      }
      continue;
    }
    FUZZ_CHECK(stack.size() > 1, "property outside any component: " + fuzz::show(text));
    FUZZ_CHECK(kKnownProperties.count(line.name) == 1, "unexpected property " + fuzz::show(line.name));
    stack.back()->lines.push_back(std::move(line));
  }
  FUZZ_CHECK(stack.size() == 1, "component left open: " + stack.back()->kind);
  FUZZ_CHECK(root.children.size() == 1 && root.lines.empty(), "not exactly one VCALENDAR");
  return std::move(root.children.front());
}

std::vector<Observance> read_vtimezone(const Component& tz) {
  std::vector<Observance> out;
  for (const auto& c : tz.children) {
    Observance o;
    const auto start = parse_date_time(only(c, "DTSTART").value);
    FUZZ_CHECK(start && !start->second, "bad observance DTSTART " + only(c, "DTSTART").value);
    o.start_local = start->first;
    o.from = parse_utc_offset(only(c, "TZOFFSETFROM").value);
    o.to = parse_utc_offset(only(c, "TZOFFSETTO").value);
    FUZZ_CHECK(count(c, "TZNAME") <= 1);
    if (count(c, "RRULE") == 1) {
      const std::string& rule = only(c, "RRULE").value;
      o.yearly = true;
      FUZZ_CHECK(rule.rfind("FREQ=YEARLY;BYMONTH=", 0) == 0, "unexpected RRULE " + rule);
      std::size_t i = 20;
      while (i < rule.size() && std::isdigit(static_cast<unsigned char>(rule[i]))) o.month = o.month * 10 + (rule[i++] - '0');
      FUZZ_CHECK(o.month >= 1 && o.month <= 12 && rule.compare(i, 7, ";BYDAY=") == 0, "unexpected RRULE " + rule);
      i += 7;
      bool negative = false;
      if (rule[i] == '-') negative = true, ++i;
      FUZZ_CHECK(std::isdigit(static_cast<unsigned char>(rule[i])), "unexpected RRULE " + rule);
      o.ordinal = rule[i++] - '0';
      if (negative) o.ordinal = -o.ordinal;
      FUZZ_CHECK((o.ordinal >= 1 && o.ordinal <= 5) || o.ordinal == -1, "unexpected RRULE " + rule);
      static constexpr std::string_view kDays[] = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
      const auto day = std::find(std::begin(kDays), std::end(kDays), std::string_view(rule).substr(i, 2));
      FUZZ_CHECK(day != std::end(kDays), "unexpected RRULE " + rule);
      o.weekday = static_cast<unsigned>(day - std::begin(kDays));
      i += 2;
      if (i < rule.size()) {
        FUZZ_CHECK(rule.compare(i, 7, ";UNTIL=") == 0, "unexpected RRULE " + rule);
        const auto until = parse_date_time(rule.substr(i + 7));
        FUZZ_CHECK(until && until->second, "UNTIL must be UTC: " + rule);
        o.until = until->first;
      }
    } else {
      FUZZ_CHECK(count(c, "RRULE") == 0);
    }
    out.push_back(o);
  }
  FUZZ_CHECK(!out.empty(), "VTIMEZONE without observances");
  return out;
}

// DTSTART or DTEND of a VEVENT against the instant it must denote.
void check_time(const ContentLine& line, Instant expected, const TimeZone& zone,
                const std::map<std::string, std::vector<Observance>>& vtimezones) {
  const auto value = parse_date_time(line.value);
  FUZZ_CHECK(value.has_value(), line.name + " is not a DATE-TIME: " + line.value);
  if (value->second) {
    FUZZ_CHECK(line.params.empty(), line.name + " in UTC with parameters");
    FUZZ_CHECK(value->first == expected.time_since_epoch().count(),
               line.name + " " + line.value + " is not " + format_instant(expected));
    return;
  }
  FUZZ_CHECK(line.params.size() == 1 && line.params[0].first == "TZID", line.name + " without TZID");
  FUZZ_CHECK(!(zone == TimeZone::utc()), "UTC written with TZID");
  FUZZ_CHECK(line.params[0].second == zone.name(), "TZID " + line.params[0].second + " for zone " + std::string(zone.name()));
  const WallTime wall{seconds{value->first}};
  // The wall time must be one the zone shows once (a repeated one is written in UTC).
  const auto instant = to_instant(wall, zone, Disambiguation::reject);
  FUZZ_CHECK(instant.has_value() && *instant == expected,
             line.name + " " + line.value + " in " + std::string(zone.name()) + " is not " + format_instant(expected));
  // And the document's VTIMEZONE must say the same.
  const auto tz = vtimezones.find(std::string(zone.name()));
  FUZZ_CHECK(tz != vtimezones.end(), "no VTIMEZONE for " + std::string(zone.name()));
  const std::int64_t offset = offset_at(tz->second, expected.time_since_epoch().count());
  FUZZ_CHECK(value->first - offset == expected.time_since_epoch().count(),
             "the VTIMEZONE of " + std::string(zone.name()) + " reads " + line.name + ":" + line.value + " with offset " +
                 std::to_string(offset) + " s, not as " + format_instant(expected) + " (offset " +
                 std::to_string(value->first - expected.time_since_epoch().count()) + " s)");
}

void check_person(const ContentLine& line, const ical::Person& person) {
  FUZZ_CHECK(line.value.rfind("mailto:", 0) == 0, line.name + " is not a mailto: URI");
  for (unsigned char ch : line.value) FUZZ_CHECK(ch > 0x20 && ch < 0x7F, "raw byte in mailto: " + fuzz::show(line.value));
  FUZZ_CHECK(percent_decode(line.value.substr(7)) == person.email,
             "mailto: " + fuzz::show(line.value) + " for " + fuzz::show(person.email));
  std::size_t cn = 0;
  for (std::size_t i = 0; i < line.params.size(); ++i) {
    const auto& [name, value] = line.params[i];
    if (name != "CN") continue;
    ++cn;
    FUZZ_CHECK(person.name.has_value());
    FUZZ_CHECK(value == expected_parameter(*person.name), "CN " + fuzz::show(value) + " for " + fuzz::show(*person.name));
    const bool must_quote = value.find_first_of(":;,") != std::string::npos;
    FUZZ_CHECK(line.quoted[i] == must_quote, "CN quoted wrongly: " + fuzz::show(value));
  }
  FUZZ_CHECK(cn == (person.name ? 1u : 0u), "CN count");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::Fields f(data, size);
  const std::int64_t mode = f[12].empty() ? 0 : fuzz::number(f[12]);

  ical::Calendar calendar;
  calendar.method = static_cast<ical::Method>(std::uint64_t(mode) % 3);
  if (!f[0].empty()) calendar.name = f[0];
  const std::size_t event_count = f[10].empty() ? 1 : 2;
  for (std::size_t k = 0; k < event_count; ++k) {
    ical::Event e;
    e.uid = f[13].empty() ? "session-" + std::to_string(k) + "@convene.example" : f[13] + std::to_string(k);
    e.sequence = static_cast<int>(std::uint64_t(mode) % 7);
    e.stamp = Instant{seconds{1631278800}};
    e.zone = fuzz::pick_zone(f[k == 0 ? 7 : 10]);
    const WallTime wall = fuzz::pick_wall_time(f[k == 0 ? 8 : 11]);
    e.starts_at = *to_instant(wall, e.zone, Disambiguation::compatible);
    const auto minutes = std::uint64_t(fuzz::number(f[9])) % (7 * 24 * 60 + 1);
    e.ends_at = e.starts_at + std::chrono::minutes(minutes);
    e.summary = f[1];
    e.description = f[2];
    if (!f[5].empty()) e.location = f[5];
    if (!f[6].empty()) e.url = f[6];
    e.status = static_cast<ical::EventStatus>(std::uint64_t(mode) / 3 % 3);
    e.organizer = ical::Person{"events@convene.example", f[3].empty() ? std::nullopt : std::optional(f[3])};
    const std::string email = f[16].empty() ? "sita@example.org" : f[16];
    e.attendees.push_back({{email, f[4].empty() ? std::nullopt : std::optional(f[4])},
                           static_cast<ical::ParticipationStatus>(std::uint64_t(mode) / 9 % 4), false});
    if (!f[14].empty()) {
      e.alarms.push_back({seconds{fuzz::number(f[15]) % (400LL * 86400)}, f[14]});
      e.alarms.push_back({std::chrono::hours(24), f[14]});
    }
    calendar.events.push_back(std::move(e));
  }

  const std::string doc = ical::write(calendar);
  const Component vcalendar = read_document(doc);

  // Calendar properties.
  FUZZ_CHECK(only(vcalendar, "VERSION").value == "2.0");
  FUZZ_CHECK(only(vcalendar, "METHOD").value == ical::to_string(calendar.method));
  FUZZ_CHECK(unescape_text(only(vcalendar, "PRODID").value) == calendar.product_id);
  if (calendar.name) {
    FUZZ_CHECK(unescape_text(only(vcalendar, "X-WR-CALNAME").value) == expected_text(*calendar.name),
               "X-WR-CALNAME " + fuzz::show(only(vcalendar, "X-WR-CALNAME").value));
  } else {
    FUZZ_CHECK(count(vcalendar, "X-WR-CALNAME") == 0);
  }

  // One VTIMEZONE per zone other than UTC, each readable.
  std::set<std::string> zones;
  for (const auto& e : calendar.events)
    if (!(e.zone == TimeZone::utc())) zones.insert(std::string(e.zone.name()));
  std::map<std::string, std::vector<Observance>> vtimezones;
  std::vector<const Component*> vevents;
  for (const auto& c : vcalendar.children) {
    if (c.kind == "VEVENT") {
      vevents.push_back(&c);
      continue;
    }
    FUZZ_CHECK(vevents.empty(), "VTIMEZONE after a VEVENT");
    const std::string tzid = only(c, "TZID").value;
    FUZZ_CHECK(zones.count(tzid) == 1, "VTIMEZONE for a zone no event uses: " + tzid);
    FUZZ_CHECK(vtimezones.emplace(tzid, read_vtimezone(c)).second, "two VTIMEZONEs for " + tzid);
  }
  FUZZ_CHECK(vtimezones.size() == zones.size(), "VTIMEZONE missing");
  FUZZ_CHECK(vevents.size() == calendar.events.size(), std::to_string(vevents.size()) + " VEVENTs for " +
                                                           std::to_string(calendar.events.size()) + " events");

  for (std::size_t k = 0; k < vevents.size(); ++k) {
    const Component& v = *vevents[k];
    const ical::Event& e = calendar.events[k];
    FUZZ_CHECK(unescape_text(only(v, "UID").value) == expected_text(e.uid));
    FUZZ_CHECK(only(v, "SEQUENCE").value == std::to_string(e.sequence));
    check_time(only(v, "DTSTART"), e.starts_at, e.zone, vtimezones);
    check_time(only(v, "DTEND"), e.ends_at, e.zone, vtimezones);
    FUZZ_CHECK(unescape_text(only(v, "SUMMARY").value) == expected_text(e.summary),
               "SUMMARY " + fuzz::show(only(v, "SUMMARY").value) + " for " + fuzz::show(e.summary));
    if (e.description.empty()) {
      FUZZ_CHECK(count(v, "DESCRIPTION") == 0);
    } else {
      FUZZ_CHECK(unescape_text(only(v, "DESCRIPTION").value) == expected_text(e.description),
                 "DESCRIPTION " + fuzz::show(only(v, "DESCRIPTION").value));
    }
    FUZZ_CHECK(count(v, "LOCATION") == (e.location ? 1u : 0u));
    if (e.location) FUZZ_CHECK(unescape_text(only(v, "LOCATION").value) == expected_text(*e.location));
    FUZZ_CHECK(count(v, "URL") == (e.url ? 1u : 0u));
    if (e.url) {
      std::string url;
      for (unsigned char ch : *e.url)
        if (ch > 0x20 && ch != 0x7F) url += static_cast<char>(ch);
      FUZZ_CHECK(only(v, "URL").value == url, "URL " + fuzz::show(only(v, "URL").value));
    }
    check_person(only(v, "ORGANIZER"), *e.organizer);
    const ContentLine& attendee = only(v, "ATTENDEE");
    check_person(attendee, e.attendees[0].person);
    std::set<std::string> params;
    for (const auto& [name, value] : attendee.params) FUZZ_CHECK(params.insert(name).second, "parameter twice: " + name);
    const std::set<std::string> expected_params = e.attendees[0].person.name
                                                      ? std::set<std::string>{"CN", "CUTYPE", "ROLE", "PARTSTAT", "RSVP"}
                                                      : std::set<std::string>{"CUTYPE", "ROLE", "PARTSTAT", "RSVP"};
    FUZZ_CHECK(params == expected_params, "ATTENDEE parameters changed by user text");
    const std::size_t alarms = e.status == ical::EventStatus::cancelled ? 0 : e.alarms.size();
    FUZZ_CHECK(v.children.size() == alarms, std::to_string(v.children.size()) + " VALARMs, expected " + std::to_string(alarms));
    for (std::size_t a = 0; a < v.children.size(); ++a) {
      const Component& alarm = v.children[a];
      FUZZ_CHECK(only(alarm, "ACTION").value == "DISPLAY");
      FUZZ_CHECK(unescape_text(only(alarm, "DESCRIPTION").value) == expected_text(e.alarms[a].description));
      FUZZ_CHECK(parse_duration(only(alarm, "TRIGGER").value) == -e.alarms[a].before.count(),
                 "TRIGGER " + only(alarm, "TRIGGER").value + " for " + std::to_string(e.alarms[a].before.count()) + " s");
    }
  }
  return 0;
}
