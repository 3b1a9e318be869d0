// GET /api/v1/events/{slug}/time-fit against the seeded panel's registrants in fourteen zones, each
// figure compared with a computation of its own by Python's zoneinfo (tests/time_fit/
// python_time_fit.py, run as Debian's /usr/bin/python3, which reads the same tz database), on the
// panel's day and on days when one of the zones changes its clocks.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

constexpr const char* kPanel = "south-south-2021";

// The panel's registrants: zone -> people (confirmed). One more in Kolkata cancels, and must not count.
const std::map<std::string, int> kRegistrants = {
    {"America/Lima", 2},     {"America/New_York", 3}, {"America/Sao_Paulo", 1}, {"Africa/Lagos", 2},
    {"Africa/Nairobi", 1},   {"Asia/Kathmandu", 2},   {"Asia/Kolkata", 3},      {"Asia/Dhaka", 1},
    {"Asia/Jakarta", 1},     {"Asia/Manila", 2},      {"Pacific/Apia", 1},      {"Pacific/Fiji", 1},
    {"Australia/Sydney", 1}, {"Europe/London", 1}};

class TimeFit : public ServiceSuite<"convene_it_time_fit"> {
 public:
  static void SetUpTestSuite() {
    start();
    Client setup(service->server().port());
    for (const auto& [zone, people] : kRegistrants) {
      for (int i = 0; i < people; ++i) testing::register_attendee(setup, kPanel, registrant("fit", {{"timezone", zone}}));
    }
    const auto cancelled = testing::register_attendee(setup, kPanel, registrant("gone", {{"timezone", "Asia/Kolkata"}}));
    ASSERT_EQ(setup.del("/api/v1/registrations/" + cancelled["manage_token"].get<std::string>()).status, 200);
  }

 protected:
  Reply time_fit(const std::string& slug, const std::string& query, const httplib::Headers& headers) {
    return client.get("/api/v1/events/" + slug + "/time-fit?" + query, headers);
  }

  // Python's counts for `question` ({"date", "duration_minutes", "awake_from", "awake_to", "audience"}).
  static nlohmann::json zoneinfo_fit(const nlohmann::json& question) {
    const auto result = run_program({"/usr/bin/python3", std::string(CONVENE_SOURCE_DIR) + "/tests/time_fit/python_time_fit.py",
                                     question.dump()},
                                    {});
    EXPECT_EQ(result.status, 0) << result.transcript();
    return nlohmann::json::parse(result.out);
  }

  // The reply's every candidate, zone by zone, and its best three, as zoneinfo computes them.
  static void expect_zoneinfo_agrees(const nlohmann::json& reply, const nlohmann::json& question) {
    const auto expected = zoneinfo_fit(question);
    int people = 0;
    for (const auto& [zone, n] : question["audience"].items()) people += n.get<int>();
    EXPECT_EQ(reply["audience"]["people"], people);
    ASSERT_EQ(reply["candidates"].size(), 48u);
    for (std::size_t i = 0; i < 48; ++i) {
      const auto& candidate = reply["candidates"][i];
      EXPECT_EQ(candidate["fit"], expected["fit"][i]) << question["date"] << " " << candidate["starts_at"];
      EXPECT_DOUBLE_EQ(candidate["share"].get<double>(), expected["fit"][i].get<double>() / people);
      ASSERT_EQ(candidate["by_zone"].size(), question["audience"].size());
      for (const auto& z : candidate["by_zone"]) {
        const std::string zone = z["zone"];
        EXPECT_EQ(z["people"], question["audience"][zone]) << zone;
        EXPECT_EQ(z["fits"], expected["fits"][zone][i]) << zone << " at " << candidate["starts_at"];
      }
    }
    std::vector<int> order(48);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return expected["fit"][a].get<int>() > expected["fit"][b].get<int>(); });
    ASSERT_EQ(reply["best"].size(), 3u);
    for (std::size_t i = 0; i < 3; ++i)
      EXPECT_EQ(reply["best"][i]["starts_at"], reply["candidates"][order[i]]["starts_at"]) << "best " << i;
  }

  static nlohmann::json registrants_question(const std::string& day, int minutes, const std::string& from = "07:00",
                                             const std::string& to = "22:00") {
    return {{"date", day}, {"duration_minutes", minutes}, {"awake_from", from}, {"awake_to", to},
            {"audience", kRegistrants}};
  }
};

