// Time zones: instants shown in zones, wall times resolved in zones, zone names, text forms and the
// conversion endpoint's core (include/convene/time.hpp, include/convene/time_conversion.hpp).
//
// Every expected local time, offset, abbreviation, transition instant and disambiguated instant
// below was computed with Python's standard-library zoneinfo (/usr/bin/python3, 3.11), which reads
// the same system tz database as the service (/usr/share/zoneinfo, tzdata 2025b), never copied from
// our own output. Python resolves wall times with PEP 495's `fold`: in a gap fold=0 reads the wall
// time with the offset before the transition and fold=1 with the offset after; in an overlap fold=0
// is the first occurrence. TC39 Temporal (which the API follows) therefore maps as:
//   overlap: earlier = fold 0, later = fold 1;   gap: earlier = fold 1, later = fold 0;
//   compatible = earlier in an overlap, later in a gap.
// To regenerate (python3 this.py Zone@2021-03-14T02:30 Zone@2021-2022 ...):
//
//   import sys
//   from datetime import datetime, timedelta, timezone
//   from zoneinfo import ZoneInfo
//   UTC = timezone.utc
//   def off(td):
//       s = int(td.total_seconds()); sign = '-' if s < 0 else '+'; s = abs(s)
//       return f"{sign}{s//3600:02}:{s//60%60:02}" + (f":{s%60:02}" if s % 60 else "")
//   def iso(d): return d.strftime("%Y-%m-%dT%H:%M:%S")
//   def view(z, instant):              # an instant shown in a zone: local, offset, abbreviation
//       d = datetime.fromisoformat(instant).replace(tzinfo=UTC).astimezone(ZoneInfo(z))
//       return iso(d), off(d.utcoffset()), d.tzname()
//   def resolve(z, wall):              # a wall time in a zone, under Temporal's disambiguations
//       tz = ZoneInfo(z); w = datetime.fromisoformat(wall)
//       u0 = w.replace(tzinfo=tz, fold=0).astimezone(UTC); u1 = w.replace(tzinfo=tz, fold=1).astimezone(UTC)
//       if u0 == u1: return "unique", iso(u0) + "Z"
//       kind = "gap" if u0.astimezone(tz).replace(tzinfo=None) != w else "overlap"
//       earlier, later = (u0, u1) if kind == "overlap" else (u1, u0)
//       before = w.replace(tzinfo=tz, fold=0).utcoffset(); after = w.replace(tzinfo=tz, fold=1).utcoffset()
//       lo, hi = min(u0, u1), max(u0, u1)      # the transition lies between the two readings
//       while hi - lo > timedelta(seconds=1):
//           mid = lo + (hi - lo) / 2
//           lo, hi = (mid, hi) if mid.astimezone(tz).utcoffset() == before else (lo, mid)
//       return kind, iso(earlier) + "Z", iso(later) + "Z", iso(hi) + "Z", off(before), off(after)
//   def transitions(z, y0, y1):        # every change of offset or abbreviation, to the second
//       tz = ZoneInfo(z); t = datetime(y0, 1, 1, tzinfo=UTC); prev = t.astimezone(tz)
//       while t < datetime(y1, 1, 1, tzinfo=UTC):
//           n = t + timedelta(hours=1); cur = n.astimezone(tz)
//           if (cur.utcoffset(), cur.tzname()) != (prev.utcoffset(), prev.tzname()):
//               lo, hi = t, n
//               while hi - lo > timedelta(seconds=1):
//                   mid = lo + (hi - lo) / 2; m = mid.astimezone(tz)
//                   lo, hi = (mid, hi) if (m.utcoffset(), m.tzname()) == (prev.utcoffset(), prev.tzname()) else (lo, mid)
//               print(z, iso(hi) + "Z", off(prev.utcoffset()), prev.tzname(), off(cur.utcoffset()), cur.tzname())
//           t, prev = n, cur
//   for a in sys.argv[1:]:
//       z, arg = a.split("@")
//       if "T" in arg: print(z, arg, resolve(z, arg), view(z, arg))
//       else: transitions(z, *map(int, arg.split("-")))
//
// The helpers below read those strings with sscanf and date's calendar, not with the code under
// test, so that a parsing or formatting bug cannot hide itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convene/time.hpp"
#include "convene/time_conversion.hpp"

namespace convene {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// "2021-09-10T13:00:00" or "2021-09-10T13:00", read with sscanf and date's calendar: seconds since
// 1970-01-01T00:00 on the same time line.
std::chrono::seconds since_epoch(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const int n = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s);
  const date::year_month_day ymd{date::year{y}, date::month(unsigned(mo)), date::day(unsigned(d))};
  EXPECT_TRUE(n >= 5 && ymd.ok()) << "bad test time " << text;
  return date::sys_days{ymd}.time_since_epoch() + std::chrono::hours{h} + std::chrono::minutes{mi} +
         std::chrono::seconds{s};
}

// "2021-09-10T13:00:00Z" (the Z optional).
Instant utc(const std::string& text) { return Instant{since_epoch(text)}; }
WallTime local(const std::string& text) { return WallTime{since_epoch(text)}; }

// "+05:45", "-00:25:21" -> seconds east of UTC, read by hand.
Offset offset(std::string_view text) {
  EXPECT_TRUE(text.size() == 6 || text.size() == 9) << text;
  const int sign = text[0] == '-' ? -1 : 1;
  const auto two = [&](std::size_t at) { return (text[at] - '0') * 10 + (text[at + 1] - '0'); };
  long seconds = two(1) * 3600 + two(4) * 60 + (text.size() == 9 ? two(7) : 0);
  return Offset{sign * seconds};
}

TimeZone zone(const char* name) {
  auto found = TimeZone::find(name);
  EXPECT_TRUE(found.has_value()) << name;
  return found.value_or(TimeZone::utc());
}

std::string show(WallTime wall) { return date::format("%Y-%m-%dT%H:%M:%S", wall); }
std::string show(Instant instant) { return date::format("%Y-%m-%dT%H:%M:%SZ", instant); }

// ---------------------------------------------------------------------------------------------
// a, d, e, f, g: instants shown in zones.

