// Attendee registration through HTTP against a real server and PostgreSQL: create, read, change,
// cancel, duplicates, the registration window, approval, validation and hostile input.
#include <gtest/gtest.h>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

const std::string kPanel = "/api/v1/events/south-south-2021";

nlohmann::json person(const std::string& email) {
  return {{"email", email},        {"name", "Sita Sharma"},     {"organisation", "Ministry of Finance"},
          {"country", "NP"},       {"timezone", "Asia/Kathmandu"}, {"language", "en"},
          {"consent", true}};
}

using Registrations = ServiceSuite<"convene_it_registrations">;

TEST_F(Registrations, CreateReadPatchCancelRoundTrip) {
  const auto email = unique_email("roundtrip");
  auto created = client.post(kPanel + "/registrations", person(email));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto body = created.json();
  EXPECT_EQ(body["status"], "confirmed");
  const std::string token = body["manage_token"];
  EXPECT_GE(token.size(), 22u);  // >= 128 bits in base64url
  EXPECT_NE(body["manage_url"].get<std::string>().find(token), std::string::npos);
  EXPECT_NE(body["invite_url"].get<std::string>().find(token), std::string::npos);
  // The panel starts at 09:00 New York = 18:45 in Kathmandu (+05:45).
  EXPECT_EQ(body["sessions"][0]["viewer_time"]["starts"]["local"], "2021-09-10T18:45:00");
  EXPECT_EQ(body["sessions"][0]["viewer_time"]["starts"]["offset"], "+05:45");
  EXPECT_EQ(body["sessions"][0]["event_time"]["starts"]["local"], "2021-09-10T09:00:00");

  auto read = client.get("/api/v1/registrations/" + token);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json()["email"], email);
  EXPECT_FALSE(read.json().contains("manage_token"));
  auto lima = client.get("/api/v1/registrations/" + token + "?tz=America/Lima");
  EXPECT_EQ(lima.json()["sessions"][0]["viewer_time"]["starts"]["local"], "2021-09-10T08:00:00");

  auto patched = client.patch("/api/v1/registrations/" + token,
                              {{"name", "Sita S."}, {"timezone", "Pacific/Apia"}, {"language", "ar"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["name"], "Sita S.");
  EXPECT_EQ(patched.json()["language"], "ar");
  EXPECT_EQ(patched.json()["sessions"][0]["viewer_time"]["starts"]["local"], "2021-09-11T02:00:00");
  EXPECT_EQ(client.get("/api/v1/registrations/" + token).json()["timezone"], "Pacific/Apia");

  auto cancelled = client.del("/api/v1/registrations/" + token);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.json()["status"], "cancelled");
  EXPECT_FALSE(cancelled.json()["cancelled_at"].is_null());
  auto again = client.del("/api/v1/registrations/" + token);  // idempotent
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json()["status"], "cancelled");
  EXPECT_EQ(again.json()["cancelled_at"], cancelled.json()["cancelled_at"]);
}

TEST_F(Registrations, DuplicateEmailInAnotherLetterCaseIsConflictWithoutToken) {
  const auto email = unique_email("Duplicate");
  ASSERT_EQ(client.post(kPanel + "/registrations", person(email)).status, 201);
  std::string shouted = email;
  for (auto& ch : shouted) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto second = client.post(kPanel + "/registrations", person(shouted));
  EXPECT_EQ(second.status, 409);
  EXPECT_EQ(second.header("Content-Type"), "application/problem+json");
  const auto problem = second.json();
  EXPECT_TRUE(problem["type"].get<std::string>().ends_with("already-registered"));
  EXPECT_EQ(second.body.find("manage_token"), std::string::npos);
  EXPECT_EQ(second.body.find("/r/"), std::string::npos);
}

TEST_F(Registrations, ManyScriptsRoundTripByteForByte) {
  const std::vector<std::string> names = {"سيتا شارما", "李小龙", "सीता शर्मा", "Łukasz Żółć", "Ngũgĩ wa Thiong'o",
                                          "Мария Иванова", "O'Brien-Ó Súilleabháin"};
  for (const auto& name : names) {
    auto body = person(unique_email("script"));
    body["name"] = "  " + name + "\u3000";  // surrounding blanks (incl. ideographic space) are trimmed
    body["organisation"] = name;
    auto created = client.post(kPanel + "/registrations", body);
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string token = created.json()["manage_token"];
    auto read = client.get("/api/v1/registrations/" + token).json();
    EXPECT_EQ(read["name"], name);
    EXPECT_EQ(read["organisation"], name);
  }
}

