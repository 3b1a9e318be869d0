// The JSON shapes of the HTTP contract, built from domain values.
//
// Sources: docs/api.md ("Time zones", "Events and sessions", "Registration") for the shapes (a
// zoned time is {"local", "offset", "abbreviation", "zone"}; the public event view has no join link;
// manage_url and invite_url come with the registration reply). Local times, offsets and
// abbreviations were computed with Python's zoneinfo (/usr/bin/python3, tzdata 2025b), e.g.
//   datetime(2021,9,10,13,0,tzinfo=timezone.utc).astimezone(ZoneInfo("Pacific/Chatham"))
// giving 2021-09-11T01:45:00+12:45, tzname "+1245". They agree with timeanddate.com's tables for
// 2021 (New York on EDT since 14 March; Samoa kept +13 all year after abolishing DST in 2021;
// Chatham on standard time +12:45 until 26 September 2021).
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "convene/json_views.hpp"
#include "convene/time_conversion.hpp"

namespace convene {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const Instant kSessionStart = date::sys_days{date::year{2021} / 9 / 10} + 13h;  // 2021-09-10T13:00:00Z

TimeZone zone(const char* name) {
  auto found = TimeZone::find(name);
  EXPECT_TRUE(found.has_value()) << name;
  return found.value_or(TimeZone::utc());
}

struct ZonedCase {
  const char* label;
  const char* zone;
  json expected;
};

class ZonedJson : public ::testing::TestWithParam<ZonedCase> {};

TEST_P(ZonedJson, ShowsTheInstantOnTheZonesWallClock) {
  const auto& c = GetParam();
  EXPECT_EQ(zoned_json(kSessionStart, zone(c.zone)), c.expected) << c.label;
}

INSTANTIATE_TEST_SUITE_P(
    JsonViews, ZonedJson,
    ::testing::Values(
        ZonedCase{"new_york_edt", "America/New_York",
                  json{{"local", "2021-09-10T09:00:00"}, {"offset", "-04:00"}, {"abbreviation", "EDT"}, {"zone", "America/New_York"}}},
        ZonedCase{"kathmandu_quarter_hour", "Asia/Kathmandu",
                  json{{"local", "2021-09-10T18:45:00"}, {"offset", "+05:45"}, {"abbreviation", "+0545"}, {"zone", "Asia/Kathmandu"}}},
        ZonedCase{"kathmandu_by_old_name_answers_canonical", "Asia/Katmandu",
                  json{{"local", "2021-09-10T18:45:00"}, {"offset", "+05:45"}, {"abbreviation", "+0545"}, {"zone", "Asia/Kathmandu"}}},
        ZonedCase{"apia_next_day", "Pacific/Apia",
                  json{{"local", "2021-09-11T02:00:00"}, {"offset", "+13:00"}, {"abbreviation", "+13"}, {"zone", "Pacific/Apia"}}},
        ZonedCase{"chatham_quarter_to", "Pacific/Chatham",
                  json{{"local", "2021-09-11T01:45:00"}, {"offset", "+12:45"}, {"abbreviation", "+1245"}, {"zone", "Pacific/Chatham"}}},
        ZonedCase{"utc", "UTC",
                  json{{"local", "2021-09-10T13:00:00"}, {"offset", "+00:00"}, {"abbreviation", "UTC"}, {"zone", "UTC"}}}),
    [](const auto& info) { return std::string(info.param.label); });

Event event_with_join_url() {
  const TimeZone new_york = zone("America/New_York");
  Event event{.zone = new_york};
  event.id = 1;
  event.slug = "south-south-2021";
  event.title = "South-South cooperation";
  event.capacity = 100;
  event.join_url = "https://meet.example/secret-room-4242";
  event.organiser_name = "UNOSSC";
  event.reminder_offsets = {*IsoDuration::parse("P1D"), *IsoDuration::parse("PT1H")};
  event.sessions.push_back(Session{.id = 9,
                                   .title = "Opening",
                                   .time = SessionTime{date::local_days{date::year{2021} / 9 / 10} + 9h, new_york,
                                                       Disambiguation::reject, 120min},
                                   .starts_at = kSessionStart});
  return event;
}

bool contains_key(const json& value, const std::string& key) {
  if (value.is_object()) {
    for (const auto& [k, v] : value.items()) {
      if (k == key || contains_key(v, key)) return true;
    }
  } else if (value.is_array()) {
    for (const auto& v : value) {
      if (contains_key(v, key)) return true;
    }
  }
  return false;
}

TEST(EventJson, NeverShowsTheJoinLink) {
  const Event event = event_with_join_url();
  const json view = event_json(event, zone("Asia/Kathmandu"), kSessionStart - 24h);
  EXPECT_FALSE(contains_key(view, "join_url")) << view.dump(2);
  EXPECT_EQ(view.dump().find("secret-room-4242"), std::string::npos) << view.dump(2);
}

TEST(EventJson, HasTheContractsFields) {
  const json view = event_json(event_with_join_url(), zone("Asia/Kathmandu"), kSessionStart - 24h);
  for (const char* key : {"slug", "title", "description", "timezone", "capacity", "registration_opens_at",
                          "registration_closes_at", "requires_approval", "reminder_offsets", "status", "sessions"}) {
    EXPECT_TRUE(view.contains(key)) << key;
  }
  EXPECT_EQ(view["slug"], "south-south-2021");
  EXPECT_EQ(view["timezone"], "America/New_York");
  EXPECT_EQ(view["reminder_offsets"], (json{"P1D", "PT1H"}));
  EXPECT_EQ(view["status"], "published");
  EXPECT_EQ(view["registration_opens_at"], nullptr);
  EXPECT_EQ(view["registration_closes_at"], "2021-09-10T13:00:00Z");  // when the only session starts
}

TEST(EventJson, SessionTimesAreShownInTheEventZoneAndTheViewerZone) {
  const json view = event_json(event_with_join_url(), zone("Asia/Kathmandu"), kSessionStart - 24h);
  ASSERT_EQ(view["sessions"].size(), 1u);
  const json& session = view["sessions"][0];
  EXPECT_EQ(session["starts_at"], "2021-09-10T13:00:00Z");
  EXPECT_EQ(session["ends_at"], "2021-09-10T15:00:00Z");
  EXPECT_EQ(session["event_time"]["starts"]["local"], "2021-09-10T09:00:00");
  EXPECT_EQ(session["event_time"]["starts"]["offset"], "-04:00");
  EXPECT_EQ(session["event_time"]["ends"]["local"], "2021-09-10T11:00:00");
  EXPECT_EQ(session["viewer_time"]["starts"]["local"], "2021-09-10T18:45:00");
  EXPECT_EQ(session["viewer_time"]["starts"]["zone"], "Asia/Kathmandu");
  EXPECT_EQ(session["viewer_time"]["ends"]["local"], "2021-09-10T20:45:00");
  EXPECT_EQ(session["status"], "scheduled");
  EXPECT_EQ(session["sequence"], 0);
}

Registration registration_of(const Event& event) {
  Registration registration{.zone = zone("Pacific/Apia")};
  registration.id = 5;
  registration.event_id = event.id;
  registration.email = "Ada@Example.org";
  registration.name = "Ada Lovelace";
  registration.status = RegistrationStatus::confirmed;
  registration.consent_at = registration.created_at = registration.updated_at = kSessionStart - 48h;
  return registration;
}

TEST(RegistrationJson, IncludesLinksOnlyWhenGiven) {
  const Event event = event_with_join_url();
  const Registration registration = registration_of(event);

  const json without = registration_json(registration, event, registration.zone, std::nullopt);
  EXPECT_FALSE(without.contains("manage_url")) << without.dump(2);
  EXPECT_FALSE(without.contains("invite_url")) << without.dump(2);

  const json with = registration_json(registration, event, registration.zone,
                                      RegistrationLinks{"https://convene.example/r/TOKEN", "https://convene.example/i/TOKEN"});
  EXPECT_EQ(with["manage_url"], "https://convene.example/r/TOKEN");
  EXPECT_EQ(with["invite_url"], "https://convene.example/i/TOKEN");
}

TEST(RegistrationJson, ShowsSessionsInTheRegistrantsZoneAndNoJoinLink) {
  const Event event = event_with_join_url();
  const Registration registration = registration_of(event);
  const json view = registration_json(registration, event, registration.zone, std::nullopt);
  EXPECT_EQ(view["status"], "confirmed");
  EXPECT_EQ(view["email"], "Ada@Example.org");
  EXPECT_EQ(view["timezone"], "Pacific/Apia");
  EXPECT_EQ(view["organisation"], nullptr);
  EXPECT_EQ(view["country"], nullptr);
  EXPECT_EQ(view["cancelled_at"], nullptr);
  EXPECT_EQ(view["sessions"][0]["viewer_time"]["starts"]["local"], "2021-09-11T02:00:00");
  EXPECT_FALSE(contains_key(view, "join_url"));
}

// A registrant's replies are written as text directly (registration_text); they must say exactly
// what the tree does, for every shape a registration and its event can take.
TEST(RegistrationText, SaysWhatTheTreeSays) {
  const RegistrationLinks links{"https://convene.example/r/TOKEN", "https://convene.example/i/TOKEN"};
  Event no_sessions = event_with_join_url();
  no_sessions.sessions.clear();
  Event three_sessions = event_with_join_url();
  Session second = three_sessions.sessions.front();
  second.id = 10;
  second.title = "Ministers' \"dialogue\" \\ 南南合作 — Diálogo";
  second.time.zone = zone("Asia/Kathmandu");
  second.starts_at += 26h;
  second.sequence = 3;
  second.status = SessionStatus::cancelled;
  Session third = second;
  third.id = 11;
  third.title = "Line\tbreak\ncontrol\x01";
  third.starts_at = date::sys_days{date::year{2022} / 3 / 13} + 6h;  // its two hours span New York's change to EDT
  third.status = SessionStatus::scheduled;
  three_sessions.sessions.push_back(second);
  three_sessions.sessions.push_back(third);

  Registration plain = registration_of(three_sessions);
  Registration full = plain;
  full.name = "Nuñez \"Ñandú\" O'Brien \\ محمد";
  full.organisation = "UNDP / PNUD";
  full.country = CountryCode::parse("NP");
  full.language = Language::fr;
  full.answers = json{{"role", "minister"}, {"topics", json::array({"trade", "health"})}, {"seats", 2},
                      {"note", "quote \" and ünïcode"}, {"ok", true}};
  full.status = RegistrationStatus::cancelled;
  full.cancelled_at = kSessionStart - 1h;
  full.zone = zone("Pacific/Chatham");

  int compared = 0;
  for (const Event* event : {&no_sessions, &three_sessions}) {
    for (const Registration* registration : {&plain, &full}) {
      for (const TimeZone& viewer : {registration->zone, zone("America/Lima"), zone("Pacific/Apia")}) {
        for (const bool with_links : {false, true}) {
          const auto given = with_links ? std::optional(links) : std::nullopt;
          const std::string text = registration_text(*registration, *event, viewer, given);
          EXPECT_EQ(json::parse(text), registration_json(*registration, *event, viewer, given)) << text;
          json with_token = registration_json(*registration, *event, viewer, given);
          with_token["manage_token"] = "vGhj41k";
          EXPECT_EQ(json::parse(registration_text(*registration, *event, viewer, given, "vGhj41k")), with_token);
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 24);
}

// The conversion endpoint writes zoned times as text directly; it must say exactly what the tree does.
TEST(ZonedJson, DirectTextAndTreeAgreeForEveryZone) {
  int compared = 0;
  for (const auto& name : canonical_zone_names()) {
    const TimeZone zone = *TimeZone::find(name);
    for (const Instant at : {Instant{0s}, Instant{1631278800s}, Instant{-2208988800s}, Instant{4102444800s}}) {
      const ZonedTime zoned = to_zoned(at, zone);
      std::string text;
      append_zoned_json(text, zoned);
      ASSERT_EQ(json::parse(text), zoned_json(zoned)) << name << " at " << format_instant(at);
      ++compared;
    }
  }
  EXPECT_GT(compared, 1200);
}

}  // namespace
}  // namespace convene