struct ViewCase {
  const char* zone;
  const char* instant;
  const char* local;
  const char* offset;
  const char* abbreviation;
};

void expect_view(const ViewCase& c) {
  SCOPED_TRACE(std::string(c.zone) + " at " + c.instant);
  const ZonedTime zoned = to_zoned(utc(c.instant), zone(c.zone));
  EXPECT_EQ(show(zoned.local), c.local);
  EXPECT_EQ(zoned.offset, offset(c.offset)) << "offset " << zoned.offset.count() << " s";
  EXPECT_EQ(zoned.abbreviation, c.abbreviation);
  EXPECT_EQ(zoned.zone.name(), c.zone);
}

// a. One session, 2021-09-10T13:00:00Z (09:00 in New York), on a panel spread over the world.
// view(z, "2021-09-10T13:00:00") for each z.
const ViewCase kPanel[] = {
    {"America/New_York", "2021-09-10T13:00:00Z", "2021-09-10T09:00:00", "-04:00", "EDT"},
    {"Asia/Kathmandu", "2021-09-10T13:00:00Z", "2021-09-10T18:45:00", "+05:45", "+0545"},
    {"Pacific/Chatham", "2021-09-10T13:00:00Z", "2021-09-11T01:45:00", "+12:45", "+1245"},
    {"Australia/Lord_Howe", "2021-09-10T13:00:00Z", "2021-09-10T23:30:00", "+10:30", "+1030"},
    {"Asia/Tehran", "2021-09-10T13:00:00Z", "2021-09-10T17:30:00", "+04:30", "+0430"},
    {"America/St_Johns", "2021-09-10T13:00:00Z", "2021-09-10T10:30:00", "-02:30", "NDT"},
    {"Pacific/Kiritimati", "2021-09-10T13:00:00Z", "2021-09-11T03:00:00", "+14:00", "+14"},
    {"Pacific/Apia", "2021-09-10T13:00:00Z", "2021-09-11T02:00:00", "+13:00", "+13"},
    {"America/Lima", "2021-09-10T13:00:00Z", "2021-09-10T08:00:00", "-05:00", "-05"},
    {"Africa/Lagos", "2021-09-10T13:00:00Z", "2021-09-10T14:00:00", "+01:00", "WAT"},
    {"Africa/Nairobi", "2021-09-10T13:00:00Z", "2021-09-10T16:00:00", "+03:00", "EAT"},
    {"Asia/Kolkata", "2021-09-10T13:00:00Z", "2021-09-10T18:30:00", "+05:30", "IST"},
    {"Asia/Dhaka", "2021-09-10T13:00:00Z", "2021-09-10T19:00:00", "+06:00", "+06"},
    {"America/Sao_Paulo", "2021-09-10T13:00:00Z", "2021-09-10T10:00:00", "-03:00", "-03"},
    {"America/Caracas", "2021-09-10T13:00:00Z", "2021-09-10T09:00:00", "-04:00", "-04"},
    {"Pacific/Fiji", "2021-09-10T13:00:00Z", "2021-09-11T01:00:00", "+12:00", "+12"},
    {"Asia/Jakarta", "2021-09-10T13:00:00Z", "2021-09-10T20:00:00", "+07:00", "WIB"},
    {"Antarctica/Troll", "2021-09-10T13:00:00Z", "2021-09-10T15:00:00", "+02:00", "+02"},
    {"Pacific/Honolulu", "2021-09-10T13:00:00Z", "2021-09-10T03:00:00", "-10:00", "HST"},
    {"Europe/Dublin", "2021-09-10T13:00:00Z", "2021-09-10T14:00:00", "+01:00", "IST"},
    {"Africa/Casablanca", "2021-09-10T13:00:00Z", "2021-09-10T14:00:00", "+01:00", "+01"},
    {"Asia/Pyongyang", "2021-09-10T13:00:00Z", "2021-09-10T22:00:00", "+09:00", "KST"},
    {"America/Havana", "2021-09-10T13:00:00Z", "2021-09-10T09:00:00", "-04:00", "CDT"},
    {"Pacific/Marquesas", "2021-09-10T13:00:00Z", "2021-09-10T03:30:00", "-09:30", "-0930"},
    {"UTC", "2021-09-10T13:00:00Z", "2021-09-10T13:00:00", "+00:00", "UTC"},
    {"Europe/London", "2021-09-10T13:00:00Z", "2021-09-10T14:00:00", "+01:00", "BST"},
    {"Europe/Berlin", "2021-09-10T13:00:00Z", "2021-09-10T15:00:00", "+02:00", "CEST"},
    {"Australia/Sydney", "2021-09-10T13:00:00Z", "2021-09-10T23:00:00", "+10:00", "AEST"},
    {"Asia/Tokyo", "2021-09-10T13:00:00Z", "2021-09-10T22:00:00", "+09:00", "JST"},
    {"Africa/Johannesburg", "2021-09-10T13:00:00Z", "2021-09-10T15:00:00", "+02:00", "SAST"},
    {"America/Los_Angeles", "2021-09-10T13:00:00Z", "2021-09-10T06:00:00", "-07:00", "PDT"},
    {"Antarctica/McMurdo", "2021-09-10T13:00:00Z", "2021-09-11T01:00:00", "+12:00", "NZST"},
};

TEST(TimeZonePanel, OneSessionShownOnEveryContinent) {
  EXPECT_GE(std::size(kPanel), 24u);
  for (const auto& c : kPanel) expect_view(c);
}