TEST_F(Registrations, SqlAndHtmlLookingInputIsStoredVerbatim) {
  ASSERT_TRUE(create_event(event_body("hostile", 10, {{"questions", {{{"key", "why"}, {"type", "long_text"},
                                                                      {"label", {{"en", "Why?"}}}}}}})));
  auto body = person(unique_email("hostile"));
  body["name"] = "Robert'); DROP TABLE registrations;--";
  body["organisation"] = "<script>alert('x')</script> & \"co\"";
  body["answers"] = {{"why", "'; SELECT pg_sleep(10); --\n<b>bold</b>"}};
  auto created = client.post("/api/v1/events/hostile/registrations", body);
  ASSERT_EQ(created.status, 201) << created.body;
  auto read = client.get("/api/v1/registrations/" + created.json()["manage_token"].get<std::string>()).json();
  EXPECT_EQ(read["name"], body["name"]);
  EXPECT_EQ(read["organisation"], body["organisation"]);
  EXPECT_EQ(read["answers"], body["answers"]);
  EXPECT_EQ(client.get(kPanel).status, 200);  // the table is still there
}

TEST_F(Registrations, ValidationGivesOneErrorPerBadField) {
  nlohmann::json body = {{"email", "not-an-address"}, {"name", "   "},   {"country", "XX"},
                         {"timezone", "Mars/Olympus"}, {"language", "de"}, {"consent", false},
                         {"unknown_field", "ignored"}};
  auto reply = client.post(kPanel + "/registrations", body);
  ASSERT_EQ(reply.status, 422) << reply.body;
  std::set<std::string> fields;
  for (const auto& e : reply.json()["errors"]) fields.insert(e["field"]);
  EXPECT_EQ(fields, (std::set<std::string>{"email", "name", "country", "timezone", "language", "consent"}));
  EXPECT_EQ(reply.json()["errors"].size(), 6u);
}

TEST_F(Registrations, LimitsOnNameEmailAndAnswers) {
  auto body = person(unique_email("limits"));
  body["name"] = std::string(201, 'a');
  EXPECT_EQ(client.post(kPanel + "/registrations", body).status, 422);
  body["name"] = std::string(200, 'a');
  body["email"] = std::string(250, 'a') + "@x.org";
  EXPECT_EQ(client.post(kPanel + "/registrations", body).status, 422);
  body["email"] = unique_email("limits");
  nlohmann::json deep = 1;
  for (int i = 0; i < 9; ++i) deep = {{"d", deep}};
  body["answers"] = deep;
  auto too_deep = client.post(kPanel + "/registrations", body);
  EXPECT_EQ(too_deep.status, 422);
  EXPECT_EQ(too_deep.json()["errors"][0]["field"], "answers");
  body["answers"] = {{"essay", std::string(17 * 1024, 'x')}};
  EXPECT_EQ(client.post(kPanel + "/registrations", body).status, 422);
  // A long-text answer holds 4,000 characters.
  ASSERT_TRUE(create_event(event_body("essays", 10, {{"questions", {{{"key", "essay"}, {"type", "long_text"},
                                                                    {"label", {{"en", "Essay"}}}}}}})));
  body["answers"] = {{"essay", std::string(4001, 'x')}};
  const auto too_long = client.post("/api/v1/events/essays/registrations", body);
  EXPECT_EQ(too_long.status, 422);
  EXPECT_EQ(too_long.json()["errors"][0]["field"], "answers.essay");
  body["answers"] = {{"essay", std::string(4000, 'x')}};
  EXPECT_EQ(client.post("/api/v1/events/essays/registrations", body).status, 201);
}

TEST_F(Registrations, UnknownTokenIsNotFoundForEveryMethod) {
  const std::string fake = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  EXPECT_EQ(client.get("/api/v1/registrations/" + fake).status, 404);
  EXPECT_EQ(client.patch("/api/v1/registrations/" + fake, {{"name", "x"}}).status, 404);
  EXPECT_EQ(client.del("/api/v1/registrations/" + fake).status, 404);
  EXPECT_EQ(client.get("/api/v1/registrations/short").status, 404);
}