TEST_F(TimeFit, ThePanelsDayAgreesWithZoneinfo) {
  auto reply = time_fit(kPanel, "date=2021-09-10&duration_minutes=120", admin());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto& fit = reply.json();
  EXPECT_EQ(fit["date"], "2021-09-10");
  EXPECT_EQ(fit["duration_minutes"], 120);
  EXPECT_EQ(fit["awake"], (nlohmann::json{{"from", "07:00"}, {"to", "22:00"}}));
  EXPECT_EQ(fit["audience"]["source"], "registrants");
  EXPECT_EQ(fit["audience"]["unplaced"], 0);
  expect_zoneinfo_agrees(fit, registrants_question("2021-09-10", 120));
  // The panel itself: 09:00 New York time.
  ASSERT_EQ(fit["current_sessions"].size(), 1u);
  EXPECT_EQ(fit["current_sessions"][0]["starts_at"], "2021-09-10T13:00:00Z");
  EXPECT_EQ(fit["current_sessions"][0]["ends_at"], "2021-09-10T15:00:00Z");
}

// New York falls back at 06:00Z on 2021-11-07 (zoneinfo: -04:00 until then, -05:00 after).
TEST_F(TimeFit, ADayNewYorkFallsBackAgreesWithZoneinfo) {
  auto reply = time_fit(kPanel, "date=2021-11-07&duration_minutes=120", admin());
  ASSERT_EQ(reply.status, 200) << reply.body;
  expect_zoneinfo_agrees(reply.json(), registrants_question("2021-11-07", 120));
  // 11:30Z is 06:30 EST that morning (07:30 the day before): the change is not ignored.
  const auto new_york_fits = [&](int candidate) {
    for (const auto& z : reply.json()["candidates"][candidate]["by_zone"])
      if (z["zone"] == "America/New_York") return z["fits"].get<bool>();
    return false;
  };
  EXPECT_FALSE(new_york_fits(23));
  EXPECT_TRUE(new_york_fits(24));
  EXPECT_TRUE(reply.json()["current_sessions"].empty());
}

// Apia goes from +14 to +13 at 14:00Z on 2021-04-03 (its last change: Samoa kept standard time from
// then on), and Sydney from +11 to +10 at 16:00Z; here with other waking hours.
TEST_F(TimeFit, ADayApiaAndSydneyChangeClocksAgreesWithZoneinfo) {
  auto reply = time_fit(kPanel, "date=2021-04-03&duration_minutes=90&awake_from=06:30&awake_to=23:30", admin());
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["awake"], (nlohmann::json{{"from", "06:30"}, {"to", "23:30"}}));
  expect_zoneinfo_agrees(reply.json(), registrants_question("2021-04-03", 90, "06:30", "23:30"));
}

TEST_F(TimeFit, CountriesStandForTheirZones) {
  auto reply = time_fit(kPanel, "date=2021-03-14&duration_minutes=60&countries=NP,US,pe,US", admin());
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["audience"], (nlohmann::json{{"source", "countries"}, {"people", 4}, {"unplaced", 0}}));
  expect_zoneinfo_agrees(reply.json(), {{"date", "2021-03-14"},
                                        {"duration_minutes", 60},
                                        {"awake_from", "07:00"},
                                        {"awake_to", "22:00"},
                                        {"audience", {{"Asia/Kathmandu", 1}, {"America/New_York", 2}, {"America/Lima", 1}}}});
}