// d-g, and the instants either side of each transition: view(z, T - 1 s) and view(z, T), with T
// from transitions(z, year, year + 1).
const ViewCase kSeasons[] = {
    // d. Europe/Dublin: IST (+01) is standard time in the tz source, GMT the "negative DST" of winter.
    {"Europe/Dublin", "2021-01-15T12:00:00Z", "2021-01-15T12:00:00", "+00:00", "GMT"},
    {"Europe/Dublin", "2021-07-15T12:00:00Z", "2021-07-15T13:00:00", "+01:00", "IST"},
    {"Europe/Dublin", "2021-03-28T00:59:59Z", "2021-03-28T00:59:59", "+00:00", "GMT"},
    {"Europe/Dublin", "2021-03-28T01:00:00Z", "2021-03-28T02:00:00", "+01:00", "IST"},
    {"Europe/Dublin", "2021-10-31T00:59:59Z", "2021-10-31T01:59:59", "+01:00", "IST"},
    {"Europe/Dublin", "2021-10-31T01:00:00Z", "2021-10-31T01:00:00", "+00:00", "GMT"},
    // Dublin Mean Time, and the first Irish summer time, kept their seconds.
    {"Europe/Dublin", "1900-01-01T00:00:00Z", "1899-12-31T23:34:39", "-00:25:21", "DMT"},
    {"Europe/Dublin", "1916-05-21T12:00:00Z", "1916-05-21T12:34:39", "+00:34:39", "IST"},
    // e. Africa/Casablanca: +01 all year except Ramadan (+00): 27 March to 8 May 2022.
    {"Africa/Casablanca", "2022-03-01T12:00:00Z", "2022-03-01T13:00:00", "+01:00", "+01"},
    {"Africa/Casablanca", "2022-03-27T01:59:59Z", "2022-03-27T02:59:59", "+01:00", "+01"},
    {"Africa/Casablanca", "2022-03-27T02:00:00Z", "2022-03-27T02:00:00", "+00:00", "+00"},
    {"Africa/Casablanca", "2022-04-15T12:00:00Z", "2022-04-15T12:00:00", "+00:00", "+00"},
    {"Africa/Casablanca", "2022-05-08T01:59:59Z", "2022-05-08T01:59:59", "+00:00", "+00"},
    {"Africa/Casablanca", "2022-05-08T02:00:00Z", "2022-05-08T03:00:00", "+01:00", "+01"},
    {"Africa/Casablanca", "2022-06-01T12:00:00Z", "2022-06-01T13:00:00", "+01:00", "+01"},
    // f. America/Sao_Paulo: summer time until February 2019, none since.
    {"America/Sao_Paulo", "2018-01-15T12:00:00Z", "2018-01-15T10:00:00", "-02:00", "-02"},
    {"America/Sao_Paulo", "2020-01-15T12:00:00Z", "2020-01-15T09:00:00", "-03:00", "-03"},
    {"America/Sao_Paulo", "2030-01-15T12:00:00Z", "2030-01-15T09:00:00", "-03:00", "-03"},
    // g. Pacific/Apia skipped Friday 30 December 2011: -10 until 10:00Z, then +14.
    {"Pacific/Apia", "2011-12-30T09:59:59Z", "2011-12-29T23:59:59", "-10:00", "-10"},
    {"Pacific/Apia", "2011-12-30T10:00:00Z", "2011-12-31T00:00:00", "+14:00", "+14"},
    // New York and Lord Howe either side of their 2021 transitions.
    {"America/New_York", "2021-03-14T06:59:59Z", "2021-03-14T01:59:59", "-05:00", "EST"},
    {"America/New_York", "2021-03-14T07:00:00Z", "2021-03-14T03:00:00", "-04:00", "EDT"},
    {"America/New_York", "2021-11-07T05:59:59Z", "2021-11-07T01:59:59", "-04:00", "EDT"},
    {"America/New_York", "2021-11-07T06:00:00Z", "2021-11-07T01:00:00", "-05:00", "EST"},
    {"Australia/Lord_Howe", "2021-04-03T14:59:59Z", "2021-04-04T01:59:59", "+11:00", "+11"},
    {"Australia/Lord_Howe", "2021-04-03T15:00:00Z", "2021-04-04T01:30:00", "+10:30", "+1030"},
    {"Australia/Lord_Howe", "2021-10-02T15:29:59Z", "2021-10-03T01:59:59", "+10:30", "+1030"},
    {"Australia/Lord_Howe", "2021-10-02T15:30:00Z", "2021-10-03T02:30:00", "+11:00", "+11"},
};

TEST(TimeZoneSeasons, OffsetsAndAbbreviationsEitherSideOfTransitions) {
  for (const auto& c : kSeasons) expect_view(c);
}

// ---------------------------------------------------------------------------------------------
// b, c, d, e, f, g: wall times resolved under each disambiguation.

enum class Kind { unique, skipped, repeated };

struct WallCase {
  const char* zone;
  const char* wall;
  Kind kind;
  const char* earlier;  // for a unique wall time: its only instant
  const char* later;
  const char* transition;
  const char* offset_before;  // skipped: before/after the jump; repeated: first/second occurrence
  const char* offset_after;
};

