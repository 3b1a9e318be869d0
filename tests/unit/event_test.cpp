// Events and sessions: creation, the registration window, and PATCH rules.
//
// Sources: docs/api.md ("Time zones", "Events and sessions") for defaults, field names and the
// meaning of disambiguation (TC39 Temporal; for 2021-03-14T02:30 in New York, earlier = 06:30Z and
// later = 07:30Z; compatible = earlier in an overlap, later in a gap, as RFC 5545 3.3.5 does).
// UTC instants for wall times were computed with Python's zoneinfo (/usr/bin/python3, tzdata 2025b):
//   datetime(2021,9,10,9,0,tzinfo=ZoneInfo("America/New_York")).astimezone(utc) -> 13:00Z
//   datetime(2021,9,11,9,0, ... "America/New_York")                             -> 2021-09-11 13:00Z
//   datetime(2021,3,14,2,30,fold=0/1, ... "America/New_York")                   -> 07:30Z / 06:30Z
//   datetime(2021,11,7,1,30,fold=0/1, ... "America/New_York")                   -> 05:30Z / 06:30Z
//   datetime(2021,9,10,9,0, ... "Europe/London")                                -> 08:00Z
//   datetime(2021,9,10,13,0,tzinfo=utc).astimezone(ZoneInfo("Asia/Kathmandu"))   -> 18:45 local
// (PEP 495: fold=0 reads a gap with the offset before the transition, which is Temporal's "later".)
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "convene/event.hpp"

