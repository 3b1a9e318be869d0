// A time that suits the audience (include/convene/time_fit.hpp): the fit rule, the 48 candidates,
// the best and worst served, countries standing for zones, and the query's validation.
//
// Every local time below was read with Python's zoneinfo (/usr/bin/python3, tzdata 2025b), e.g.
//   datetime.fromisoformat("2021-11-07T11:30:00").replace(tzinfo=timezone.utc)
//       .astimezone(ZoneInfo("America/New_York"))  ->  2021-11-07T06:30:00-05:00
// and the candidate counts with tests/time_fit/python_time_fit.py (the integration test's reference).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "convene/time_fit.hpp"
#include "core/tzdb_catalog.hpp"

namespace convene {
namespace {

using namespace std::chrono_literals;

TimeZone zone(std::string_view name) { return *TimeZone::find(name); }
Instant at(std::string_view text) { return *parse_instant(text); }

struct FitCase {
  const char* why;
  const char* zone;
  const char* start;
  std::chrono::minutes duration;
  WakingHours hours;
  bool fits;
};

class FitsWakingHours : public ::testing::TestWithParam<FitCase> {};

TEST_P(FitsWakingHours, AsTheLocalClocksOfThatDaySay) {
  const auto& c = GetParam();
  const Instant start = at(c.start);
  EXPECT_EQ(fits_waking_hours(start, start + c.duration, zone(c.zone), c.hours), c.fits) << c.why;
}

constexpr WakingHours kDefault{};
INSTANTIATE_TEST_SUITE_P(
    Cases, FitsWakingHours,
    ::testing::Values(
        // New York falls back at 06:00Z on 2021-11-07: 11:30Z is 06:30 EST, though 07:30 the day before.
        FitCase{"New York after falling back: 06:30 EST", "America/New_York", "2021-11-07T11:30:00Z", 120min, kDefault, false},
        FitCase{"New York the day before: 07:30 EDT", "America/New_York", "2021-11-06T11:30:00Z", 120min, kDefault, true},
        // Springs forward at 07:00Z on 2021-03-14: 01:30 EST to 03:30 EDT in one hour.
        FitCase{"an hour across the spring gap ends at 03:30", "America/New_York", "2021-03-14T06:30:00Z", 60min, {0min, 3h}, false},
        FitCase{"the same hour fits a window to 03:30", "America/New_York", "2021-03-14T06:30:00Z", 60min, {0min, 3h + 30min}, true},
        // Apia went back from +14 to +13 at 14:00Z on 2021-04-03: 03:00 to 04:00 local takes two hours.
        FitCase{"Apia's last change of clocks", "Pacific/Apia", "2021-04-03T13:00:00Z", 120min, {0min, 4h}, true},
        FitCase{"Kathmandu +05:45: 07:00 exactly, start inclusive", "Asia/Kathmandu", "2021-09-10T01:15:00Z", 60min, kDefault, true},
        FitCase{"Kathmandu +05:45: 06:45", "Asia/Kathmandu", "2021-09-10T01:00:00Z", 60min, kDefault, false},
        FitCase{"Kolkata +05:30: ends at 22:00 exactly, end inclusive", "Asia/Kolkata", "2021-09-10T14:30:00Z", 120min, kDefault, true},
        FitCase{"Kolkata +05:30: ends at 22:30", "Asia/Kolkata", "2021-09-10T15:00:00Z", 120min, kDefault, false},
        FitCase{"22:30 to 00:30 crosses local midnight", "Asia/Kolkata", "2021-09-10T17:00:00Z", 120min, {0min, 24h}, false},
        FitCase{"22:00 to 24:00 ends at midnight, inside 00:00-24:00", "Asia/Kolkata", "2021-09-10T16:30:00Z", 120min, {0min, 24h}, true},
        FitCase{"Lima 07:00 to 22:00 is the whole default window", "America/Lima", "2021-09-10T12:00:00Z", 900min, kDefault, true},
        FitCase{"Lima one minute more", "America/Lima", "2021-09-10T12:00:00Z", 901min, kDefault, false}));

TEST(TimeFit, FortyEightCandidatesCountedPerZoneOnADayNewYorkFallsBack) {
  Audience audience;
  audience.add(zone("America/New_York"), 2);
  audience.add(zone("Asia/Katmandu"), 1);  // a link: the same zone as Asia/Kathmandu
  const auto fit = time_fit({date::sys_days{date::year{2021} / 11 / 7}, 120min, {}}, audience);

  // python_time_fit.py '{"date": "2021-11-07", "duration_minutes": 120, "awake_from": "07:00",
  //   "awake_to": "22:00", "audience": {"America/New_York": 2, "Asia/Kathmandu": 1}}'
  const std::vector<int> expected = {2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                     3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
  ASSERT_EQ(fit.candidates.size(), 48u);
  std::vector<int> counts;
  for (const auto& candidate : fit.candidates) counts.push_back(candidate.fit);
  EXPECT_EQ(counts, expected);

  const auto& first = fit.candidates.front();
  EXPECT_EQ(format_instant(first.starts_at), "2021-11-07T00:00:00Z");
  EXPECT_EQ(format_instant(first.ends_at), "2021-11-07T02:00:00Z");
  EXPECT_DOUBLE_EQ(first.share, 2.0 / 3.0);
  ASSERT_EQ(first.by_zone.size(), 2u);
  EXPECT_EQ(first.by_zone[1].zone.name(), "Asia/Kathmandu");
  EXPECT_FALSE(first.by_zone[1].fits);
  ASSERT_EQ(first.worst_served.size(), 1u);
  EXPECT_EQ(first.worst_served[0].zone.name(), "Asia/Kathmandu");
  EXPECT_EQ(format_instant(fit.candidates.back().starts_at), "2021-11-07T23:30:00Z");
  EXPECT_EQ(fit.candidates[24].share, 1.0);
  EXPECT_TRUE(fit.candidates[24].worst_served.empty());

  // Five candidates suit everyone; the earliest three are the best.
  EXPECT_EQ(fit.best, (std::vector<std::size_t>{24, 25, 26}));
}

TEST(TimeFit, WorstServedAreTheLargestZonesLeftOutAtMostThree) {
  Audience audience;
  for (const auto& [name, people] : std::vector<std::pair<const char*, int>>{{"Pacific/Apia", 1},
                                                                            {"Asia/Dhaka", 4},
                                                                            {"Asia/Manila", 2},
                                                                            {"Asia/Jakarta", 2},
                                                                            {"Africa/Lagos", 5},
                                                                            {"Asia/Kolkata", 1}})
    audience.add(zone(name), people);
  // 18:00Z to 20:00Z: Lagos 19:00 and Apia 07:00 (the next day) fit; Dhaka, Manila, Jakarta and
  // Kolkata are past midnight or close to it.
  const auto fit = time_fit({date::sys_days{date::year{2021} / 9 / 10}, 120min, {}}, audience);
  const auto& evening = fit.candidates[36];
  EXPECT_EQ(format_instant(evening.starts_at), "2021-09-10T18:00:00Z");
  EXPECT_EQ(evening.fit, 6);
  std::vector<std::string_view> worst;
  for (const auto& z : evening.worst_served) worst.push_back(z.zone.name());
  // Dhaka (4), then Jakarta and Manila (2 each, by name); Kolkata (1) is left off the list.
  EXPECT_EQ(worst, (std::vector<std::string_view>{"Asia/Dhaka", "Asia/Jakarta", "Asia/Manila"}));
}

TEST(ZoneOfCountry, OneZoneOrTheCapitals) {
  const auto of = [](std::string_view code) {
    const auto zone = zone_of_country(*CountryCode::parse(code));
    return zone ? std::string(zone->name()) : std::string("none");
  };
  EXPECT_EQ(of("NP"), "Asia/Kathmandu");
  EXPECT_EQ(of("WS"), "Pacific/Apia");
  EXPECT_EQ(of("US"), "America/New_York");
  EXPECT_EQ(of("CA"), "America/Toronto");
  EXPECT_EQ(of("BR"), "America/Sao_Paulo");
  EXPECT_EQ(of("RU"), "Europe/Moscow");
  EXPECT_EQ(of("AU"), "Australia/Sydney");
  EXPECT_EQ(of("ID"), "Asia/Jakarta");
  EXPECT_EQ(of("PE"), "America/Lima");
  EXPECT_EQ(of("AQ"), "none");
  EXPECT_EQ(of("UM"), "none");
  EXPECT_EQ(of("BV"), "none");  // no zone in zone.tab
}

// The capitals' list stays true to zone.tab: every country with several zones has a capital there
// (but AQ and UM), and each capital's zone is one of its country's.
TEST(ZoneOfCountry, EveryCountryOfZoneTabIsPlacedInOneOfItsOwnZones) {
  const auto& countries = detail::tzdb_catalog().zones_of_country;
  ASSERT_GT(countries.size(), 240u);
  for (const auto& [code, zones] : countries) {
    const auto country = CountryCode::parse(code);
    ASSERT_TRUE(country) << code;
    const auto placed = zone_of_country(*country);
    if (code == "AQ" || code == "UM") {
      EXPECT_FALSE(placed) << code;
      continue;
    }
    ASSERT_TRUE(placed) << code;
    EXPECT_TRUE(std::ranges::any_of(zones, [&](std::string_view name) { return zone(name) == *placed; }))
        << code << " placed in " << placed->name();
  }
}

std::vector<std::string> fields(const std::expected<TimeFitRequest, Problem>& parsed) {
  std::vector<std::string> names;
  if (!parsed) {
    for (const auto& error : parsed.error().errors) names.push_back(error.field);
  }
  return names;
}

TEST(TimeFitQuery, DefaultsToTheRegistrantsAndSevenToTen) {
  const auto parsed = parse_time_fit_query({.date = "2021-09-10", .duration_minutes = "120"});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->question.day, date::sys_days{date::year{2021} / 9 / 10});
  EXPECT_EQ(parsed->question.duration, 120min);
  EXPECT_EQ(parsed->question.hours.from, 7h);
  EXPECT_EQ(parsed->question.hours.to, 22h);
  EXPECT_EQ(parsed->source, AudienceSource::registrants);
  EXPECT_EQ(parsed->listed.people(), 0);
}

TEST(TimeFitQuery, ListsEachEntryOnePersonAndCountriesByTheirZone) {
  const auto zones = parse_time_fit_query(
      {.date = "2021-09-10", .duration_minutes = "60", .awake_from = "08:30", .awake_to = "24:00",
       .zones = "Asia/Kathmandu,America/Lima,Asia/Katmandu"});
  ASSERT_TRUE(zones);
  EXPECT_EQ(zones->source, AudienceSource::zones);
  EXPECT_EQ(zones->question.hours.from, 8h + 30min);
  EXPECT_EQ(zones->question.hours.to, 24h);
  EXPECT_EQ(zones->listed.people(), 3);
  ASSERT_EQ(zones->listed.zones().size(), 2u);
  EXPECT_EQ(zones->listed.zones()[0].people, 2);

  const auto countries = parse_time_fit_query({.date = "2021-09-10", .duration_minutes = "60", .countries = "np,US"});
  ASSERT_TRUE(countries);
  EXPECT_EQ(countries->source, AudienceSource::countries);
  ASSERT_EQ(countries->listed.zones().size(), 2u);
  EXPECT_EQ(countries->listed.zones()[1].zone.name(), "America/New_York");
}

TEST(TimeFitQuery, NamesEachBadParameter) {
  using Fields = std::vector<std::string>;
  EXPECT_EQ(fields(parse_time_fit_query({})), (Fields{"date", "duration_minutes"}));
  EXPECT_EQ(fields(parse_time_fit_query({.date = "2021-02-29", .duration_minutes = "0"})),
            (Fields{"date", "duration_minutes"}));
  EXPECT_EQ(fields(parse_time_fit_query({.date = "2021-09-10T00:00", .duration_minutes = "1441"})),
            (Fields{"date", "duration_minutes"}));
  EXPECT_EQ(fields(parse_time_fit_query({.date = "2021-09-10", .duration_minutes = "1.5", .awake_from = "7:00",
                                         .awake_to = "24:01"})),
            (Fields{"awake_from", "awake_to", "duration_minutes"}));
  // Across midnight: refused, on awake_to.
  EXPECT_EQ(fields(parse_time_fit_query({.date = "2021-09-10", .duration_minutes = "60", .awake_from = "22:00",
                                         .awake_to = "02:00"})),
            (Fields{"awake_to"}));
  EXPECT_EQ(fields(parse_time_fit_query({.date = "2021-09-10", .duration_minutes = "60", .awake_from = "09:00",
                                         .awake_to = "09:00"})),
            (Fields{"awake_to"}));
  // Longer than the waking hours: nothing could ever fit.
  const auto too_long = parse_time_fit_query({.date = "2021-09-10", .duration_minutes = "901"});
  EXPECT_EQ(fields(too_long), (Fields{"duration_minutes"}));
  EXPECT_NE(too_long.error().errors[0].message.find("07:00 to 22:00"), std::string::npos);
  EXPECT_TRUE(parse_time_fit_query({.date = "2021-09-10", .duration_minutes = "900"}));

  EXPECT_EQ(fields(parse_time_fit_query({.date = "2021-09-10", .duration_minutes = "60", .zones = "Asia/Kathmandu",
                                         .countries = "NP"})),
            (Fields{"countries"}));
  EXPECT_EQ(fields(parse_time_fit_query({.date = "2021-09-10", .duration_minutes = "60",
                                         .zones = "Asia/Kathmandu,Mars/Olympus,"})),
            (Fields{"zones[1]", "zones[2]"}));
  const auto antarctica = parse_time_fit_query({.date = "2021-09-10", .duration_minutes = "60", .countries = "NP,XX,AQ"});
  EXPECT_EQ(fields(antarctica), (Fields{"countries[1]", "countries[2]"}));
  EXPECT_NE(antarctica.error().errors[1].message.find("AQ has no one time zone"), std::string::npos);

  std::string many = "UTC";
  for (std::size_t i = 1; i <= kMaxListedAudience; ++i) many += ",UTC";
  EXPECT_EQ(fields(parse_time_fit_query({.date = "2021-09-10", .duration_minutes = "60", .zones = many})),
            (Fields{"zones"}));
}

TEST(TimeFitJson, SaysTheQuestionAndEveryCandidate) {
  Audience audience;
  audience.add(zone("Asia/Kolkata"), 1);
  const TimeFitQuestion question{date::sys_days{date::year{2021} / 9 / 10}, 120min, {8h, 24h}};
  const auto json = time_fit_json(question, time_fit(question, audience));
  EXPECT_EQ(json["date"], "2021-09-10");
  EXPECT_EQ(json["duration_minutes"], 120);
  EXPECT_EQ(json["awake"], (nlohmann::json{{"from", "08:00"}, {"to", "24:00"}}));
  ASSERT_EQ(json["candidates"].size(), 48u);
  EXPECT_EQ(json["candidates"][33],
            (nlohmann::json{{"starts_at", "2021-09-10T16:30:00Z"},
                            {"ends_at", "2021-09-10T18:30:00Z"},
                            {"fit", 1},
                            {"share", 1.0},
                            {"by_zone", {{{"zone", "Asia/Kolkata"}, {"people", 1}, {"fits", true}}}},
                            {"worst_served", nlohmann::json::array()}}));
  EXPECT_EQ(json["candidates"][34]["worst_served"], (nlohmann::json{{{"zone", "Asia/Kolkata"}, {"people", 1}}}));
  ASSERT_EQ(json["best"].size(), 3u);
  // 08:00 IST is 02:30Z, the first start that suits.
  EXPECT_EQ(json["best"][0], (nlohmann::json{{"starts_at", "2021-09-10T02:30:00Z"},
                                             {"ends_at", "2021-09-10T04:30:00Z"},
                                             {"fit", 1},
                                             {"share", 1.0}}));
}

}  // namespace
}  // namespace convene