// resolve(z, wall) for each row.
const WallCase kWallTimes[] = {
    // b. New York, 2021.
    {"America/New_York", "2021-03-14T02:30", Kind::skipped, "2021-03-14T06:30:00Z",
     "2021-03-14T07:30:00Z", "2021-03-14T07:00:00Z", "-05:00", "-04:00"},
    {"America/New_York", "2021-11-07T01:30", Kind::repeated, "2021-11-07T05:30:00Z",
     "2021-11-07T06:30:00Z", "2021-11-07T06:00:00Z", "-04:00", "-05:00"},
    {"America/New_York", "2021-03-14T01:59:59", Kind::unique, "2021-03-14T06:59:59Z"},
    {"America/New_York", "2021-03-14T03:00", Kind::unique, "2021-03-14T07:00:00Z"},
    {"America/New_York", "2021-11-07T00:59:59", Kind::unique, "2021-11-07T04:59:59Z"},
    {"America/New_York", "2021-11-07T02:00", Kind::unique, "2021-11-07T07:00:00Z"},
    // c. Lord Howe moves its clocks by 30 minutes.
    {"Australia/Lord_Howe", "2021-10-03T02:15", Kind::skipped, "2021-10-02T15:15:00Z",
     "2021-10-02T15:45:00Z", "2021-10-02T15:30:00Z", "+10:30", "+11:00"},
    {"Australia/Lord_Howe", "2021-04-04T01:45", Kind::repeated, "2021-04-03T14:45:00Z",
     "2021-04-03T15:15:00Z", "2021-04-03T15:00:00Z", "+11:00", "+10:30"},
    // d. Dublin, whose winter is the "daylight saving" period in the tz source.
    {"Europe/Dublin", "2021-03-28T01:30", Kind::skipped, "2021-03-28T00:30:00Z",
     "2021-03-28T01:30:00Z", "2021-03-28T01:00:00Z", "+00:00", "+01:00"},
    {"Europe/Dublin", "2021-10-31T01:30", Kind::repeated, "2021-10-31T00:30:00Z",
     "2021-10-31T01:30:00Z", "2021-10-31T01:00:00Z", "+01:00", "+00:00"},
    {"Europe/Dublin", "2021-03-28T00:30", Kind::unique, "2021-03-28T00:30:00Z"},
    // e. Casablanca: clocks go back for Ramadan (an overlap) and forward after it (a gap).
    {"Africa/Casablanca", "2022-03-27T02:30", Kind::repeated, "2022-03-27T01:30:00Z",
     "2022-03-27T02:30:00Z", "2022-03-27T02:00:00Z", "+01:00", "+00:00"},
    {"Africa/Casablanca", "2022-05-08T02:30", Kind::skipped, "2022-05-08T01:30:00Z",
     "2022-05-08T02:30:00Z", "2022-05-08T02:00:00Z", "+00:00", "+01:00"},
    {"Africa/Casablanca", "2022-04-15T12:00", Kind::unique, "2022-04-15T12:00:00Z"},
    // f. Sao Paulo's last summer time: gap at midnight, overlap at the end.
    {"America/Sao_Paulo", "2018-11-04T00:30", Kind::skipped, "2018-11-04T02:30:00Z",
     "2018-11-04T03:30:00Z", "2018-11-04T03:00:00Z", "-03:00", "-02:00"},
    {"America/Sao_Paulo", "2019-02-16T23:30", Kind::repeated, "2019-02-17T01:30:00Z",
     "2019-02-17T02:30:00Z", "2019-02-17T02:00:00Z", "-02:00", "-03:00"},
    // g. Apia: the whole of 30 December 2011 is a gap of 24 hours.
    {"Pacific/Apia", "2011-12-30T12:00", Kind::skipped, "2011-12-29T22:00:00Z",
     "2011-12-30T22:00:00Z", "2011-12-30T10:00:00Z", "-10:00", "+14:00"},
    {"Pacific/Apia", "2011-12-30T00:00", Kind::skipped, "2011-12-29T10:00:00Z",
     "2011-12-30T10:00:00Z", "2011-12-30T10:00:00Z", "-10:00", "+14:00"},
    {"Pacific/Apia", "2011-12-30T23:59:59", Kind::skipped, "2011-12-30T09:59:59Z",
     "2011-12-31T09:59:59Z", "2011-12-30T10:00:00Z", "-10:00", "+14:00"},
    {"Pacific/Apia", "2011-12-29T23:59:59", Kind::unique, "2011-12-30T09:59:59Z"},
    {"Pacific/Apia", "2011-12-31T00:00", Kind::unique, "2011-12-30T10:00:00Z"},
};

void expect_resolution(const WallCase& c) {
  const TimeZone z = zone(c.zone);
  const WallTime wall = local(c.wall);
  for (Disambiguation how : {Disambiguation::reject, Disambiguation::earlier, Disambiguation::later,
                             Disambiguation::compatible}) {
    SCOPED_TRACE(std::string(c.zone) + " " + c.wall + " disambiguation=" + std::string(to_string(how)));
    const auto result = to_instant(wall, z, how);
    if (c.kind == Kind::unique) {
      ASSERT_TRUE(result.has_value());
      EXPECT_EQ(show(*result), c.earlier);
      continue;
    }
    if (how == Disambiguation::reject) {
      ASSERT_FALSE(result.has_value()) << "resolved to " << show(*result);
      if (c.kind == Kind::skipped) {
        const auto* gap = std::get_if<SkippedWallTime>(&result.error());
        ASSERT_NE(gap, nullptr) << "reported as a repeated wall time";
        EXPECT_EQ(show(gap->transition), c.transition);
        EXPECT_EQ(gap->offset_before, offset(c.offset_before));
        EXPECT_EQ(gap->offset_after, offset(c.offset_after));
      } else {
        const auto* overlap = std::get_if<RepeatedWallTime>(&result.error());
        ASSERT_NE(overlap, nullptr) << "reported as a skipped wall time";
        EXPECT_EQ(show(overlap->transition), c.transition);
        EXPECT_EQ(overlap->offset_first, offset(c.offset_before));
        EXPECT_EQ(overlap->offset_second, offset(c.offset_after));
      }
      continue;
    }
    ASSERT_TRUE(result.has_value());
    const bool pick_earlier = how == Disambiguation::earlier ||
                              (how == Disambiguation::compatible && c.kind == Kind::repeated);
    EXPECT_EQ(show(*result), pick_earlier ? c.earlier : c.later);
  }
}

TEST(TimeZoneDisambiguation, GapsAndOverlapsUnderEveryChoice) {
  for (const auto& c : kWallTimes) expect_resolution(c);
}

// The explanation names the zone, both offsets and the transition.
TEST(TimeZoneDisambiguation, RejectionDescribesTheTransition) {
  const TimeZone ny = zone("America/New_York");
  const WallTime gap_wall = local("2021-03-14T02:30");
  const auto gap = to_instant(gap_wall, ny, Disambiguation::reject);
  ASSERT_FALSE(gap.has_value());
  const std::string gap_text = describe(gap.error(), gap_wall, ny);
  for (const char* part : {"2021-03-14T02:30:00", "America/New_York", "-05:00", "-04:00",
                           "2021-03-14T07:00:00Z", "does not exist"})
    EXPECT_NE(gap_text.find(part), std::string::npos) << part << " missing from: " << gap_text;

  const WallTime overlap_wall = local("2021-11-07T01:30");
  const auto overlap = to_instant(overlap_wall, ny, Disambiguation::reject);
  ASSERT_FALSE(overlap.has_value());
  const std::string overlap_text = describe(overlap.error(), overlap_wall, ny);
  for (const char* part : {"2021-11-07T01:30:00", "America/New_York", "-04:00", "-05:00",
                           "2021-11-07T06:00:00Z", "twice"})
    EXPECT_NE(overlap_text.find(part), std::string::npos) << part << " missing from: " << overlap_text;
}

