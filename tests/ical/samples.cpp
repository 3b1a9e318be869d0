// convene_ical_samples OUTDIR
//
// Writes, with the core writer (ical::write), one .ics per case into OUTDIR and a manifest
// OUTDIR/expected.json. The manifest holds what the documents must say when an independent parser
// reads them (tests/ical/libical_check.cpp, tests/ical/python_check.py): for every VEVENT its UID,
// SEQUENCE, STATUS, SUMMARY, ORGANIZER/ATTENDEE addresses and names, and the UTC start and end. The
// instants are the ones handed to the writer; the parsers must find them again from the wall times
// and the document's own VTIMEZONE.
//
// Most documents are a table (documents() below): PUBLISH calendars of plain sessions, one row per
// VEVENT (zone, UID, UTC start and end, summary), written by one function (publish()). The few that
// are more than that (an iTIP REQUEST with attendees and alarms and its CANCEL, long UTF-8 values,
// injection attempts) are built by hand after it.
//
// The zones and dates are the hard ones (tzdata 2025b; UTC instants of the transitions checked with
// /usr/bin/python3 zoneinfo):
//   America/New_York   2021-03-14 07:00Z (EST->EDT), 2021-11-07 06:00Z (EDT->EST; 01:00-02:00 twice),
//                      2040-03-11 07:00Z (after 2037: from the zone file's footer rule)
//   Europe/Dublin      2021-03-28 01:00Z, 2021-10-31 01:00Z (tzdb marks winter as negative DST)
//   Australia/Lord_Howe 2021-04-03 15:00Z (+11 -> +10:30; 01:30-02:00 twice), 2021-10-02 15:30Z
//   Pacific/Chatham    2021-04-03 14:00Z (+13:45 -> +12:45), 2021-09-25 14:00Z
//   Africa/Casablanca  2022-03-27 02:00Z (+01 -> +00 for Ramadan), 2022-05-08 02:00Z (back to +01)
//   America/Sao_Paulo  2018-02-18 02:00Z (-02 -> -03), 2018-11-04 03:00Z (-03 -> -02); no DST since 2019
//   Europe/Moscow      last-Sunday DST until 2010-10-31; +04 all year from 2011-03-26 23:00Z
//   Asia/Tehran        2021-03-21 20:30Z (+03:30 -> +04:30), 2021-09-21 19:30Z; no DST since 2022-09
//   Pacific/Apia       2011-12-30 10:00Z: 2011-12-29 24:00 (-10) became 2011-12-31 00:00 (+14)
//   Asia/Kathmandu     +05:45 since 1986
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convene/icalendar.hpp"