TEST_F(Registrations, UnknownEventIsNotFound) {
  EXPECT_EQ(client.post("/api/v1/events/no-such-event/registrations", person(unique_email("x"))).status, 404);
}

TEST_F(Registrations, WindowNotYetOpenAndClosedSayWhen) {
  ASSERT_TRUE(create_event({{"slug", "future-window"}, {"title", "Later"}, {"timezone", "Africa/Lagos"},
                            {"capacity", 5}, {"registration_opens_at", "2099-01-01T00:00:00Z"}}));
  auto early = client.post("/api/v1/events/future-window/registrations", person(unique_email("early")));
  ASSERT_EQ(early.status, 409) << early.body;
  EXPECT_TRUE(early.json()["type"].get<std::string>().ends_with("registration-not-open"));
  EXPECT_EQ(early.json()["opens_at"], "2099-01-01T00:00:00Z");

  ASSERT_TRUE(create_event({{"slug", "past-window"}, {"title", "Over"}, {"timezone", "Africa/Lagos"}, {"capacity", 5},
                            {"registration_closes_at", "2020-01-01T00:00:00Z"}}));
  auto late = client.post("/api/v1/events/past-window/registrations", person(unique_email("late")));
  ASSERT_EQ(late.status, 409) << late.body;
  EXPECT_TRUE(late.json()["type"].get<std::string>().ends_with("registration-closed"));
  EXPECT_EQ(late.json()["closed_at"], "2020-01-01T00:00:00Z");

  // Absent registration_closes_at: closes when the last session starts (here, in the past).
  ASSERT_TRUE(create_event({{"slug", "closes-at-start"}, {"title", "Old"}, {"timezone", "America/Lima"},
                            {"capacity", 5},
                            {"sessions", {{{"starts_local", "2021-09-10T08:00"}, {"duration_minutes", 60}}}}}));
  auto after_start = client.post("/api/v1/events/closes-at-start/registrations", person(unique_email("x")));
  ASSERT_EQ(after_start.status, 409);
  EXPECT_EQ(after_start.json()["closed_at"], "2021-09-10T13:00:00Z");
}

TEST_F(Registrations, ApprovalRequiredGivesPending) {
  ASSERT_TRUE(create_event({{"slug", "needs-approval"}, {"title", "Closed-door"}, {"timezone", "Asia/Tehran"},
                            {"capacity", 5}, {"requires_approval", true}, {"registration_closes_at", nullptr}}));
  auto reply = client.post("/api/v1/events/needs-approval/registrations", person(unique_email("pending")));
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.json()["status"], "pending");
}

TEST_F(Registrations, DraftEventsAreInvisibleToThePublic) {
  ASSERT_TRUE(create_event({{"slug", "draft-one"}, {"title", "Not yet"}, {"timezone", "UTC"}, {"capacity", 5},
                            {"status", "draft"}, {"registration_closes_at", nullptr}}));
  EXPECT_EQ(client.get("/api/v1/events/draft-one").status, 404);
  EXPECT_EQ(client.get("/api/v1/events/draft-one", admin()).status, 200);
  EXPECT_EQ(client.post("/api/v1/events/draft-one/registrations", person(unique_email("d"))).status, 404);
}

TEST_F(Registrations, PatchValidatesAndKeepsWhatIsNotNamed) {
  auto created = client.post(kPanel + "/registrations", person(unique_email("patch"))).json();
  const std::string path = "/api/v1/registrations/" + created["manage_token"].get<std::string>();
  auto bad = client.patch(path, {{"timezone", "Nowhere/Land"}, {"name", ""}, {"language", nullptr}});
  ASSERT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json()["errors"].size(), 3u);
  auto cleared = client.patch(path, {{"organisation", nullptr}});
  ASSERT_EQ(cleared.status, 200);
  EXPECT_TRUE(cleared.json()["organisation"].is_null());
  EXPECT_EQ(cleared.json()["name"], "Sita Sharma");
  EXPECT_EQ(cleared.json()["country"], "NP");
}

}  // namespace
}  // namespace convene::testing