TEST(TimeZoneDisambiguation, NamesParseAndPrint) {
  for (Disambiguation how : {Disambiguation::reject, Disambiguation::earlier, Disambiguation::later,
                             Disambiguation::compatible})
    EXPECT_EQ(parse_disambiguation(to_string(how)), how);
  EXPECT_EQ(parse_disambiguation("later"), Disambiguation::later);
  EXPECT_FALSE(parse_disambiguation("Earlier").has_value());
  EXPECT_FALSE(parse_disambiguation("").has_value());
  EXPECT_FALSE(parse_disambiguation("latest").has_value());
}

// Beyond 2037 the compiled zone files list no transitions; the rule in each file's footer
// ("EST5EDT,M3.2.0,M11.1.0") carries on, and the API accepts years up to 2200. (Python's zoneinfo
// reads the footer; libdate in its OS-database mode does not, see footer_rule in time.cpp.)
// Greenland's footer, "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", starts daylight time at hour -1 of the
// last Sunday of March (23:00 on the Saturday), an RFC 8536 extension; every one of its
// transitions to 2199 is checked in posix_tz_rule_test.cpp.
// view(z, instant) and resolve(z, wall) as above.
TEST(TimeZoneFarFuture, DaylightSavingGoesOnAfter2037) {
  const ViewCase views[] = {
      {"America/New_York", "2040-07-01T13:00:00Z", "2040-07-01T09:00:00", "-04:00", "EDT"},
      {"America/New_York", "2100-07-01T13:00:00Z", "2100-07-01T09:00:00", "-04:00", "EDT"},
      {"America/New_York", "2200-07-01T13:00:00Z", "2200-07-01T09:00:00", "-04:00", "EDT"},
      {"America/New_York", "2100-03-14T06:59:59Z", "2100-03-14T01:59:59", "-05:00", "EST"},
      {"America/New_York", "2100-03-14T07:00:00Z", "2100-03-14T03:00:00", "-04:00", "EDT"},
      {"Europe/Dublin", "2100-07-01T12:00:00Z", "2100-07-01T13:00:00", "+01:00", "IST"},
      {"Australia/Lord_Howe", "2100-01-01T00:00:00Z", "2100-01-01T11:00:00", "+11:00", "+11"},
      {"Australia/Lord_Howe", "2100-10-02T15:30:00Z", "2100-10-03T02:30:00", "+11:00", "+11"},
      {"Australia/Lord_Howe", "2100-07-01T00:00:00Z", "2100-07-01T10:30:00", "+10:30", "+1030"},
      {"Pacific/Chatham", "2100-01-01T00:00:00Z", "2100-01-01T13:45:00", "+13:45", "+1345"},
      {"Australia/Sydney", "2100-01-01T00:00:00Z", "2100-01-01T11:00:00", "+11:00", "AEDT"},
      {"America/Santiago", "2100-01-01T00:00:00Z", "2099-12-31T21:00:00", "-03:00", "-03"},
      {"America/Santiago", "2100-04-04T02:59:59Z", "2100-04-03T23:59:59", "-03:00", "-03"},
      {"America/Santiago", "2100-04-04T03:00:00Z", "2100-04-03T23:00:00", "-04:00", "-04"},
      {"Europe/Dublin", "2100-01-01T00:00:00Z", "2100-01-01T00:00:00", "+00:00", "GMT"},
      {"Asia/Kathmandu", "2100-01-01T00:00:00Z", "2100-01-01T05:45:00", "+05:45", "+0545"},
      {"America/Nuuk", "2038-03-28T00:59:59Z", "2038-03-27T22:59:59", "-02:00", "-02"},
      {"America/Nuuk", "2038-03-28T01:00:00Z", "2038-03-28T00:00:00", "-01:00", "-01"},
      {"America/Nuuk", "2039-10-30T00:59:59Z", "2039-10-29T23:59:59", "-01:00", "-01"},
      {"America/Nuuk", "2039-10-30T01:00:00Z", "2039-10-29T23:00:00", "-02:00", "-02"},
      {"America/Scoresbysund", "2199-10-27T01:00:00Z", "2199-10-26T23:00:00", "-02:00", "-02"},
  };
  for (const auto& c : views) expect_view(c);
  const WallCase walls[] = {
      {"America/New_York", "2040-03-11T02:30", Kind::skipped, "2040-03-11T06:30:00Z",
       "2040-03-11T07:30:00Z", "2040-03-11T07:00:00Z", "-05:00", "-04:00"},
      {"America/New_York", "2040-11-04T01:30", Kind::repeated, "2040-11-04T05:30:00Z",
       "2040-11-04T06:30:00Z", "2040-11-04T06:00:00Z", "-04:00", "-05:00"},
      {"America/New_York", "2040-07-01T09:00", Kind::unique, "2040-07-01T13:00:00Z"},
      {"America/New_York", "2040-12-01T09:00", Kind::unique, "2040-12-01T14:00:00Z"},
      {"Australia/Lord_Howe", "2100-10-03T02:15", Kind::skipped, "2100-10-02T15:15:00Z",
       "2100-10-02T15:45:00Z", "2100-10-02T15:30:00Z", "+10:30", "+11:00"},
      {"Europe/Dublin", "2100-03-28T01:30", Kind::skipped, "2100-03-28T00:30:00Z",
       "2100-03-28T01:30:00Z", "2100-03-28T01:00:00Z", "+00:00", "+01:00"},
      {"Europe/Dublin", "2100-10-31T01:30", Kind::repeated, "2100-10-31T00:30:00Z",
       "2100-10-31T01:30:00Z", "2100-10-31T01:00:00Z", "+01:00", "+00:00"},
      {"America/Nuuk", "2039-03-26T23:30", Kind::skipped, "2039-03-27T00:30:00Z",
       "2039-03-27T01:30:00Z", "2039-03-27T01:00:00Z", "-02:00", "-01:00"},
      {"America/Nuuk", "2039-10-29T23:30", Kind::repeated, "2039-10-30T00:30:00Z",
       "2039-10-30T01:30:00Z", "2039-10-30T01:00:00Z", "-01:00", "-02:00"},
      {"America/Scoresbysund", "2199-03-30T23:30", Kind::skipped, "2199-03-31T00:30:00Z",
       "2199-03-31T01:30:00Z", "2199-03-31T01:00:00Z", "-02:00", "-01:00"},
      {"America/Scoresbysund", "2199-10-26T23:30", Kind::repeated, "2199-10-27T00:30:00Z",
       "2199-10-27T01:30:00Z", "2199-10-27T01:00:00Z", "-01:00", "-02:00"},
      {"America/Nuuk", "2039-06-01T09:00", Kind::unique, "2039-06-01T10:00:00Z"},
  };
  for (const auto& c : walls) expect_resolution(c);
}

