// The footer rule of compiled zone files (RFC 8536 section 3.3), which carries every zone past 2037.
//
// Sources: RFC 8536 3.3.1 (transition times -167 to 167 hours), POSIX.1-2017 section 8.3 (TZ:
// Jn, n, Mm.w.d, default time 02:00, default daylight offset one hour ahead); expected values for
// America/Nuuk and America/Scoresbysund from Python's zoneinfo (data/greenland_after_2037.inc, with
// its generator); every other footer is compared with date's own Posix::time_zone, which reads all
// of them but Greenland's.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <date/date.h>

// ptz.h's time_zone::name() says hh_mm_ss under `using namespace date; using namespace
// std::chrono;`, ambiguous since C++20; this alias is found first and settles it.
namespace Posix {
template <class Duration>
using hh_mm_ss = date::hh_mm_ss<Duration>;
}
#include <date/ptz.h>

#include "convene/time.hpp"
#include "core/posix_tz_rule.hpp"
#include "core/tzdb_catalog.hpp"

namespace convene {
namespace {

using detail::PosixTzRule;
using std::chrono::hours;
using std::chrono::seconds;

const date::sys_seconds kFrom = date::sys_days{date::year{2038} / 1 / 1};
const date::sys_seconds kUntil = date::sys_days{date::year{2200} / 1 / 1};

std::string footer_of_file(const std::string& zone_name) {
  std::ifstream in("/usr/share/zoneinfo/" + zone_name, std::ios::binary);
  const std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto start = data.rfind('\n', data.size() - 2);
  return data.substr(start + 1, data.size() - start - 2);
}

PosixTzRule rule(std::string_view text) {
  auto parsed = PosixTzRule::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? *parsed : *PosixTzRule::parse("UTC0");
}

date::sys_seconds at(const char* text) { return *parse_instant(text); }
date::local_seconds wall(const char* text) { return *parse_wall_time(text); }

TEST(PosixTzRule, ReadsEveryFooterTheTzDatabaseShips) {
  int changing = 0;
  for (const auto& name : canonical_zone_names()) {
    if (name == "UTC") continue;
    const std::string footer = footer_of_file(name);
    SCOPED_TRACE(name + ": " + footer);
    ASSERT_FALSE(footer.empty());
    EXPECT_TRUE(PosixTzRule::parse(footer).has_value());
    if (footer.find(',') != std::string::npos) ++changing;
  }
  EXPECT_GT(changing, 100);  // zones that still change their clocks
  // Each of them is continued by its rule.
  EXPECT_EQ(static_cast<int>(detail::tzdb_catalog().footer_of.size()), changing);
}

TEST(PosixTzRule, RefusesWhatIsNotARule) {
  for (const char* text : {"", "EST", "ES5", "EST5EDT", "EST5EDT,M3.2.0", "EST5EDT,M3.2.0,", "EST5EDT,M13.2.0,M11.1.0",
                           "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,M0.2.0,M11.1.0",
                           "EST5EDT,J0,J300", "EST5EDT,J366,J300", "EST5EDT,366,300", "EST5EDT,M3.2.0/168,M11.1.0",
                           "EST5EDT,M3.2.0/-168,M11.1.0", "EST25", "EST5EDT,M3.2.0,M11.1.0x", "<-02", "EST5:60",
                           "EST5EDT;M3.2.0,M11.1.0"}) {
    EXPECT_FALSE(PosixTzRule::parse(text).has_value()) << text;
  }
}

// Every transition of both Greenland zones to 2199, against Python's zoneinfo.
struct Transition {
  const char* zone;
  const char* instant;
  const char* offset;
  const char* abbreviation;
};
const Transition kGreenland[] = {
#include "data/greenland_after_2037.inc"
};

TEST(PosixTzRule, GreenlandAfter2037MatchesPythonZoneinfo) {
  for (const char* name : {"America/Nuuk", "America/Scoresbysund"}) {
    SCOPED_TRACE(name);
    const TimeZone zone = *TimeZone::find(name);
    std::vector<Transition> expected;
    for (const auto& t : kGreenland) {
      if (std::string_view(t.zone) == name) expected.push_back(t);
    }
    ASSERT_EQ(expected.size(), 324u);
    // Walk the periods from 2038 as the API sees them (zone file, then footer).
    std::size_t seen = 0;
    for (date::sys_info period = offset_period(zone, kFrom); period.end < kUntil;
         period = offset_period(zone, period.end)) {
      ASSERT_LT(seen, expected.size()) << "a transition zoneinfo does not have at " << format_instant(period.end);
      const auto& t = expected[seen++];
      EXPECT_EQ(format_instant(period.end), t.instant);
      const ZonedTime after = to_zoned(period.end, zone);
      EXPECT_EQ(format_offset(after.offset), t.offset) << t.instant;
      EXPECT_EQ(after.abbreviation, t.abbreviation) << t.instant;
    }
    EXPECT_EQ(seen, expected.size());
  }
}

// Everything date's Posix::time_zone can read, this reads the same way: every period from 2038 to
// 2199 (begin, end, offset, abbreviation, daylight saving), and how the wall times around each
// transition read.
TEST(PosixTzRule, AgreesWithDateLibraryOnEveryOtherFooter) {
  int zones = 0, periods = 0;
  for (const auto& name : canonical_zone_names()) {
    const std::string footer = footer_of_file(name);
    if (footer.find(',') == std::string::npos) continue;
    std::optional<Posix::time_zone> reference;
    try {
      reference.emplace(footer);
    } catch (const std::exception&) {
      continue;  // Greenland's: above
    }
    SCOPED_TRACE(name + ": " + footer);
    const PosixTzRule ours = rule(footer);
    ++zones;
    for (date::sys_info mine = ours.get_info(kFrom); mine.end < kUntil; mine = ours.get_info(mine.end)) {
      ++periods;
      const date::sys_info theirs = reference->get_info(mine.begin);
      ASSERT_EQ(mine.begin, theirs.begin) << format_instant(mine.begin);
      ASSERT_EQ(mine.end, theirs.end) << format_instant(mine.begin);
      ASSERT_EQ(mine.offset, theirs.offset) << format_instant(mine.begin);
      ASSERT_EQ(mine.save, theirs.save) << format_instant(mine.begin);
      ASSERT_EQ(mine.abbrev, theirs.abbrev) << format_instant(mine.begin);
      for (const seconds around : std::initializer_list<seconds>{-hours{3}, -hours{1}, seconds{-1}, seconds{0},
                                                                 hours{1} / 2, hours{1}, hours{3}}) {
        const date::local_seconds w{mine.end.time_since_epoch() + mine.offset + around};
        const date::local_info a = ours.get_info(w);
        const date::local_info b = reference->get_info(w);
        ASSERT_EQ(a.result, b.result) << format_wall_time(w);
        ASSERT_EQ(a.first.offset, b.first.offset) << format_wall_time(w);
        if (a.result != date::local_info::unique) {
          ASSERT_EQ(a.second.offset, b.second.offset) << format_wall_time(w);
        }
      }
    }
  }
  EXPECT_GT(zones, 100);
  EXPECT_GT(periods, 100 * 300);
}

TEST(PosixTzRule, TransitionTimesBeforeMidnightAndPastADay) {
  // Hour -1 of the last Sunday of March is 23:00 on the Saturday before it, on the clock in force.
  const PosixTzRule greenland = rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  // 2040: the last Sunday of March is the 25th, so the change is on Saturday the 24th (not on the
  // last Saturday, the 31st).
  EXPECT_EQ(greenland.get_info(at("2040-03-25T00:59:59Z")).offset, -hours{2});
  EXPECT_EQ(greenland.get_info(at("2040-03-25T01:00:00Z")).offset, -hours{1});
  EXPECT_EQ(greenland.get_info(at("2040-03-25T01:00:00Z")).abbrev, "-01");
  // Gaza's "M3.4.4/50": 02:00 on the Saturday after the fourth Thursday of March.
  const PosixTzRule gaza = rule("EET-2EEST,M3.4.4/50,M10.4.4/50");
  EXPECT_EQ(gaza.get_info(at("2100-03-26T23:59:59Z")).offset, hours{2});
  EXPECT_EQ(gaza.get_info(at("2100-03-27T00:00:00Z")).offset, hours{3});
}

TEST(PosixTzRule, DaysOfTheYearWithAndWithoutTheLeapDay) {
  // J60 is March 1st every year; 59 (counted from 0) is February 29th in a leap year.
  const PosixTzRule julian = rule("AAA3BBB,J60/0,J300/0");
  const PosixTzRule counted = rule("AAA3BBB,59/0,299/0");
  EXPECT_EQ(julian.get_info(at("2040-03-01T03:00:00Z")).begin, at("2040-03-01T03:00:00Z"));
  EXPECT_EQ(counted.get_info(at("2040-03-01T03:00:00Z")).begin, at("2040-02-29T03:00:00Z"));
  EXPECT_EQ(julian.get_info(at("2041-03-01T03:00:00Z")).begin, at("2041-03-01T03:00:00Z"));
  EXPECT_EQ(counted.get_info(at("2041-03-01T03:00:00Z")).begin, at("2041-03-01T03:00:00Z"));
}

TEST(PosixTzRule, DaylightTimeAllYearHasNoTransitions) {
  // RFC 8536 3.3.1's way of writing daylight saving time all year.
  const PosixTzRule always = rule("EST5EDT,0/0,J365/25");
  for (const char* instant : {"2100-01-01T00:00:00Z", "2100-01-01T05:00:00Z", "2100-07-01T00:00:00Z",
                              "2100-12-31T23:59:59Z"}) {
    const date::sys_info info = always.get_info(at(instant));
    EXPECT_EQ(info.offset, -hours{4}) << instant;
    EXPECT_EQ(info.abbrev, "EDT") << instant;
  }
  for (const char* w : {"2100-01-01T00:30:00", "2100-12-31T23:30:00", "2101-01-01T00:30:00"}) {
    const date::local_info info = always.get_info(wall(w));
    EXPECT_EQ(info.result, date::local_info::unique) << w;
    EXPECT_EQ(info.first.offset, -hours{4}) << w;
  }
}

TEST(PosixTzRule, NegativeDaylightSavingAsDublinWritesIt) {
  // Irish Standard Time in summer; GMT, the "daylight" time of this rule, in winter.
  const PosixTzRule dublin = rule("IST-1GMT0,M10.5.0,M3.5.0/1");
  EXPECT_EQ(dublin.get_info(at("2100-07-01T12:00:00Z")).abbrev, "IST");
  EXPECT_EQ(dublin.get_info(at("2100-01-01T12:00:00Z")).abbrev, "GMT");
  EXPECT_EQ(dublin.get_info(wall("2100-10-31T01:30:00")).result, date::local_info::ambiguous);
  EXPECT_EQ(dublin.get_info(wall("2100-03-28T01:30:00")).result, date::local_info::nonexistent);
}

}  // namespace
}  // namespace convene