TEST_F(TimeFit, RegistrantsInAZoneTheDatabaseNoLongerKnowsAreUnplaced) {
  ASSERT_TRUE(create_event(event_body("fit-unplaced", 10)));
  register_attendee("fit-unplaced", registrant("placed", {{"timezone", "Asia/Kathmandu"}}));
  const auto lost = register_attendee("fit-unplaced", registrant("lost", {{"timezone", "Asia/Dhaka"}}));
  {
    // As if a tz database update had removed the zone.
    auto db = service->connect();
    pqxx::work tx(db);
    tx.exec_params("UPDATE registrations SET timezone = 'Mars/Olympus' WHERE id = $1", lost["id"].get<int>());
    tx.commit();
  }
  auto reply = time_fit("fit-unplaced", "date=2021-09-10&duration_minutes=60", admin());
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["audience"], (nlohmann::json{{"source", "registrants"}, {"people", 1}, {"unplaced", 1}}));
  EXPECT_EQ(reply.json()["candidates"][0]["by_zone"].size(), 1u);
}

TEST_F(TimeFit, AnEventWithoutRegistrantsNeedsAList) {
  ASSERT_TRUE(create_event(event_body("fit-empty", 10)));
  auto reply = time_fit("fit-empty", "date=2021-09-10&duration_minutes=60", admin());
  ASSERT_EQ(reply.status, 422) << reply.body;
  EXPECT_EQ(reply.json()["errors"][0]["field"], "zones");
  EXPECT_EQ(time_fit("fit-empty", "date=2021-09-10&duration_minutes=60&zones=Asia/Kathmandu", admin()).status, 200);
}

TEST_F(TimeFit, OnlyTheEventsOrganisers) {
  ASSERT_TRUE(create_event(event_body("fit-other", 10)));
  const std::string other = service->add_organiser("fit-other@example.org", {"--event", "fit-other"});
  const std::string query = "date=2021-09-10&duration_minutes=60";
  EXPECT_EQ(time_fit(kPanel, query, {}).status, 401);
  EXPECT_EQ(time_fit(kPanel, query, bearer(other)).status, 403);
  EXPECT_EQ(time_fit("no-such-event", query, admin()).status, 404);
  EXPECT_EQ(time_fit("fit-other", query + "&zones=UTC", bearer(other)).status, 200);
}

TEST_F(TimeFit, EachBadParameterIsNamed) {
  const auto fields = [&](const std::string& query) {
    auto reply = time_fit(kPanel, query, admin());
    EXPECT_EQ(reply.status, 422) << query << ": " << reply.body;
    std::vector<std::string> names;
    for (const auto& error : reply.json()["errors"]) names.push_back(error["field"]);
    return names;
  };
  using Fields = std::vector<std::string>;
  EXPECT_EQ(fields(""), (Fields{"date", "duration_minutes"}));
  EXPECT_EQ(fields("date=10/09/2021&duration_minutes=two"), (Fields{"date", "duration_minutes"}));
  EXPECT_EQ(fields("date=2021-09-10&duration_minutes=60&awake_from=22:00&awake_to=02:00"), (Fields{"awake_to"}));
  EXPECT_EQ(fields("date=2021-09-10&duration_minutes=60&awake_from=7am"), (Fields{"awake_from"}));
  EXPECT_EQ(fields("date=2021-09-10&duration_minutes=960"), (Fields{"duration_minutes"}));
  EXPECT_EQ(fields("date=2021-09-10&duration_minutes=60&zones=UTC&countries=NP"), (Fields{"countries"}));
  EXPECT_EQ(fields("date=2021-09-10&duration_minutes=60&zones=UTC,Asia/Nowhere"), (Fields{"zones[1]"}));
  EXPECT_EQ(fields("date=2021-09-10&duration_minutes=60&countries=AQ"), (Fields{"countries[0]"}));
  auto problem = time_fit(kPanel, "date=2021-09-10&duration_minutes=60&awake_from=22:00&awake_to=02:00", admin());
  EXPECT_EQ(problem.header("Content-Type"), "application/problem+json");
  EXPECT_NE(problem.json()["errors"][0]["message"].get<std::string>().find("across midnight"), std::string::npos);
}

}  // namespace
}  // namespace convene::testing