// ---------------------------------------------------------------------------------------------
// h. Names.

TEST(TimeZoneNames, LinksAreAcceptedUnderTheirCanonicalName) {
  const std::pair<const char*, const char*> links[] = {
      {"Asia/Katmandu", "Asia/Kathmandu"},
      {"Asia/Calcutta", "Asia/Kolkata"},
      {"America/Buenos_Aires", "America/Argentina/Buenos_Aires"},
      {"US/Eastern", "America/New_York"},
      {"Etc/UTC", "UTC"},
      {"UTC", "UTC"},
      {"Asia/Kathmandu", "Asia/Kathmandu"},
  };
  for (const auto& [name, canonical] : links) {
    SCOPED_TRACE(name);
    const auto found = TimeZone::find(name);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->name(), canonical);
    const auto target = TimeZone::find(canonical);
    ASSERT_TRUE(target.has_value());
    EXPECT_TRUE(*found == *target);
  }
  EXPECT_EQ(TimeZone::utc().name(), "UTC");
  // A link shows the times of its target: Kathmandu's +05:45 for the old spelling.
  const ZonedTime katmandu = to_zoned(utc("2021-09-10T13:00:00Z"), zone("Asia/Katmandu"));
  EXPECT_EQ(katmandu.offset, offset("+05:45"));
  EXPECT_EQ(katmandu.zone.name(), "Asia/Kathmandu");
}

TEST(TimeZoneNames, UnknownNamesAreRejected) {
  for (const char* name : {"Mars/Olympus", "", "asia/kathmandu", "posix/Asia/Kathmandu",
                           "right/Asia/Kathmandu", "Factory", "localtime", "posixrules",
                           "../etc/passwd", "/usr/share/zoneinfo/UTC", "Asia/Kathmandu ", "Asia",
                           "+05:45", "tzdata.zi", "zone.tab"}) {
    SCOPED_TRACE(std::string("\"") + name + "\"");
    EXPECT_FALSE(TimeZone::find(name).has_value());
  }
}

// ---------------------------------------------------------------------------------------------
// i. Text forms.

TEST(TimeText, WallTimesParseWithoutAnOffset) {
  const std::pair<const char*, const char*> accepted[] = {
      {"2021-09-10T09:00", "2021-09-10T09:00:00"},
      {"2021-09-10T09:00:30", "2021-09-10T09:00:30"},
      {"2021-09-10t09:00", "2021-09-10T09:00:00"},
      {"2020-02-29T23:59:59", "2020-02-29T23:59:59"},
      {"1900-01-01T00:00", "1900-01-01T00:00:00"},
      {"2200-12-31T23:59:59", "2200-12-31T23:59:59"},
  };
  for (const auto& [text, expected] : accepted) {
    SCOPED_TRACE(text);
    const auto wall = parse_wall_time(text);
    ASSERT_TRUE(wall.has_value());
    EXPECT_EQ(*wall, local(expected));
    EXPECT_EQ(format_wall_time(*wall), expected);
  }
  for (const char* text : {"2021-09-10T09:00Z", "2021-09-10T09:00:00Z", "2021-09-10T09:00:00+05:45",
                           "2021-09-10T09:00-04:00", "2021-09-10T09:00:00.5", "1899-12-31T23:59",
                           "2201-01-01T00:00", "2021-02-29T10:00", "2021-04-31T10:00",
                           "2021-09-10T24:00", "2021-09-10T23:60", "2021-09-10T23:59:60",
                           "2021-13-01T00:00", "2021-00-10T00:00", "2021-09-00T00:00",
                           "2021-09-10 09:00", "2021-9-10T09:00", "2021-09-10T9:00", "2021-09-10",
                           "2021-09-10T09", "2021-09-10T09:00:", "", "next tuesday"}) {
    SCOPED_TRACE(std::string("\"") + text + "\"");
    EXPECT_FALSE(parse_wall_time(text).has_value());
  }
}

TEST(TimeText, InstantsNeedZOrAnOffset) {
  const std::pair<const char*, const char*> accepted[] = {
      {"2021-09-10T13:00:00Z", "2021-09-10T13:00:00Z"},
      {"2021-09-10T13:00:00z", "2021-09-10T13:00:00Z"},
      {"2021-09-10T18:45:00+05:45", "2021-09-10T13:00:00Z"},
      {"2021-09-10T09:00:00-04:00", "2021-09-10T13:00:00Z"},
      {"2021-09-11T03:00:00+14:00", "2021-09-10T13:00:00Z"},
      {"2021-09-10T03:30:00-09:30", "2021-09-10T13:00:00Z"},
      {"2021-09-10T13:00:00+00:00", "2021-09-10T13:00:00Z"},
      {"2021-09-10T13:00:00.999999Z", "2021-09-10T13:00:00Z"},  // truncated, not rounded
      {"2021-09-10T18:45:00.5+05:45", "2021-09-10T13:00:00Z"},
      {"2021-09-10T00:30:00+01:00", "2021-09-09T23:30:00Z"},  // the day before in UTC
      {"2200-12-31T23:59:59Z", "2200-12-31T23:59:59Z"},
      {"1900-01-01T00:00:00Z", "1900-01-01T00:00:00Z"},
  };
  for (const auto& [text, expected] : accepted) {
    SCOPED_TRACE(text);
    const auto instant = parse_instant(text);
    ASSERT_TRUE(instant.has_value());
    EXPECT_EQ(*instant, utc(expected));
  }
  for (const char* text :
       {"2021-09-10T13:00:00", "2021-09-10T13:00Z", "2021-09-10T13:00+05:45", "2021-09-10T13:00:00.Z",
        "2021-09-10T13:00:00.5", "2021-09-10T13:00:00+0545", "2021-09-10T13:00:00+05",
        "2021-09-10T13:00:00+24:00", "2021-09-10T13:00:00+05:60", "2021-09-10T13:00:00 Z",
        "2021-09-10T13:00:00ZZ", "1899-12-31T23:59:59Z", "2201-01-01T00:00:00Z",
        "2021-02-29T00:00:00Z", "2021-09-10T24:00:00Z", "2021-09-10T13:00:60Z", "", "Z",
        // In range as written, out of it as instants: 1899-12-31T19:00Z and 2201-01-01T04:59Z.
        "1900-01-01T00:00:00+05:00", "2200-12-31T23:59:59-05:00"}) {
    SCOPED_TRACE(std::string("\"") + text + "\"");
    EXPECT_FALSE(parse_instant(text).has_value());
  }
}