namespace {

using namespace convene;
using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;

Instant utc(int y, unsigned mo, unsigned d, int h, int mi = 0) {
  return date::sys_days{date::year{y} / date::month{mo} / date::day{d}} + hours{h} + minutes{mi};
}

TimeZone zone(const char* name) {
  auto found = TimeZone::find(name);
  if (!found) {
    std::cerr << "unknown zone " << name << "\n";
    std::exit(2);
  }
  return *found;
}

const Instant kStamp = utc(2021, 8, 1, 0);

// What a reader must get back from a TEXT value (RFC 5545 3.3.11): line breaks as LF, tab kept,
// other control characters gone. Stated here from the rule, not by calling the writer.
std::string read_back_text(const std::string& typed) {
  std::string out;
  for (std::size_t i = 0; i < typed.size(); ++i) {
    const unsigned char ch = typed[i];
    if (ch == '\r') {
      if (i + 1 < typed.size() && typed[i + 1] == '\n') ++i;
      out.push_back('\n');
    } else if (ch == '\n' || ch == '\t' || (ch >= 0x20 && ch != 0x7F)) {
      out.push_back(static_cast<char>(ch));
    }
  }
  return out;
}

// What a reader must get back from a CN parameter: no control characters, DQUOTE replaced by '.
std::string read_back_name(const std::string& typed) {
  std::string out;
  for (unsigned char ch : typed) {
    if (ch < 0x20 || ch == 0x7F) continue;
    out.push_back(ch == '"' ? '\'' : static_cast<char>(ch));
  }
  return out;
}

ical::Event session(std::string uid, const TimeZone& z, Instant start, Instant end, std::string summary) {
  ical::Event e;
  e.uid = std::move(uid);
  e.stamp = kStamp;
  e.starts_at = start;
  e.ends_at = end;
  e.zone = z;
  e.summary = std::move(summary);
  // As the service writes them (core/invites.cpp): every VEVENT has an ORGANIZER, which iTIP
  // (RFC 5546 3.2) requires for PUBLISH, REQUEST and CANCEL alike.
  e.organizer = ical::Person{"events@convene.test", "Convene"};
  return e;
}

// The first `octets` octets of a UTF-8 text, shortened so that no character is cut.
std::string utf8_prefix(const std::string& text, std::size_t octets) {
  if (octets >= text.size()) return text;
  while (octets > 0 && (static_cast<unsigned char>(text[octets]) & 0xC0) == 0x80) --octets;
  return text.substr(0, octets);
}

struct Sample {
  std::string file;
  ical::Calendar calendar;
};

json person_json(const ical::Person& p) {
  return {{"email", p.email}, {"cn", p.name ? json(read_back_name(*p.name)) : json(nullptr)}};
}

json manifest_entry(const Sample& sample) {
  json events = json::array();
  for (const auto& e : sample.calendar.events) {
    json attendees = json::array();
    for (const auto& a : e.attendees) attendees.push_back(person_json(a.person));
    const char* status = e.status == ical::EventStatus::cancelled   ? "CANCELLED"
                         : e.status == ical::EventStatus::tentative ? "TENTATIVE"
                                                                    : "CONFIRMED";
    json alarms = json::array();
    if (e.status != ical::EventStatus::cancelled) {
      for (const auto& a : e.alarms) alarms.push_back(a.before.count());
    }
    events.push_back({{"uid", e.uid},
                      {"sequence", e.sequence},
                      {"zone", std::string(e.zone.name())},
                      {"start", format_instant(e.starts_at)},
                      {"end", format_instant(e.ends_at)},
                      {"status", status},
                      {"summary", read_back_text(e.summary)},
                      {"description", read_back_text(e.description)},
                      {"location", e.location ? json(read_back_text(*e.location)) : json(nullptr)},
                      {"url", e.url ? json(*e.url) : json(nullptr)},
                      {"organizer", e.organizer ? person_json(*e.organizer) : json(nullptr)},
                      {"attendees", attendees},
                      {"alarm_seconds_before", alarms}});
  }
  const auto& name = sample.calendar.name;
  return {{"file", sample.file},
          {"method", std::string(ical::to_string(sample.calendar.method))},
          {"calendar_name", name ? json(read_back_text(*name)) : json(nullptr)},
          {"events", events}};
}

// --- The table: PUBLISH documents of plain sessions ------------------------------------------------
//
// Each row is one VEVENT: a session in a zone, from one UTC instant to another, its summary saying
// what a reader should see there (the offset in force, or the case). The instants are what the
// parsers must find again from the wall times and the document's VTIMEZONE. Sessions sit a few hours
// either side of each transition, plus ones that straddle it or fall in an hour that happens twice.
struct Row {
  const char* zone;
  const char* uid;  // before "@convene.test"
  Instant start, end;
  const char* summary;
  const char* description = nullptr;
  const char* url = nullptr;
};

struct Document {
  const char* file;
  std::vector<Row> rows;
  const char* calendar_name = nullptr;
};

const std::vector<Document>& documents() {
  static const std::vector<Document> table = {
      {"panel-new-york.ics",
       {{"America/New_York", "panel-2021", utc(2021, 9, 10, 13), utc(2021, 9, 10, 15), "South-South cooperation: the panel",
         "Panel discussion, 09:00-11:00 in New York.", "https://convene.example/events/south-south-2021"}},
       "South-South cooperation 2021"},
      {"new-york-dst.ics",
       {{"America/New_York", "ny-spring-before", utc(2021, 3, 14, 4), utc(2021, 3, 14, 5), "3 h before spring"},
        {"America/New_York", "ny-spring-across", utc(2021, 3, 14, 6), utc(2021, 3, 14, 8), "across spring"},
        {"America/New_York", "ny-spring-after", utc(2021, 3, 14, 10), utc(2021, 3, 14, 11), "3 h after spring"},
        {"America/New_York", "ny-fall-before", utc(2021, 11, 7, 3), utc(2021, 11, 7, 4), "3 h before fall"},
        {"America/New_York", "ny-fall-after", utc(2021, 11, 7, 9), utc(2021, 11, 7, 10), "3 h after fall"},
        // 01:00-02:00 happens twice on 2021-11-07: first as EDT (05:00-06:00Z), then as EST (06:00-07:00Z).
        {"America/New_York", "ny-fall-first-0130", utc(2021, 11, 7, 5, 30), utc(2021, 11, 7, 5, 45),
         "01:30 EDT, the first 01:30"},
        {"America/New_York", "ny-fall-second-0130", utc(2021, 11, 7, 6, 30), utc(2021, 11, 7, 6, 45),
         "01:30 EST, the second 01:30"}}},
      // Past 2037, where the zone files' explicit transitions end and their POSIX footer rule takes over.
      {"new-york-2040.ics",
       {{"America/New_York", "ny-2040-spring-before", utc(2040, 3, 11, 4), utc(2040, 3, 11, 5), "EST"},
        {"America/New_York", "ny-2040-spring-after", utc(2040, 3, 11, 10), utc(2040, 3, 11, 11), "EDT"},
        {"America/New_York", "ny-2040-july", utc(2040, 7, 4, 16), utc(2040, 7, 4, 17), "EDT"},
        {"America/New_York", "ny-2040-december", utc(2040, 12, 1, 17), utc(2040, 12, 1, 18), "EST"}}},
      {"dublin.ics",
       {{"Europe/Dublin", "dublin-winter", utc(2021, 1, 15, 10), utc(2021, 1, 15, 11), "winter (GMT)"},
        {"Europe/Dublin", "dublin-summer", utc(2021, 7, 15, 10), utc(2021, 7, 15, 11), "summer (IST)"},
        {"Europe/Dublin", "dublin-spring-before", utc(2021, 3, 27, 22), utc(2021, 3, 27, 23), "before"},
        {"Europe/Dublin", "dublin-spring-after", utc(2021, 3, 28, 4), utc(2021, 3, 28, 5), "after"},
        {"Europe/Dublin", "dublin-fall-before", utc(2021, 10, 30, 22), utc(2021, 10, 30, 23), "before"},
        {"Europe/Dublin", "dublin-fall-after", utc(2021, 10, 31, 4), utc(2021, 10, 31, 5), "after"}}},
      {"lord-howe.ics",
       {{"Australia/Lord_Howe", "lhi-april-before", utc(2021, 4, 3, 12), utc(2021, 4, 3, 13), "+11"},
        {"Australia/Lord_Howe", "lhi-april-after", utc(2021, 4, 3, 18), utc(2021, 4, 3, 19), "+10:30"},
        // 01:30-02:00 on 2021-04-04 happens twice: 14:30-15:00Z (+11), then 15:00-15:30Z (+10:30).
        {"Australia/Lord_Howe", "lhi-april-first-0145", utc(2021, 4, 3, 14, 45), utc(2021, 4, 3, 16), "first"},
        {"Australia/Lord_Howe", "lhi-april-second-0145", utc(2021, 4, 3, 15, 15), utc(2021, 4, 3, 16), "second"},
        {"Australia/Lord_Howe", "lhi-october-before", utc(2021, 10, 2, 12), utc(2021, 10, 2, 13), "+10:30"},
        {"Australia/Lord_Howe", "lhi-october-across", utc(2021, 10, 2, 15), utc(2021, 10, 2, 16), "across"},
        {"Australia/Lord_Howe", "lhi-october-after", utc(2021, 10, 2, 19), utc(2021, 10, 2, 20), "+11"}}},
      {"chatham.ics",
       {{"Pacific/Chatham", "chatham-april-before", utc(2021, 4, 3, 11), utc(2021, 4, 3, 12), "+13:45"},
        {"Pacific/Chatham", "chatham-april-after", utc(2021, 4, 3, 17), utc(2021, 4, 3, 18), "+12:45"},
        {"Pacific/Chatham", "chatham-september-before", utc(2021, 9, 25, 11), utc(2021, 9, 25, 12), "+12:45"},
        {"Pacific/Chatham", "chatham-september-after", utc(2021, 9, 25, 17), utc(2021, 9, 25, 18), "+13:45"}}},
      {"casablanca-2022.ics",
       {{"Africa/Casablanca", "casa-february", utc(2022, 2, 15, 12), utc(2022, 2, 15, 13), "outside Ramadan"},
        {"Africa/Casablanca", "casa-march-before", utc(2022, 3, 26, 23), utc(2022, 3, 27, 0), "+01"},
        {"Africa/Casablanca", "casa-march-after", utc(2022, 3, 27, 5), utc(2022, 3, 27, 6), "+00"},
        {"Africa/Casablanca", "casa-ramadan", utc(2022, 4, 15, 12), utc(2022, 4, 15, 13), "during Ramadan"},
        {"Africa/Casablanca", "casa-may-before", utc(2022, 5, 7, 23), utc(2022, 5, 8, 0), "+00"},
        {"Africa/Casablanca", "casa-may-after", utc(2022, 5, 8, 5), utc(2022, 5, 8, 6), "+01"},
        {"Africa/Casablanca", "casa-june", utc(2022, 6, 15, 12), utc(2022, 6, 15, 13), "outside Ramadan"}}},
      {"sao-paulo-2018.ics",
       {{"America/Sao_Paulo", "sp-feb-before", utc(2018, 2, 17, 22), utc(2018, 2, 17, 23), "-02"},
        // 23:00-24:00 on 2018-02-17 happens twice: 01:00-02:00Z (-02), then 02:00-03:00Z (-03).
        {"America/Sao_Paulo", "sp-feb-first-2330", utc(2018, 2, 18, 1, 30), utc(2018, 2, 18, 1, 50), "first"},
        {"America/Sao_Paulo", "sp-feb-second-2330", utc(2018, 2, 18, 2, 30), utc(2018, 2, 18, 2, 50), "second"},
        {"America/Sao_Paulo", "sp-feb-after", utc(2018, 2, 18, 5), utc(2018, 2, 18, 6), "-03"},
        {"America/Sao_Paulo", "sp-nov-before", utc(2018, 11, 3, 23), utc(2018, 11, 4, 0), "-03"},
        {"America/Sao_Paulo", "sp-nov-after", utc(2018, 11, 4, 6), utc(2018, 11, 4, 7), "-02"},
        {"America/Sao_Paulo", "sp-december", utc(2018, 12, 10, 15), utc(2018, 12, 10, 16), "DST"}}},
      {"sao-paulo-2030.ics",
       {{"America/Sao_Paulo", "sp-2030-february", utc(2030, 2, 10, 13), utc(2030, 2, 10, 14), "-03"},
        {"America/Sao_Paulo", "sp-2030-november", utc(2030, 11, 10, 13), utc(2030, 11, 10, 14), "-03"}}},
      // One VTIMEZONE covering 2017-2031: the yearly February rule stopped in 2019 (RRULE with UNTIL).
      {"sao-paulo-2018-and-2030.ics",
       {{"America/Sao_Paulo", "sp-both-2018", utc(2018, 12, 10, 15), utc(2018, 12, 10, 16), "-02"},
        {"America/Sao_Paulo", "sp-both-2030", utc(2030, 2, 10, 13), utc(2030, 2, 10, 14), "-03"}}},
      // The same east of UTC: Moscow's last-Sunday rules stopped in 2011 (+04 all year, then +03 in 2014).
      {"moscow-2009-and-2012.ics",
       {{"Europe/Moscow", "msk-2009-july", utc(2009, 7, 1, 8), utc(2009, 7, 1, 9), "MSD +04"},
        {"Europe/Moscow", "msk-2009-december", utc(2009, 12, 1, 8), utc(2009, 12, 1, 9), "MSK +03"},
        {"Europe/Moscow", "msk-2010-october-before", utc(2010, 10, 30, 20), utc(2010, 10, 30, 21), "+04"},
        {"Europe/Moscow", "msk-2010-october-after", utc(2010, 10, 31, 2), utc(2010, 10, 31, 3), "+03"},
        {"Europe/Moscow", "msk-2011-march-after", utc(2011, 3, 27, 2), utc(2011, 3, 27, 3), "+04"},
        {"Europe/Moscow", "msk-2012-july", utc(2012, 7, 1, 8), utc(2012, 7, 1, 9), "MSK +04"}}},
      {"tehran-2021.ics",
       {{"Asia/Tehran", "teh-2021-march-before", utc(2021, 3, 21, 17), utc(2021, 3, 21, 18), "+03:30"},
        {"Asia/Tehran", "teh-2021-march-after", utc(2021, 3, 22, 0), utc(2021, 3, 22, 1), "+04:30"},
        {"Asia/Tehran", "teh-2021-july", utc(2021, 7, 1, 8), utc(2021, 7, 1, 9), "+04:30"},
        {"Asia/Tehran", "teh-2021-september-before", utc(2021, 9, 21, 16), utc(2021, 9, 21, 17), "+04:30"},
        {"Asia/Tehran", "teh-2021-september-after", utc(2021, 9, 21, 23), utc(2021, 9, 22, 0), "+03:30"}}},
      {"tehran-2023.ics",
       {{"Asia/Tehran", "teh-2023-march", utc(2023, 3, 22, 8), utc(2023, 3, 22, 9), "+03:30"},
        {"Asia/Tehran", "teh-2023-july", utc(2023, 7, 1, 8), utc(2023, 7, 1, 9), "+03:30"},
        {"Asia/Tehran", "teh-2023-september", utc(2023, 9, 22, 8), utc(2023, 9, 22, 9), "+03:30"}}},
      {"kathmandu.ics",
       {{"Asia/Kathmandu", "ktm-panel", utc(2021, 9, 10, 13), utc(2021, 9, 10, 15), "18:45 in Kathmandu"}}},
      {"chatham-2031.ics",
       {{"Pacific/Chatham", "chatham-2031", utc(2031, 1, 10, 1), utc(2031, 1, 10, 2), "far future"}}},
      {"apia-2011.ics",
       {{"Pacific/Apia", "apia-before", utc(2011, 12, 30, 5), utc(2011, 12, 30, 6), "Dec 29 19:00 (-10)"},
        {"Pacific/Apia", "apia-across", utc(2011, 12, 30, 8), utc(2011, 12, 30, 12),
         "Dec 29 22:00 (-10) to Dec 31 02:00 (+14)"},
        {"Pacific/Apia", "apia-after", utc(2011, 12, 30, 14), utc(2011, 12, 30, 15), "Dec 31 04:00 (+14)"}}},
      {"two-zones.ics",
       {{"America/New_York", "mixed-ny", utc(2021, 9, 10, 13), utc(2021, 9, 10, 15), "New York session"},
        {"Asia/Kathmandu", "mixed-ktm", utc(2021, 9, 11, 4), utc(2021, 9, 11, 5, 30), "Kathmandu session"},
        {"America/New_York", "mixed-ny-2", utc(2021, 11, 20, 15), utc(2021, 11, 20, 16), "New York, winter"}},
       "Two zones"},
      {"utc.ics", {{"UTC", "utc-session", utc(2021, 9, 10, 13), utc(2021, 9, 10, 14), "In UTC"}}},
  };
  return table;
}

// The one writer of the table's documents.
Sample publish(const Document& document) {
  ical::Calendar calendar;
  calendar.method = ical::Method::publish;
  if (document.calendar_name) calendar.name = document.calendar_name;
  for (const Row& row : document.rows) {
    ical::Event event =
        session(std::string(row.uid) + "@convene.test", zone(row.zone), row.start, row.end, row.summary);
    if (row.description) event.description = row.description;
    if (row.url) event.url = row.url;
    calendar.events.push_back(std::move(event));
  }
  return {document.file, std::move(calendar)};
}

// --- By hand: the documents that are not plain sessions ---------------------------------------------

std::vector<Sample> samples() {
  std::vector<Sample> out;
  for (const Document& document : documents()) out.push_back(publish(document));
  const auto add = [&](std::string file, ical::Method method, std::vector<ical::Event> events,
                       std::optional<std::string> name = std::nullopt) {
    ical::Calendar c;
    c.method = method;
    c.name = std::move(name);
    c.events = std::move(events);
    out.push_back({std::move(file), std::move(c)});
  };
  const TimeZone ny = zone("America/New_York");
  const TimeZone kathmandu = zone("Asia/Kathmandu");

  // An invitation as the worker sends it: ORGANIZER, ATTENDEE, reminders, names in three scripts.
  const ical::Person organizer{"protocol@mofa.example", "सीता शर्मा (Ministry of Foreign Affairs, Nepal)"};
  ical::Event invite = session("south-south-2021-s1@convene.test", kathmandu, utc(2021, 9, 10, 13),
                               utc(2021, 9, 10, 15), "दक्षिण-दक्षिण सहयोग — التعاون بين بلدان الجنوب — 南南合作");
  invite.sequence = 2;
  invite.description = "Join: https://convene.example/j/abc123\nबैठक नेपाल समय अनुसार साँझ ६:४५ बजे सुरु हुन्छ।";
  invite.location = "Hall 2; Building: A, Kathmandu";
  invite.url = "https://convene.example/r/manage-token";
  invite.organizer = organizer;
  invite.attendees = {{{"fatima@example.org", "فاطمة الزهراء"}, ical::ParticipationStatus::accepted, false},
                      {{"wang@example.cn", "王小明"}, ical::ParticipationStatus::tentative, false},
                      {{"sunny@example.org", "Sita \"Sunny\" Sharma; Protocol, Nepal: Delegation"},
                       ical::ParticipationStatus::accepted, false}};
  invite.alarms = {{hours{24}, "कल: दक्षिण-दक्षिण सहयोग"}, {hours{1}, "غداً: التعاون"}, {minutes{15}, "十五分钟后开始"},
                   {std::chrono::seconds{0}, "Starting now"}};
  add("request-i18n.ics", ical::Method::request, {invite});

  ical::Event cancelled = invite;
  cancelled.sequence = 3;
  cancelled.status = ical::EventStatus::cancelled;
  add("cancel.ics", ical::Method::cancel, {cancelled});

  // Long values in every UTF-8 width, so that folds land next to (and inside) 2-, 3- and 4-byte
  // characters, and typed text that tries to start new properties and components.
  std::string long_text;
  for (int i = 0; i < 6; ++i) {
    long_text += "Ünïcödé façade — ";                                  // 2-byte
    long_text += "सहभागीहरूलाई स्वागत छ। ";                                 // 3-byte (Devanagari)
    long_text += "مرحباً بالمشاركين في الاجتماع. ";                          // 2-byte (Arabic)
    long_text += "欢迎各位参加会议。";                                      // 3-byte (CJK)
    long_text += "🌏🤝📅 ";                                               // 4-byte
  }
  ical::Event long_event = session("long-utf8@convene.test", ny, utc(2021, 9, 10, 13), utc(2021, 9, 10, 15),
                                   std::string(40, 'x') + "é" + "🤝" + "सहयोग" + utf8_prefix(long_text, 120));
  long_event.description = long_text + "\nsecond paragraph\r\nthird, with; punctuation \\ and a tab\there";
  long_event.location = std::string(73, 'L') + "ü" + "中" + "🌏";
  long_event.organizer = ical::Person{"organiser@example.org", std::string(60, 'N') + "नेपाल" + "🌏"};
  long_event.attendees = {{{"delegate@example.org", "प्रतिनिधि " + utf8_prefix(long_text, 100) + "(Delegate)"},
                           ical::ParticipationStatus::accepted, false}};
  long_event.alarms = {{std::chrono::seconds{86400 + 2 * 3600 + 30 * 60}, utf8_prefix(long_text, 200)}};
  add("long-utf8.ics", ical::Method::request, {long_event}, utf8_prefix(long_text, 90));

  ical::Event injected = session("injection@convene.test", ny, utc(2021, 9, 10, 13), utc(2021, 9, 10, 15),
                                 "Panel\r\nATTENDEE:mailto:evil@x");
  injected.description = "Agenda\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil\rATTENDEE;CN=x:mailto:evil@x\x01\x1b";
  injected.location = "Room: 1; Floor, 2 \\ \"quoted\"";
  injected.organizer = ical::Person{"org@example.org", "Org\r\nATTENDEE:mailto:evil@x"};
  injected.attendees = {{{"a@example.org", "A\nEND:VEVENT\nBEGIN:VEVENT"}, ical::ParticipationStatus::accepted, false},
                        {{"b@example.org", "B:\";mailto:evil@x"}, ical::ParticipationStatus::needs_action, false}};
  add("injection.ics", ical::Method::request, {injected}, "Cal\r\nMETHOD:CANCEL");

  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: convene_ical_samples OUTDIR\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  json manifest = {{"tzdb_version", tzdb_version()}, {"samples", json::array()}};
  std::size_t events = 0;
  for (const auto& sample : samples()) {
    std::ofstream(dir / sample.file, std::ios::binary) << ical::write(sample.calendar);
    manifest["samples"].push_back(manifest_entry(sample));
    events += sample.calendar.events.size();
  }
  std::ofstream(dir / "expected.json", std::ios::binary) << manifest.dump(2) << "\n";
  std::cout << "wrote " << manifest["samples"].size() << " documents, " << events << " VEVENTs to " << dir.string()
            << " (tzdb " << tzdb_version() << ")\n";
  return 0;
}