namespace convene {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

Instant utc(int y, unsigned mo, unsigned d, int h, int mi = 0) {
  return date::sys_days{date::year{y} / date::month{mo} / date::day{d}} + std::chrono::hours{h} +
         std::chrono::minutes{mi};
}
WallTime wall(int y, unsigned mo, unsigned d, int h, int mi = 0) {
  return date::local_days{date::year{y} / date::month{mo} / date::day{d}} + std::chrono::hours{h} +
         std::chrono::minutes{mi};
}
TimeZone zone(const char* name) {
  auto found = TimeZone::find(name);
  EXPECT_TRUE(found.has_value()) << name;
  return found.value_or(TimeZone::utc());
}

std::string describe(const FieldErrors& errors) {
  std::string out = "[";
  for (const auto& e : errors) out += " {" + e.field + ": " + e.message + "}";
  return out + " ]";
}
template <class T>
std::string errors_of(const std::expected<T, FieldErrors>& result) {
  return result ? "accepted" : describe(result.error());
}

json minimal_body() {
  return {{"slug", "south-south-2021"},
          {"title", "South-South cooperation"},
          {"timezone", "America/New_York"},
          {"capacity", 100}};
}

json with_session(json session) {
  json body = minimal_body();
  body["sessions"] = json::array({std::move(session)});
  return body;
}

// The sessions of a new event as the store would keep them.
Event stored(const NewEvent& created) {
  Event event = created.event;
  std::int64_t id = 1;
  for (const auto& s : created.sessions)
    event.sessions.push_back(Session{.id = id++, .title = s.title, .time = s.time, .starts_at = s.starts_at});
  return event;
}

// ---------------------------------------------------------------------------------------------
// parse_new_event

TEST(NewEvent, MinimalBodyGetsTheDocumentedDefaults) {
  const auto created = parse_new_event(minimal_body());
  ASSERT_TRUE(created.has_value()) << describe(created.error());
  const Event& event = created->event;
  EXPECT_EQ(event.slug, "south-south-2021");
  EXPECT_EQ(event.title, "South-South cooperation");
  EXPECT_EQ(event.zone.name(), "America/New_York");
  EXPECT_EQ(event.capacity, 100);
  EXPECT_EQ(event.description, "");
  EXPECT_FALSE(event.requires_approval);
  EXPECT_FALSE(event.join_url.has_value());
  EXPECT_FALSE(event.registration_opens_at.has_value());
  EXPECT_EQ(event.status, EventStatus::published);
  EXPECT_TRUE(std::holds_alternative<ClosesWhenLastSessionStarts>(event.registration_closes));
  ASSERT_EQ(event.reminder_offsets.size(), 2u);
  EXPECT_EQ(event.reminder_offsets[0].text(), "P1D");
  EXPECT_EQ(event.reminder_offsets[0].length(), 24h);
  EXPECT_EQ(event.reminder_offsets[1].text(), "PT1H");
  EXPECT_EQ(event.reminder_offsets[1].length(), 1h);
  EXPECT_TRUE(created->sessions.empty());
}

TEST(NewEvent, RegistrationClosesByDefaultWhenTheLastSessionStarts) {
  json body = minimal_body();
  // Given out of order: the later session first.
  body["sessions"] = json::array({{{"starts_local", "2021-09-11T09:00"}, {"duration_minutes", 60}},
                                  {{"starts_local", "2021-09-10T09:00"}, {"duration_minutes", 120}}});
  const auto created = parse_new_event(body);
  ASSERT_TRUE(created.has_value()) << describe(created.error());
  const Event event = stored(*created);
  EXPECT_EQ(event.registration_closes_at(), utc(2021, 9, 11, 13));
}

TEST(NewEvent, RegistrationClosesAtNullStaysOpen) {
  json body = minimal_body();
  body["registration_closes_at"] = nullptr;
  body["sessions"] = json::array({{{"starts_local", "2021-09-10T09:00"}, {"duration_minutes", 120}}});
  const auto created = parse_new_event(body);
  ASSERT_TRUE(created.has_value()) << describe(created.error());
  EXPECT_TRUE(std::holds_alternative<StaysOpen>(created->event.registration_closes));
  EXPECT_FALSE(stored(*created).registration_closes_at().has_value());
}

TEST(NewEvent, RegistrationClosesAtAnExplicitInstant) {
  json body = minimal_body();
  body["registration_opens_at"] = "2021-08-01T00:00:00Z";
  body["registration_closes_at"] = "2021-09-09T12:00:00Z";
  const auto created = parse_new_event(body);
  ASSERT_TRUE(created.has_value()) << describe(created.error());
  EXPECT_EQ(created->event.registration_opens_at, utc(2021, 8, 1, 0));
  EXPECT_EQ(created->event.registration_closes_at(), utc(2021, 9, 9, 12));
}

TEST(NewEvent, RegistrationMustCloseAfterItOpens) {
  json body = minimal_body();
  body["registration_opens_at"] = "2021-09-09T12:00:00Z";
  body["registration_closes_at"] = "2021-09-09T12:00:00Z";
  const auto created = parse_new_event(body);
  ASSERT_FALSE(created.has_value());
  ASSERT_EQ(created.error().size(), 1u) << describe(created.error());
  EXPECT_EQ(created.error().front().field, "registration_closes_at");
}

struct EventFieldCase {
  std::string label;
  std::string field;
  json value;
};

class NewEventBadField : public ::testing::TestWithParam<EventFieldCase> {};

TEST_P(NewEventBadField, YieldsOneErrorNamingTheField) {
  const auto& c = GetParam();
  json body = minimal_body();
  body[c.field] = c.value;
  const auto created = parse_new_event(body);
  ASSERT_FALSE(created.has_value()) << c.label << ": was accepted";
  ASSERT_EQ(created.error().size(), 1u) << c.label << ": " << describe(created.error());
  EXPECT_EQ(created.error().front().field, c.field) << c.label;
}

json eleven_offsets() {
  json offsets = json::array();
  for (int minutes = 1; minutes <= 11; ++minutes) offsets.push_back("PT" + std::to_string(minutes) + "M");
  return offsets;
}

INSTANTIATE_TEST_SUITE_P(
    Event, NewEventBadField,
    ::testing::Values(
        EventFieldCase{"slug_upper_case", "slug", "Bad"},
        EventFieldCase{"slug_leading_hyphen", "slug", "-a"},
        EventFieldCase{"slug_trailing_hyphen", "slug", "a-"},
        EventFieldCase{"slug_65_characters", "slug", std::string(65, 'a')},
        EventFieldCase{"slug_underscore", "slug", "a_b"},
        EventFieldCase{"slug_empty", "slug", ""},
        EventFieldCase{"slug_space", "slug", "a b"},
        EventFieldCase{"slug_slash", "slug", "a/b"},
        EventFieldCase{"slug_not_a_string", "slug", 2021},
        EventFieldCase{"slug_null", "slug", nullptr},
        EventFieldCase{"title_whitespace_only", "title", " \u3000 "},
        EventFieldCase{"title_null", "title", nullptr},
        EventFieldCase{"timezone_unknown", "timezone", "Mars/Base"},
        EventFieldCase{"capacity_negative", "capacity", -1},
        EventFieldCase{"capacity_above_one_million", "capacity", 1'000'001},
        EventFieldCase{"capacity_string", "capacity", "10"},
        EventFieldCase{"capacity_fraction", "capacity", 1.5},
        EventFieldCase{"capacity_huge_unsigned", "capacity", std::uint64_t{18'446'744'073'709'551'615u}},
        EventFieldCase{"capacity_null", "capacity", nullptr},
        EventFieldCase{"reminder_months", "reminder_offsets", json::array({"P1M"})},
        EventFieldCase{"reminder_duplicate_spelling", "reminder_offsets", json::array({"P1D", "P1D"})},
        EventFieldCase{"reminder_duplicate_length", "reminder_offsets", json::array({"P1D", "PT24H"})},
        EventFieldCase{"reminder_eleven_items", "reminder_offsets", eleven_offsets()},
        EventFieldCase{"reminder_over_90_days", "reminder_offsets", json::array({"P91D"})},
        EventFieldCase{"reminder_zero", "reminder_offsets", json::array({"PT0S"})},
        EventFieldCase{"reminder_not_a_list", "reminder_offsets", "P1D"},
        EventFieldCase{"reminder_item_not_a_string", "reminder_offsets", json::array({86400})},
        EventFieldCase{"join_url_ftp", "join_url", "ftp://x"},
        EventFieldCase{"join_url_no_host", "join_url", "http://"},
        EventFieldCase{"join_url_empty_host", "join_url", "https:///path"},
        EventFieldCase{"join_url_space", "join_url", "https://ok.example/a b"},
        EventFieldCase{"join_url_javascript", "join_url", "javascript:alert(1)"},
        EventFieldCase{"join_url_not_a_string", "join_url", json::object()},
        EventFieldCase{"status_cancelled_at_creation", "status", "cancelled"},
        EventFieldCase{"status_unknown", "status", "live"},
        EventFieldCase{"requires_approval_string", "requires_approval", "yes"},
        EventFieldCase{"organiser_email_invalid", "organiser_email", "nobody"},
        EventFieldCase{"registration_opens_at_not_rfc3339", "registration_opens_at", "2021-09-10 13:00"},
        EventFieldCase{"registration_closes_at_without_offset", "registration_closes_at", "2021-09-10T13:00:00"},
        EventFieldCase{"sessions_not_a_list", "sessions", json::object()}),
    [](const auto& info) { return info.param.label; });

class NewEventGoodField : public ::testing::TestWithParam<EventFieldCase> {};

TEST_P(NewEventGoodField, IsAccepted) {
  const auto& c = GetParam();
  json body = minimal_body();
  body[c.field] = c.value;
  const auto created = parse_new_event(body);
  EXPECT_TRUE(created.has_value()) << c.label << ": " << errors_of(created);
}

json ten_offsets() {
  json offsets = eleven_offsets();
  offsets.erase(offsets.size() - 1);
  return offsets;
}

INSTANTIATE_TEST_SUITE_P(
    Event, NewEventGoodField,
    ::testing::Values(EventFieldCase{"slug_one_character", "slug", "a"},
                      EventFieldCase{"slug_digits_only", "slug", "2021"},
                      EventFieldCase{"slug_64_characters", "slug", std::string(64, 'a')},
                      EventFieldCase{"slug_inner_hyphens", "slug", "a-b--c"},
                      EventFieldCase{"capacity_zero", "capacity", 0},
                      EventFieldCase{"capacity_one_million", "capacity", 1'000'000},
                      EventFieldCase{"reminder_ten_items", "reminder_offsets", ten_offsets()},
                      EventFieldCase{"reminder_90_days", "reminder_offsets", json::array({"P90D"})},
                      EventFieldCase{"reminder_empty_list", "reminder_offsets", json::array()},
                      EventFieldCase{"join_url_https", "join_url", "https://ok.example/x"},
                      EventFieldCase{"join_url_http_host_only", "join_url", "http://ok.example"},
                      EventFieldCase{"join_url_null", "join_url", nullptr},
                      EventFieldCase{"status_draft", "status", "draft"},
                      EventFieldCase{"timezone_link_name", "timezone", "Asia/Katmandu"}),
    [](const auto& info) { return info.param.label; });

TEST(NewEvent, JoinUrlIsKeptAsGiven) {
  json body = minimal_body();
  body["join_url"] = "https://ok.example/x";
  const auto created = parse_new_event(body);
  ASSERT_TRUE(created.has_value()) << describe(created.error());
  EXPECT_EQ(created->event.join_url, "https://ok.example/x");
}

TEST(NewEvent, ReminderOffsetsAreOrderedLongestFirstAndKeepTheirSpelling) {
  json body = minimal_body();
  body["reminder_offsets"] = json::array({"PT15M", "P1W", "PT36H"});
  const auto created = parse_new_event(body);
  ASSERT_TRUE(created.has_value()) << describe(created.error());
  const auto& offsets = created->event.reminder_offsets;
  ASSERT_EQ(offsets.size(), 3u);
  EXPECT_EQ(offsets[0].text(), "P1W");
  EXPECT_EQ(offsets[1].text(), "PT36H");
  EXPECT_EQ(offsets[2].text(), "PT15M");
}

TEST(NewEvent, ReminderOffsetsNullMeansNoReminders) {
  json body = minimal_body();
  body["reminder_offsets"] = nullptr;
  const auto created = parse_new_event(body);
  ASSERT_TRUE(created.has_value()) << describe(created.error());
  EXPECT_TRUE(created->event.reminder_offsets.empty());
}

TEST(NewEvent, MissingRequiredFieldsGiveOneErrorEach) {
  const auto created = parse_new_event(json::object());
  ASSERT_FALSE(created.has_value());
  std::multiset<std::string> fields;
  for (const auto& e : created.error()) fields.insert(e.field);
  EXPECT_EQ(fields, (std::multiset<std::string>{"slug", "title", "timezone", "capacity"}))
      << describe(created.error());
}

TEST(NewEvent, NonObjectBodyIsOneError) {
  const auto created = parse_new_event(json::array());
  ASSERT_FALSE(created.has_value());
  ASSERT_EQ(created.error().size(), 1u) << describe(created.error());
  EXPECT_EQ(created.error().front().field, "body");
}

// ---------------------------------------------------------------------------------------------
// Sessions given by wall time or by instants

TEST(NewEventSession, WallTimeInNewYorkResolvesToUtc) {
  const auto created = parse_new_event(
      with_session({{"starts_local", "2021-09-10T09:00"}, {"duration_minutes", 120}}));
  ASSERT_TRUE(created.has_value()) << describe(created.error());
  ASSERT_EQ(created->sessions.size(), 1u);
  const NewSession& session = created->sessions[0];
  EXPECT_EQ(session.starts_at, utc(2021, 9, 10, 13)) << format_instant(session.starts_at);
  EXPECT_EQ(session.time.starts_local, wall(2021, 9, 10, 9));
  EXPECT_EQ(session.time.zone.name(), "America/New_York");
  EXPECT_EQ(session.time.duration, 120min);
  EXPECT_EQ(session.time.disambiguation, Disambiguation::reject);
  EXPECT_EQ(session.title, "South-South cooperation") << "title defaults to the event's";
}

TEST(NewEventSession, SessionZoneMayDifferFromTheEventZone) {
  const auto created = parse_new_event(with_session(
      {{"title", "London panel"}, {"starts_local", "2021-09-10T09:00"}, {"timezone", "Europe/London"}, {"duration_minutes", 60}}));
  ASSERT_TRUE(created.has_value()) << describe(created.error());
  EXPECT_EQ(created->sessions[0].starts_at, utc(2021, 9, 10, 8)) << format_instant(created->sessions[0].starts_at);
  EXPECT_EQ(created->sessions[0].title, "London panel");
}

TEST(NewEventSession, SkippedWallTimeIsRejectedNamingBothOffsets) {
  const auto created = parse_new_event(
      with_session({{"starts_local", "2021-03-14T02:30"}, {"duration_minutes", 60}}));
  ASSERT_FALSE(created.has_value());
  ASSERT_EQ(created.error().size(), 1u) << describe(created.error());
  const FieldError& error = created.error().front();
  EXPECT_EQ(error.field, "sessions[0].starts_local");
  // EST is UTC-05:00, EDT is UTC-04:00.
  EXPECT_NE(error.message.find("-05:00"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("-04:00"), std::string::npos) << error.message;
}

TEST(NewEventSession, RepeatedWallTimeIsRejectedNamingBothOffsets) {
  const auto created = parse_new_event(
      with_session({{"starts_local", "2021-11-07T01:30"}, {"duration_minutes", 60}}));
  ASSERT_FALSE(created.has_value());
  ASSERT_EQ(created.error().size(), 1u) << describe(created.error());
  const FieldError& error = created.error().front();
  EXPECT_EQ(error.field, "sessions[0].starts_local");
  EXPECT_NE(error.message.find("-04:00"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("-05:00"), std::string::npos) << error.message;
}

struct DisambiguationCase {
  const char* label;
  const char* starts_local;
  const char* how;
  Instant expected;
};

class NewEventSessionDisambiguation : public ::testing::TestWithParam<DisambiguationCase> {};

TEST_P(NewEventSessionDisambiguation, ResolvesAsTemporalDoes) {
  const auto& c = GetParam();
  const auto created = parse_new_event(with_session(
      {{"starts_local", c.starts_local}, {"duration_minutes", 60}, {"disambiguation", c.how}}));
  ASSERT_TRUE(created.has_value()) << c.label << ": " << describe(created.error());
  const Instant got = created->sessions.at(0).starts_at;
  EXPECT_EQ(got, c.expected) << c.label << ": got " << format_instant(got) << ", expected "
                             << format_instant(c.expected);
  // Resolving the stored wall time again gives the same instant (the wall time is the source of truth).
  EXPECT_EQ(resolve(created->sessions.at(0).time), c.expected) << c.label;
}

INSTANTIATE_TEST_SUITE_P(
    Event, NewEventSessionDisambiguation,
    ::testing::Values(
        DisambiguationCase{"gap_later", "2021-03-14T02:30", "later", utc(2021, 3, 14, 7, 30)},
        DisambiguationCase{"gap_earlier", "2021-03-14T02:30", "earlier", utc(2021, 3, 14, 6, 30)},
        DisambiguationCase{"gap_compatible_is_later", "2021-03-14T02:30", "compatible", utc(2021, 3, 14, 7, 30)},
        DisambiguationCase{"overlap_earlier", "2021-11-07T01:30", "earlier", utc(2021, 11, 7, 5, 30)},
        DisambiguationCase{"overlap_later", "2021-11-07T01:30", "later", utc(2021, 11, 7, 6, 30)},
        DisambiguationCase{"overlap_compatible_is_earlier", "2021-11-07T01:30", "compatible", utc(2021, 11, 7, 5, 30)},
        DisambiguationCase{"unambiguous_ignores_it", "2021-09-10T09:00", "later", utc(2021, 9, 10, 13)}),
    [](const auto& info) { return std::string(info.param.label); });

TEST(NewEventSession, InstantsAreKeptAndTheWallTimeDerived) {
  const auto created = parse_new_event(
      with_session({{"starts_at", "2021-09-10T13:00:00Z"}, {"ends_at", "2021-09-10T15:00:00Z"}}));
  ASSERT_TRUE(created.has_value()) << describe(created.error());
  const NewSession& session = created->sessions.at(0);
  EXPECT_EQ(session.starts_at, utc(2021, 9, 10, 13));
  EXPECT_EQ(session.time.starts_local, wall(2021, 9, 10, 9)) << format_wall_time(session.time.starts_local);
  EXPECT_EQ(session.time.zone.name(), "America/New_York");
  EXPECT_EQ(session.time.duration, 120min);
  EXPECT_EQ(resolve(session.time), session.starts_at);
}

TEST(NewEventSession, InstantsWithASessionZoneDeriveTheWallTimeThere) {
  const auto created = parse_new_event(with_session(
      {{"starts_at", "2021-09-10T13:00:00Z"}, {"ends_at", "2021-09-10T14:00:00Z"}, {"timezone", "Asia/Kathmandu"}}));
  ASSERT_TRUE(created.has_value()) << describe(created.error());
  const NewSession& session = created->sessions.at(0);
  EXPECT_EQ(session.time.starts_local, wall(2021, 9, 10, 18, 45)) << format_wall_time(session.time.starts_local);
  EXPECT_EQ(session.time.zone.name(), "Asia/Kathmandu");
}

TEST(NewEventSession, InstantInARepeatedHourRemembersWhichOccurrence) {
  // 06:30Z on 2021-11-07 is the second 01:30 in New York (EST, after clocks went back).
  const auto created = parse_new_event(
      with_session({{"starts_at", "2021-11-07T06:30:00Z"}, {"ends_at", "2021-11-07T07:30:00Z"}}));
  ASSERT_TRUE(created.has_value()) << describe(created.error());
  const NewSession& session = created->sessions.at(0);
  EXPECT_EQ(session.time.starts_local, wall(2021, 11, 7, 1, 30));
  EXPECT_EQ(session.time.disambiguation, Disambiguation::later);
  EXPECT_EQ(resolve(session.time), utc(2021, 11, 7, 6, 30));
}

struct SessionErrorCase {
  std::string label;
  json session;
  std::string field;
};

class NewEventSessionError : public ::testing::TestWithParam<SessionErrorCase> {};

TEST_P(NewEventSessionError, NamesTheSessionField) {
  const auto& c = GetParam();
  json body = minimal_body();
  // The bad session second, so the index in the field name is checked too.
  body["sessions"] = json::array({{{"starts_local", "2021-09-10T09:00"}, {"duration_minutes", 60}}, c.session});
  const auto created = parse_new_event(body);
  ASSERT_FALSE(created.has_value()) << c.label << ": was accepted";
  ASSERT_EQ(created.error().size(), 1u) << c.label << ": " << describe(created.error());
  EXPECT_EQ(created.error().front().field, c.field) << c.label;
}

INSTANTIATE_TEST_SUITE_P(
    Event, NewEventSessionError,
    ::testing::Values(
        SessionErrorCase{"ends_before_starts",
                         {{"starts_at", "2021-09-10T13:00:00Z"}, {"ends_at", "2021-09-10T12:00:00Z"}},
                         "sessions[1].ends_at"},
        SessionErrorCase{"ends_when_it_starts",
                         {{"starts_at", "2021-09-10T13:00:00Z"}, {"ends_at", "2021-09-10T13:00:00Z"}},
                         "sessions[1].ends_at"},
        SessionErrorCase{"both_starts_local_and_starts_at",
                         {{"starts_local", "2021-09-10T09:00"}, {"duration_minutes", 60},
                          {"starts_at", "2021-09-10T13:00:00Z"}, {"ends_at", "2021-09-10T14:00:00Z"}},
                         "sessions[1].starts_at"},
        SessionErrorCase{"no_time_at_all", {{"title", "Orphan"}}, "sessions[1].starts_local"},
        SessionErrorCase{"duration_missing", {{"starts_local", "2021-09-10T09:00"}}, "sessions[1].duration_minutes"},
        SessionErrorCase{"duration_zero", {{"starts_local", "2021-09-10T09:00"}, {"duration_minutes", 0}},
                         "sessions[1].duration_minutes"},
        SessionErrorCase{"duration_over_a_week",
                         {{"starts_local", "2021-09-10T09:00"}, {"duration_minutes", 7 * 24 * 60 + 1}},
                         "sessions[1].duration_minutes"},
        SessionErrorCase{"starts_local_with_offset",
                         {{"starts_local", "2021-09-10T09:00-04:00"}, {"duration_minutes", 60}},
                         "sessions[1].starts_local"},
        SessionErrorCase{"starts_local_impossible_date",
                         {{"starts_local", "2021-02-30T09:00"}, {"duration_minutes", 60}},
                         "sessions[1].starts_local"},
        SessionErrorCase{"disambiguation_unknown",
                         {{"starts_local", "2021-09-10T09:00"}, {"duration_minutes", 60}, {"disambiguation", "first"}},
                         "sessions[1].disambiguation"},
        SessionErrorCase{"session_zone_unknown",
                         {{"starts_local", "2021-09-10T09:00"}, {"duration_minutes", 60}, {"timezone", "Mars/Base"}},
                         "sessions[1].timezone"},
        SessionErrorCase{"session_not_an_object", json::array(), "sessions[1]"}),
    [](const auto& info) { return info.param.label; });

// ---------------------------------------------------------------------------------------------
// registration_window

Session session_at(Instant starts_at, SessionStatus status = SessionStatus::scheduled) {
  const TimeZone utc_zone = TimeZone::utc();
  return Session{.id = 1,
                 .title = "Session",
                 .time = SessionTime{WallTime{starts_at.time_since_epoch()}, utc_zone, Disambiguation::reject, 60min},
                 .starts_at = starts_at,
                 .status = status};
}

Event event_with_sessions() {
  Event event{.zone = TimeZone::utc()};
  event.registration_opens_at = utc(2021, 8, 1, 0);
  event.sessions = {session_at(utc(2021, 9, 10, 13)), session_at(utc(2021, 9, 11, 13))};
  return event;
}

TEST(RegistrationWindow, NotYetOpenBeforeOpensAt) {
  const auto window = registration_window(event_with_sessions(), utc(2021, 7, 31, 23, 59));
  ASSERT_TRUE(std::holds_alternative<RegistrationNotYetOpen>(window));
  EXPECT_EQ(std::get<RegistrationNotYetOpen>(window).opens_at, utc(2021, 8, 1, 0));
}

TEST(RegistrationWindow, OpenFromOpensAtOn) {
  EXPECT_TRUE(std::holds_alternative<RegistrationOpen>(registration_window(event_with_sessions(), utc(2021, 8, 1, 0))));
  // After the first session started but before the last one.
  EXPECT_TRUE(std::holds_alternative<RegistrationOpen>(registration_window(event_with_sessions(), utc(2021, 9, 10, 14))));
  EXPECT_TRUE(std::holds_alternative<RegistrationOpen>(
      registration_window(event_with_sessions(), utc(2021, 9, 11, 13) - std::chrono::seconds{1})));
}

TEST(RegistrationWindow, ClosedWhenTheLastSessionStarts) {
  for (Instant now : {utc(2021, 9, 11, 13), utc(2021, 9, 11, 13, 1), utc(2022, 1, 1, 0)}) {
    const auto window = registration_window(event_with_sessions(), now);
    ASSERT_TRUE(std::holds_alternative<RegistrationClosed>(window)) << format_instant(now);
    EXPECT_EQ(std::get<RegistrationClosed>(window).closed_at, utc(2021, 9, 11, 13)) << format_instant(now);
  }
}

TEST(RegistrationWindow, CancelledSessionsDoNotKeepItOpen) {
  Event event = event_with_sessions();
  event.sessions[1].status = SessionStatus::cancelled;
  const auto window = registration_window(event, utc(2021, 9, 10, 13));
  ASSERT_TRUE(std::holds_alternative<RegistrationClosed>(window));
  EXPECT_EQ(std::get<RegistrationClosed>(window).closed_at, utc(2021, 9, 10, 13));
}

TEST(RegistrationWindow, StaysOpenAfterEverySession) {
  Event event = event_with_sessions();
  event.registration_closes = StaysOpen{};
  EXPECT_TRUE(std::holds_alternative<RegistrationOpen>(registration_window(event, utc(2030, 1, 1, 0))));
}

TEST(RegistrationWindow, ExplicitInstant) {
  Event event = event_with_sessions();
  event.registration_closes = utc(2021, 9, 1, 0);
  EXPECT_TRUE(std::holds_alternative<RegistrationOpen>(
      registration_window(event, utc(2021, 9, 1, 0) - std::chrono::seconds{1})));
  const auto window = registration_window(event, utc(2021, 9, 1, 0));
  ASSERT_TRUE(std::holds_alternative<RegistrationClosed>(window));
  EXPECT_EQ(std::get<RegistrationClosed>(window).closed_at, utc(2021, 9, 1, 0));
}

TEST(RegistrationWindow, CancelledEventIsClosedWithoutADate) {
  Event event = event_with_sessions();
  event.status = EventStatus::cancelled;
  const auto window = registration_window(event, utc(2021, 8, 15, 0));
  ASSERT_TRUE(std::holds_alternative<RegistrationClosed>(window));
  EXPECT_FALSE(std::get<RegistrationClosed>(window).closed_at.has_value());
}

TEST(RegistrationWindow, NoSessionsAndNoClosingDateIsOpen) {
  Event event{.zone = TimeZone::utc()};
  EXPECT_TRUE(std::holds_alternative<RegistrationOpen>(registration_window(event, utc(2021, 9, 1, 0))));
}

// ---------------------------------------------------------------------------------------------
// apply_event_changes

// When the PATCHes below are made.
const Instant kChangedAt = utc(2021, 8, 1, 12);

Event current_event() {
  auto created = parse_new_event(minimal_body());
  EXPECT_TRUE(created.has_value());
  Event event = created->event;
  event.id = 7;
  event.join_url = "https://ok.example/x";
  return event;
}

TEST(EventChanges, SlugCannotChange) {
  const auto changed = apply_event_changes(current_event(), json{{"slug", "another-slug"}}, kChangedAt);
  ASSERT_FALSE(changed.has_value());
  ASSERT_EQ(changed.error().size(), 1u) << describe(changed.error());
  EXPECT_EQ(changed.error().front().field, "slug");
}

TEST(EventChanges, SameSlugIsNotAChange) {
  const auto changed = apply_event_changes(current_event(), json{{"slug", "south-south-2021"}}, kChangedAt);
  EXPECT_TRUE(changed.has_value()) << errors_of(changed);
}

TEST(EventChanges, CapacityChangeIsAppliedAndTheRestKept) {
  const Event before = current_event();
  const auto changed = apply_event_changes(before, json{{"capacity", 250}}, kChangedAt);
  ASSERT_TRUE(changed.has_value()) << describe(changed.error());
  EXPECT_EQ(changed->capacity, 250);
  EXPECT_EQ(changed->title, before.title);
  EXPECT_EQ(changed->zone, before.zone);
  EXPECT_EQ(changed->join_url, before.join_url);
  EXPECT_EQ(changed->reminder_offsets.size(), before.reminder_offsets.size());
  EXPECT_EQ(changed->status, before.status);
  EXPECT_EQ(changed->id, 7);
}

TEST(EventChanges, UnknownFieldsAreIgnored) {
  const Event before = current_event();
  const auto changed = apply_event_changes(before, json{{"colour", "blue"}, {"id", 99}}, kChangedAt);
  ASSERT_TRUE(changed.has_value()) << describe(changed.error());
  EXPECT_EQ(changed->id, 7);
  EXPECT_EQ(changed->capacity, before.capacity);
}

TEST(EventChanges, SessionsAreRejected) {
  const auto changed = apply_event_changes(
      current_event(), json{{"sessions", json::array({{{"starts_local", "2021-09-10T09:00"}, {"duration_minutes", 60}}})}}, kChangedAt);
  ASSERT_FALSE(changed.has_value());
  ASSERT_EQ(changed.error().size(), 1u) << describe(changed.error());
  EXPECT_EQ(changed.error().front().field, "sessions");
}

TEST(EventChanges, NullsClearWhatMayBeCleared) {
  const auto changed = apply_event_changes(
      current_event(), json{{"join_url", nullptr}, {"registration_closes_at", nullptr}}, kChangedAt);
  ASSERT_TRUE(changed.has_value()) << describe(changed.error());
  EXPECT_FALSE(changed->join_url.has_value());
  EXPECT_TRUE(std::holds_alternative<StaysOpen>(changed->registration_closes));
}

TEST(EventChanges, TheClosingRuleCanBeNamedAndReturnedTo) {
  Event closing_early = current_event();
  closing_early.registration_closes = utc(2021, 9, 1, 0);
  const auto back = apply_event_changes(closing_early, json{{"registration_closes", "last_session"}}, kChangedAt);
  ASSERT_TRUE(back.has_value()) << describe(back.error());
  EXPECT_TRUE(std::holds_alternative<ClosesWhenLastSessionStarts>(back->registration_closes));
  EXPECT_EQ(closing_rule(back->registration_closes), ClosingRule::last_session);

  const auto open = apply_event_changes(closing_early, json{{"registration_closes", "open"}}, kChangedAt);
  ASSERT_TRUE(open.has_value()) << describe(open.error());
  EXPECT_TRUE(std::holds_alternative<StaysOpen>(open->registration_closes));

  // "now" is the service's clock, not the browser's.
  const auto now = apply_event_changes(closing_early, json{{"registration_closes", "now"}}, kChangedAt);
  ASSERT_TRUE(now.has_value()) << describe(now.error());
  EXPECT_EQ(now->registration_closes, RegistrationCloses{kChangedAt});

  const auto at = apply_event_changes(
      closing_early, json{{"registration_closes", "at"}, {"registration_closes_at", "2021-09-05T00:00:00Z"}}, kChangedAt);
  ASSERT_TRUE(at.has_value()) << describe(at.error());
  EXPECT_EQ(at->registration_closes, RegistrationCloses{utc(2021, 9, 5, 0)});
}

TEST(EventChanges, AClosingRuleThatContradictsItsInstantIsAnError) {
  const auto without = apply_event_changes(current_event(), json{{"registration_closes", "at"}}, kChangedAt);
  ASSERT_FALSE(without.has_value());
  EXPECT_EQ(without.error().front().field, "registration_closes_at");
  const auto contradicting = apply_event_changes(
      current_event(), json{{"registration_closes", "open"}, {"registration_closes_at", "2021-09-05T00:00:00Z"}},
      kChangedAt);
  ASSERT_FALSE(contradicting.has_value());
  EXPECT_EQ(contradicting.error().front().field, "registration_closes_at");
  const auto unknown = apply_event_changes(current_event(), json{{"registration_closes", "soon"}}, kChangedAt);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().front().field, "registration_closes");
  // "now" only makes sense for an event that exists.
  json body = minimal_body();
  body["registration_closes"] = "now";
  const auto created = parse_new_event(body);
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().front().field, "registration_closes");
}

TEST(EventChanges, TitleNullIsAnError) {
  const auto changed = apply_event_changes(current_event(), json{{"title", nullptr}}, kChangedAt);
  ASSERT_FALSE(changed.has_value());
  ASSERT_EQ(changed.error().size(), 1u) << describe(changed.error());
  EXPECT_EQ(changed.error().front().field, "title");
}

TEST(EventChanges, AnEventMayBeCancelled) {
  const auto changed = apply_event_changes(current_event(), json{{"status", "cancelled"}}, kChangedAt);
  ASSERT_TRUE(changed.has_value()) << describe(changed.error());
  EXPECT_EQ(changed->status, EventStatus::cancelled);
}

// ---------------------------------------------------------------------------------------------
// apply_session_changes and needs_new_sequence

Session current_session() {
  const TimeZone new_york = zone("America/New_York");
  return Session{.id = 3,
                 .title = "Opening",
                 .time = SessionTime{wall(2021, 9, 10, 9), new_york, Disambiguation::reject, 120min},
                 .starts_at = utc(2021, 9, 10, 13),
                 .sequence = 2};
}

TEST(SessionChanges, TitleOnlyNeedsNoNewSequence) {
  const Session before = current_session();
  const auto after = apply_session_changes(before, json{{"title", "Opening plenary"}});
  ASSERT_TRUE(after.has_value()) << describe(after.error());
  EXPECT_EQ(after->title, "Opening plenary");
  EXPECT_EQ(after->starts_at, before.starts_at);
  EXPECT_FALSE(needs_new_sequence(before, *after));
}

TEST(SessionChanges, NewStartNeedsNewSequence) {
  const Session before = current_session();
  const auto after = apply_session_changes(before, json{{"starts_local", "2021-09-10T10:00"}});
  ASSERT_TRUE(after.has_value()) << describe(after.error());
  EXPECT_EQ(after->starts_at, utc(2021, 9, 10, 14)) << format_instant(after->starts_at);
  EXPECT_EQ(after->time.duration, 120min) << "duration kept";
  EXPECT_EQ(after->title, "Opening");
  EXPECT_TRUE(needs_new_sequence(before, *after));
}

TEST(SessionChanges, NewDurationNeedsNewSequence) {
  const Session before = current_session();
  const auto after = apply_session_changes(before, json{{"duration_minutes", 90}});
  ASSERT_TRUE(after.has_value()) << describe(after.error());
  EXPECT_EQ(after->starts_at, before.starts_at);
  EXPECT_EQ(after->ends_at(), utc(2021, 9, 10, 14, 30));
  EXPECT_TRUE(needs_new_sequence(before, *after));
}

TEST(SessionChanges, NewZoneKeepsTheWallTimeAndMovesTheInstant) {
  const Session before = current_session();
  const auto after = apply_session_changes(before, json{{"timezone", "Europe/London"}});
  ASSERT_TRUE(after.has_value()) << describe(after.error());
  EXPECT_EQ(after->time.starts_local, wall(2021, 9, 10, 9));
  EXPECT_EQ(after->starts_at, utc(2021, 9, 10, 8)) << format_instant(after->starts_at);
  EXPECT_TRUE(needs_new_sequence(before, *after));
}

TEST(SessionChanges, CancellingNeedsNewSequence) {
  const Session before = current_session();
  const auto after = apply_session_changes(before, json{{"status", "cancelled"}});
  ASSERT_TRUE(after.has_value()) << describe(after.error());
  EXPECT_EQ(after->status, SessionStatus::cancelled);
  EXPECT_EQ(after->starts_at, before.starts_at);
  EXPECT_TRUE(needs_new_sequence(before, *after));
}

TEST(SessionChanges, SameTimeAgainNeedsNoNewSequence) {
  const Session before = current_session();
  const auto after = apply_session_changes(before, json{{"starts_at", "2021-09-10T13:00:00Z"}, {"ends_at", "2021-09-10T15:00:00Z"}});
  ASSERT_TRUE(after.has_value()) << describe(after.error());
  EXPECT_FALSE(needs_new_sequence(before, *after));
}

TEST(SessionChanges, SkippedWallTimeIsAnErrorOnStartsLocal) {
  const auto after = apply_session_changes(current_session(), json{{"starts_local", "2021-03-14T02:30"}});
  ASSERT_FALSE(after.has_value());
  ASSERT_EQ(after.error().size(), 1u) << describe(after.error());
  EXPECT_EQ(after.error().front().field, "starts_local");
}

TEST(SessionChanges, AStoredReadingIsNotReusedForAnotherWallTime) {
  // 01:30 on 7 November 2021 happens twice in New York; the organiser chose the later reading.
  Session before = current_session();
  before.time.starts_local = wall(2021, 11, 7, 1, 30);
  before.time.disambiguation = Disambiguation::later;
  before.starts_at = utc(2021, 11, 7, 6, 30);
  const auto retitled = apply_session_changes(before, json{{"duration_minutes", 60}});
  ASSERT_TRUE(retitled.has_value()) << describe(retitled.error());
  EXPECT_EQ(retitled->starts_at, before.starts_at) << "the same wall time keeps its answer";

  // Moved to another repeated wall time a year later: that is a new question, not the old answer.
  const auto moved = apply_session_changes(before, json{{"starts_local", "2022-11-06T01:30"}});
  ASSERT_FALSE(moved.has_value());
  EXPECT_EQ(moved.error().front().field, "starts_local");
  const auto answered =
      apply_session_changes(before, json{{"starts_local", "2022-11-06T01:30"}, {"disambiguation", "earlier"}});
  ASSERT_TRUE(answered.has_value()) << describe(answered.error());
  EXPECT_EQ(answered->starts_at, utc(2022, 11, 6, 5, 30)) << format_instant(answered->starts_at);
}

TEST(SessionChanges, UnknownStatusIsAnError) {
  const auto after = apply_session_changes(current_session(), json{{"status", "postponed"}});
  ASSERT_FALSE(after.has_value());
  ASSERT_EQ(after.error().size(), 1u) << describe(after.error());
  EXPECT_EQ(after.error().front().field, "status");
}

}  // namespace
}  // namespace convene