TEST(TimeText, InstantsAndOffsetsFormat) {
  EXPECT_EQ(format_instant(utc("2021-09-10T13:00:00Z")), "2021-09-10T13:00:00Z");
  EXPECT_EQ(format_instant(utc("1900-01-01T00:00:00Z")), "1900-01-01T00:00:00Z");
  EXPECT_EQ(format_instant(utc("2200-12-31T23:59:59Z")), "2200-12-31T23:59:59Z");
  EXPECT_EQ(format_wall_time(local("1899-12-31T23:34:39")), "1899-12-31T23:34:39");
  // Offsets as Python printed them (utcoffset() of the views above).
  const std::pair<Offset, const char*> offsets[] = {
      {5h + 45min, "+05:45"},
      {-(9h + 30min), "-09:30"},
      {14h, "+14:00"},
      {-(25min + 21s), "-00:25:21"},  // Dublin Mean Time
      {34min + 39s, "+00:34:39"},     // Irish summer time of 1916
      {0s, "+00:00"},
      {-12h, "-12:00"},
      {-(2h + 30min), "-02:30"},
  };
  for (const auto& [value, text] : offsets) {
    SCOPED_TRACE(text);
    EXPECT_EQ(format_offset(value), text);
    EXPECT_EQ(offset(text), value);  // the helper agrees, so the tables above read right
  }
}

// ---------------------------------------------------------------------------------------------
// j. The conversion endpoint's core.

json converted(const ConversionQuery& query) {
  const auto result = convert(query);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().detail);
  return result ? json::parse(*result) : json();
}

Problem refused(const ConversionQuery& query) {
  const auto result = convert(query);
  EXPECT_FALSE(result.has_value()) << *result;
  return result ? Problem{} : result.error();
}

std::vector<std::string> fields_of(const Problem& problem) {
  std::vector<std::string> fields;
  for (const auto& error : problem.errors) fields.push_back(error.field);
  return fields;
}

json zoned(const char* local, const char* offset, const char* abbreviation, const char* zone) {
  return {{"local", local}, {"offset", offset}, {"abbreviation", abbreviation}, {"zone", zone}};
}

TEST(TimeConvert, WallTimeShownInSeveralZonesInRequestOrder) {
  const json out = converted({.at = "2021-09-10T09:00",
                              .from = "America/New_York",
                              .to = {"Pacific/Chatham", "Asia/Katmandu", "Africa/Lagos", "UTC",
                                     "Pacific/Marquesas"}});
  EXPECT_EQ(out["instant"], "2021-09-10T13:00:00Z");
  EXPECT_EQ(out["from"], zoned("2021-09-10T09:00:00", "-04:00", "EDT", "America/New_York"));
  ASSERT_EQ(out["to"].size(), 5u);
  EXPECT_EQ(out["to"][0], zoned("2021-09-11T01:45:00", "+12:45", "+1245", "Pacific/Chatham"));
  EXPECT_EQ(out["to"][1], zoned("2021-09-10T18:45:00", "+05:45", "+0545", "Asia/Kathmandu"));
  EXPECT_EQ(out["to"][2], zoned("2021-09-10T14:00:00", "+01:00", "WAT", "Africa/Lagos"));
  EXPECT_EQ(out["to"][3], zoned("2021-09-10T13:00:00", "+00:00", "UTC", "UTC"));
  EXPECT_EQ(out["to"][4], zoned("2021-09-10T03:30:00", "-09:30", "-0930", "Pacific/Marquesas"));
}

TEST(TimeConvert, InstantWithoutFromIsShownFromUtc) {
  for (const char* at : {"2021-09-10T13:00:00Z", "2021-09-10T18:45:00+05:45"}) {
    SCOPED_TRACE(at);
    const json out = converted({.at = at, .to = {"Asia/Kolkata"}});
    EXPECT_EQ(out["instant"], "2021-09-10T13:00:00Z");
    EXPECT_EQ(out["from"], zoned("2021-09-10T13:00:00", "+00:00", "UTC", "UTC"));
    ASSERT_EQ(out["to"].size(), 1u);
    EXPECT_EQ(out["to"][0], zoned("2021-09-10T18:30:00", "+05:30", "IST", "Asia/Kolkata"));
  }
  // With `from`, an instant is also shown there.
  const json out = converted({.at = "2021-09-10T13:00:00Z", .from = "Australia/Lord_Howe", .to = {}});
  EXPECT_EQ(out["from"], zoned("2021-09-10T23:30:00", "+10:30", "+1030", "Australia/Lord_Howe"));
  EXPECT_EQ(out["to"], json::array());
}

TEST(TimeConvert, WallTimeWithoutFromNamesFrom) {
  const Problem problem = refused({.at = "2021-09-10T09:00", .to = {"Asia/Kolkata"}});
  EXPECT_EQ(problem.type, ProblemType::validation_failed);
  EXPECT_EQ(fields_of(problem), std::vector<std::string>{"from"});
}

