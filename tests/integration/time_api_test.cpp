// GET /api/v1/time/convert and /api/v1/timezones over HTTP; ?tz= drives viewer_time.
// Expected values: Python's zoneinfo on the same tzdata (e.g. datetime(2021,9,10,9,
// tzinfo=ZoneInfo("America/New_York")).astimezone(ZoneInfo("Asia/Kolkata"))).
#include <gtest/gtest.h>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

using TimeApi = ServiceSuite<"convene_it_time_api">;

TEST_F(TimeApi, ConvertsAWallTimeIntoSeveralZonesInRequestOrder) {
  auto reply = client.get("/api/v1/time/convert?at=2021-09-10T09:00&from=America/New_York"
                          "&to=Asia/Kolkata&to=Africa/Lagos&to=Pacific/Apia&to=America/St_Johns");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto& body = reply.json();
  EXPECT_EQ(body["instant"], "2021-09-10T13:00:00Z");
  EXPECT_EQ(body["from"]["local"], "2021-09-10T09:00:00");
  EXPECT_EQ(body["from"]["offset"], "-04:00");
  ASSERT_EQ(body["to"].size(), 4u);
  EXPECT_EQ(body["to"][0], (nlohmann::json{{"local", "2021-09-10T18:30:00"}, {"offset", "+05:30"},
                                           {"abbreviation", "IST"}, {"zone", "Asia/Kolkata"}}));
  EXPECT_EQ(body["to"][1]["local"], "2021-09-10T14:00:00");
  EXPECT_EQ(body["to"][2]["local"], "2021-09-11T02:00:00");
  EXPECT_EQ(body["to"][3]["offset"], "-02:30");
}

TEST_F(TimeApi, AnInstantNeedsNoFrom) {
  auto reply = client.get("/api/v1/time/convert?at=2021-09-10T13:00:00Z&to=Asia/Katmandu");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["from"]["zone"], "UTC");
  EXPECT_EQ(reply.json()["to"][0]["zone"], "Asia/Kathmandu");
  EXPECT_EQ(reply.json()["to"][0]["local"], "2021-09-10T18:45:00");
}

TEST_F(TimeApi, GapsAndOverlapsAreRefusedUnlessDisambiguated) {
  auto gap = client.get("/api/v1/time/convert?at=2021-03-14T02:30&from=America/New_York");
  ASSERT_EQ(gap.status, 422) << gap.body;
  EXPECT_EQ(gap.json()["errors"][0]["field"], "at");
  EXPECT_EQ(gap.json()["wall_time"]["kind"], "skipped");
  EXPECT_EQ(gap.json()["wall_time"]["transition"], "2021-03-14T07:00:00Z");
  EXPECT_EQ(gap.json()["wall_time"]["offset_before"], "-05:00");
  EXPECT_EQ(gap.json()["wall_time"]["offset_after"], "-04:00");
  const std::vector<std::pair<std::string, std::string>> gap_cases = {
      {"earlier", "2021-03-14T06:30:00Z"}, {"later", "2021-03-14T07:30:00Z"}, {"compatible", "2021-03-14T07:30:00Z"}};
  for (const auto& [how, instant] : gap_cases) {
    auto r = client.get("/api/v1/time/convert?at=2021-03-14T02:30&from=America/New_York&disambiguation=" + how);
    EXPECT_EQ(r.json()["instant"], instant) << how;
  }
  auto overlap = client.get("/api/v1/time/convert?at=2021-11-07T01:30&from=America/New_York");
  ASSERT_EQ(overlap.status, 422);
  EXPECT_EQ(overlap.json()["wall_time"]["kind"], "repeated");
  const std::vector<std::pair<std::string, std::string>> overlap_cases = {
      {"earlier", "2021-11-07T05:30:00Z"}, {"later", "2021-11-07T06:30:00Z"}, {"compatible", "2021-11-07T05:30:00Z"}};
  for (const auto& [how, instant] : overlap_cases) {
    auto r = client.get("/api/v1/time/convert?at=2021-11-07T01:30&from=America/New_York&disambiguation=" + how);
    EXPECT_EQ(r.json()["instant"], instant) << how;
  }
}

TEST_F(TimeApi, BadInputIs422NamingEachField) {
  auto reply = client.get("/api/v1/time/convert?at=2021-13-40T09:00&from=Nowhere/Land&to=UTC&to=Also/Bad&disambiguation=maybe");
  ASSERT_EQ(reply.status, 422) << reply.body;
  std::set<std::string> fields;
  for (const auto& e : reply.json()["errors"]) fields.insert(e["field"]);
  EXPECT_EQ(fields, (std::set<std::string>{"at", "from", "to[1]", "disambiguation"}));
  EXPECT_EQ(client.get("/api/v1/time/convert").status, 422);
  EXPECT_EQ(client.get("/api/v1/time/convert?at=2021-09-10T09:00").json()["errors"][0]["field"], "from");
  EXPECT_EQ(client.get("/api/v1/time/convert?at=1850-01-01T00:00:00Z").status, 422);
}

TEST_F(TimeApi, TimezonesListsEveryCanonicalZoneSortedWithTheTzdbVersion) {
  auto reply = client.get("/api/v1/timezones");
  ASSERT_EQ(reply.status, 200);
  const auto& body = reply.json();
  EXPECT_FALSE(body["tzdb_version"].get<std::string>().empty());
  EXPECT_NE(body["tzdb_version"], "unknown");
  std::vector<std::string> names;
  for (const auto& zone : body["zones"]) names.push_back(zone["name"]);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_GT(names.size(), 300u);
  EXPECT_TRUE(std::binary_search(names.begin(), names.end(), "Asia/Kathmandu"));
  EXPECT_TRUE(std::binary_search(names.begin(), names.end(), "UTC"));
  EXPECT_FALSE(std::binary_search(names.begin(), names.end(), "Asia/Katmandu"));
  for (const auto& zone : body["zones"]) {
    if (zone["name"] == "Asia/Kathmandu") {
      EXPECT_EQ(zone["offset_now"], "+05:45");
    }
  }
}

}  // namespace
}  // namespace convene::testing