TEST(TimeConvert, EachUnknownZoneIsOneErrorNamingItsIndex) {
  const Problem problem =
      refused({.at = "2021-09-10T13:00:00Z",
               .to = {"Asia/Kolkata", "Mars/Olympus", "Asia/Katmandu", "", "asia/kathmandu"}});
  EXPECT_EQ(problem.type, ProblemType::validation_failed);
  EXPECT_EQ(fields_of(problem), (std::vector<std::string>{"to[1]", "to[3]", "to[4]"}));

  const Problem bad_from = refused({.at = "2021-09-10T09:00", .from = "Mars/Olympus", .to = {"UTC"}});
  EXPECT_EQ(fields_of(bad_from), std::vector<std::string>{"from"});

  const Problem bad_at = refused({.at = "2021-02-29T09:00", .from = "UTC", .to = {"UTC"}});
  EXPECT_EQ(fields_of(bad_at), std::vector<std::string>{"at"});
  const Problem no_at = refused({.from = "UTC", .to = {"UTC"}});
  EXPECT_EQ(fields_of(no_at), std::vector<std::string>{"at"});
  const Problem bad_how = refused(
      {.at = "2021-09-10T09:00", .from = "UTC", .to = {"UTC"}, .disambiguation = "latest"});
  EXPECT_EQ(fields_of(bad_how), std::vector<std::string>{"disambiguation"});
}

TEST(TimeConvert, GapIsA422OnAtWithTheTransition) {
  const Problem problem =
      refused({.at = "2021-03-14T02:30", .from = "America/New_York", .to = {"UTC"}});
  EXPECT_EQ(problem.type, ProblemType::validation_failed);
  EXPECT_EQ(fields_of(problem), std::vector<std::string>{"at"});
  ASSERT_TRUE(problem.extensions.contains("wall_time"));
  EXPECT_EQ(problem.extensions["wall_time"], (json{{"kind", "skipped"}, {"field", "at"},
                                                   {"transition", "2021-03-14T07:00:00Z"},
                                                   {"offset_before", "-05:00"},
                                                   {"offset_after", "-04:00"},
                                                   {"earlier", "2021-03-14T06:30:00Z"},
                                                   {"later", "2021-03-14T07:30:00Z"}}));

  const Problem overlap =
      refused({.at = "2021-11-07T01:30", .from = "America/New_York", .to = {"UTC"}});
  EXPECT_EQ(fields_of(overlap), std::vector<std::string>{"at"});
  EXPECT_EQ(overlap.extensions["wall_time"], (json{{"kind", "repeated"}, {"field", "at"},
                                                   {"transition", "2021-11-07T06:00:00Z"},
                                                   {"offset_first", "-04:00"},
                                                   {"offset_second", "-05:00"},
                                                   {"earlier", "2021-11-07T05:30:00Z"},
                                                   {"later", "2021-11-07T06:30:00Z"}}));

  // Each explicit choice resolves it as Temporal does.
  const std::pair<const char*, const char*> choices[] = {
      {"earlier", "2021-03-14T06:30:00Z"},
      {"later", "2021-03-14T07:30:00Z"},
      {"compatible", "2021-03-14T07:30:00Z"},
  };
  for (const auto& [how, instant] : choices) {
    SCOPED_TRACE(how);
    const json out = converted(
        {.at = "2021-03-14T02:30", .from = "America/New_York", .to = {}, .disambiguation = how});
    EXPECT_EQ(out["instant"], instant);
  }
}

// The tz database's own list: every Zone line of tzdata.zi, none of its Link lines.
struct TzdataZi {
  std::string version;
  std::set<std::string> zones, links;
};

TzdataZi read_tzdata_zi() {
  TzdataZi zi;
  std::ifstream in("/usr/share/zoneinfo/tzdata.zi");
  EXPECT_TRUE(in.good()) << "cannot read /usr/share/zoneinfo/tzdata.zi";
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("# version ")) zi.version = line.substr(10);
    std::istringstream fields(line);
    std::string kind, a, b;
    fields >> kind >> a >> b;
    if (kind == "Z") zi.zones.insert(a);
    if (kind == "L") zi.links.insert(b);
  }
  return zi;
}

TEST(TimeConvert, ZoneListHasEveryCanonicalZoneAndNoLinks) {
  const TzdataZi zi = read_tzdata_zi();
  const json out = time_zones_json(utc("2021-09-10T13:00:00Z"));
  EXPECT_FALSE(zi.version.empty());
  EXPECT_EQ(out["tzdb_version"], zi.version);
  EXPECT_EQ(tzdb_version(), zi.version);

  std::vector<std::string> names;
  for (const auto& entry : out["zones"]) names.push_back(entry["name"]);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end()) << "duplicate name";
  EXPECT_EQ(names, canonical_zone_names());

  const std::set<std::string> listed(names.begin(), names.end());
  for (const char* name : {"Asia/Kathmandu", "UTC", "America/New_York", "Pacific/Chatham"})
    EXPECT_TRUE(listed.contains(name)) << name;
  for (const char* name : {"Asia/Katmandu", "Asia/Calcutta", "US/Eastern", "Etc/UTC", "Factory"})
    EXPECT_FALSE(listed.contains(name)) << name;
  for (const auto& link : zi.links) {
    if (link != "UTC") {
      EXPECT_FALSE(listed.contains(link)) << "link listed: " << link;
    }
  }
  for (const auto& z : zi.zones) {
    if (z != "Factory" && z != "Etc/UTC") {
      EXPECT_TRUE(listed.contains(z)) << "zone missing: " << z;
    }
  }
  EXPECT_EQ(listed.size(), zi.zones.size() - 1);  // less Factory; Etc/UTC is listed as UTC
  for (const auto& name : names) {
    const auto found = TimeZone::find(name);
    ASSERT_TRUE(found.has_value()) << name;
    EXPECT_EQ(found->name(), name);
  }

  // offset_now and abbreviation_now at the given instant (the panel's values above).
  for (const auto& entry : out["zones"]) {
    if (entry["name"] == "Asia/Kathmandu") {
      EXPECT_EQ(entry["offset_now"], "+05:45");
      EXPECT_EQ(entry["abbreviation_now"], "+0545");
    }
    if (entry["name"] == "America/St_Johns") {
      EXPECT_EQ(entry["offset_now"], "-02:30");
      EXPECT_EQ(entry["abbreviation_now"], "NDT");
    }
  }
}

}  // namespace
}  // namespace convene
