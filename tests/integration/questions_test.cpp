// An event's own questions over HTTP: defined by organisers, answered and checked at registration,
// limited choices never oversold, answers in the roster, its filters, the CSV and the stats, kept
// through later changes of the form, and changed by registrants while registration is open.
#include <gtest/gtest.h>

#include <thread>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

using json = nlohmann::json;

const json kForm = json::parse(R"([
  {"key": "organisation_type", "type": "one_choice", "required": true,
   "label": {"en": "Type of organisation", "fr": "Type d'organisation"},
   "options": [{"key": "government", "label": {"en": "Government", "fr": "Gouvernement"}},
               {"key": "civil_society", "label": {"en": "Civil society", "fr": "Société civile"}},
               {"key": "un_system", "label": {"en": "UN system", "fr": "Système des Nations Unies"}}]},
  {"key": "attendance_mode", "type": "one_choice", "label": {"en": "How will you attend?"},
   "options": [{"key": "online", "label": {"en": "Online"}},
               {"key": "in_person", "label": {"en": "In person"}, "limit": 30}]},
  {"key": "access", "type": "several_choices", "label": {"en": "Access needs"},
   "options": [{"key": "interpretation", "label": {"en": "Interpretation"}},
               {"key": "captions", "label": {"en": "Captions"}}]},
  {"key": "title", "type": "short_text", "label": {"en": "Title"}}
])");

class Questions : public ServiceSuite<"convene_it_questions"> {
 protected:
  ::testing::AssertionResult create_with_form(const std::string& slug, int capacity = 500) {
    return create_event(event_body(slug, capacity, {{"questions", kForm}}));
  }
  json answering(const std::string& tag, const json& answers) { return registrant(tag, {{"answers", answers}}); }
  Reply csv(const std::string& slug, const std::string& lang = "en") {
    return client.get("/api/v1/events/" + slug + "/registrations.csv?lang=" + lang, admin());
  }
};

TEST_F(Questions, TheFormIsOnTheEventAndAnswersAreCheckedAtTheirFields) {
  ASSERT_TRUE(create_with_form("form"));
  const auto event = client.get("/api/v1/events/form").json();
  ASSERT_EQ(event["questions"].size(), 4u);
  EXPECT_EQ(event["questions"][0]["options"][0]["label"]["fr"], "Gouvernement");

  const auto missing = client.post("/api/v1/events/form/registrations", answering("missing", {{"title", "Dr"}}));
  ASSERT_EQ(missing.status, 422) << missing.body;
  EXPECT_EQ(missing.json()["errors"][0]["field"], "answers.organisation_type");
  const auto unknown = client.post("/api/v1/events/form/registrations",
                                   answering("unknown", {{"organisation_type", "government"}, {"shoe_size", 42}}));
  ASSERT_EQ(unknown.status, 422);
  EXPECT_EQ(unknown.json()["errors"][0]["field"], "answers.shoe_size");

  const auto accepted = client.post(
      "/api/v1/events/form/registrations",
      answering("ok", {{"organisation_type", "un_system"}, {"access", {"captions", "interpretation"}}, {"title", " Dr "}}));
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  EXPECT_EQ(accepted.json()["answers"],
            json({{"organisation_type", "un_system"}, {"access", {"interpretation", "captions"}}, {"title", "Dr"}}));
  // An event without questions takes no answers.
  ASSERT_TRUE(create_event(event_body("no-form", 10)));
  EXPECT_EQ(client.post("/api/v1/events/no-form/registrations", answering("x", {{"title", "Dr"}})).status, 422);
}

TEST_F(Questions, TwoHundredRushingForThirtyInPersonPlacesLeaveExactlyThirtyHoldingOne) {
  ASSERT_TRUE(create_with_form("rush", 1000));
  constexpr int kRegistrants = 200;
  std::vector<int> statuses(kRegistrants);
  std::vector<std::string> fields(kRegistrants);
  std::vector<std::thread> threads;
  const int port = service->server().port();
  for (int i = 0; i < kRegistrants; ++i) {
    threads.emplace_back([&, i] {
      Client own(port);
      const auto reply = own.post("/api/v1/events/rush/registrations",
                                  answering("rush" + std::to_string(i),
                                            {{"organisation_type", "government"}, {"attendance_mode", "in_person"}}));
      statuses[i] = reply.status;
      if (reply.status == 409) fields[i] = reply.json()["errors"][0]["field"];
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 30);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), kRegistrants - 30);
  EXPECT_EQ(std::count(fields.begin(), fields.end(), "answers.attendance_mode"), kRegistrants - 30);
  const auto stats = client.get("/api/v1/events/rush/stats", admin()).json();
  EXPECT_EQ(stats["by_answer"]["attendance_mode"]["in_person"], 30);
  EXPECT_EQ(stats["by_answer"]["organisation_type"]["government"], 30);
  EXPECT_EQ(stats["by_answer"]["organisation_type"]["civil_society"], 0);

  // A place given back is a place to take; online needs none.
  const auto holder = client.get("/api/v1/events/rush/registrations?answers.attendance_mode=in_person&limit=1", admin());
  ASSERT_EQ(holder.status, 200) << holder.body;
  const int id = holder.json()["items"][0]["id"];
  ASSERT_EQ(client.patch("/api/v1/events/rush/registrations/" + std::to_string(id), {{"status", "cancelled"}}, admin()).status,
            200);
  EXPECT_EQ(client.post("/api/v1/events/rush/registrations",
                        answering("late", {{"organisation_type", "government"}, {"attendance_mode", "in_person"}}))
                .status,
            201);
  EXPECT_EQ(client.post("/api/v1/events/rush/registrations",
                        answering("later", {{"organisation_type", "government"}, {"attendance_mode", "in_person"}}))
                .status,
            409);
  EXPECT_EQ(client.post("/api/v1/events/rush/registrations",
                        answering("online", {{"organisation_type", "government"}, {"attendance_mode", "online"}}))
                .status,
            201);
}

TEST_F(Questions, TheRosterFiltersByAChoiceAndTheCsvHasAColumnPerQuestion) {
  ASSERT_TRUE(create_with_form("roster"));
  for (const auto& [tag, type] : {std::pair{"g1", "government"}, {"g2", "government"}, {"c1", "civil_society"}}) {
    ASSERT_EQ(client.post("/api/v1/events/roster/registrations",
                          answering(tag, {{"organisation_type", type}, {"access", {"captions"}}}))
                  .status,
              201);
  }
  const auto governments = client.get("/api/v1/events/roster/registrations?answers.organisation_type=government", admin());
  ASSERT_EQ(governments.status, 200) << governments.body;
  EXPECT_EQ(governments.json()["items"].size(), 2u);
  EXPECT_EQ(governments.json()["items"][0]["answers"]["organisation_type"], "government");
  EXPECT_EQ(client.get("/api/v1/events/roster/registrations?answers.access=captions&answers.organisation_type=civil_society",
                       admin())
                .json()["items"]
                .size(),
            1u);
  const auto wrong = client.get("/api/v1/events/roster/registrations?answers.title=Dr", admin());
  ASSERT_EQ(wrong.status, 422);
  EXPECT_EQ(wrong.json()["errors"][0]["field"], "answers.title");

  const auto french = csv("roster", "fr");
  ASSERT_EQ(french.status, 200);
  const std::string header = french.body.substr(0, french.body.find("\r\n"));
  EXPECT_NE(header.find(",attended,Type d'organisation,How will you attend?,Access needs,Title"), std::string::npos) << header;
  EXPECT_NE(french.body.find(",Gouvernement,,Captions,"), std::string::npos) << french.body;
  EXPECT_EQ(csv("roster", "xx").status, 422);
}

TEST_F(Questions, ChangingTheFormNeverLosesOrReinterpretsAnAnswer) {
  ASSERT_TRUE(create_with_form("changes"));
  ASSERT_EQ(client.post("/api/v1/events/changes/registrations",
                        answering("before", {{"organisation_type", "civil_society"}, {"title", "Prof"}}))
                .status,
            201);
  // Relabel an option, drop "title", add a question.
  json form = kForm;
  form[0]["options"][1]["label"]["en"] = "NGO or civil society";
  form.erase(3);
  form.push_back(json::parse(R"({"key": "captions_language", "type": "short_text", "label": {"en": "Caption language"}})"));
  const auto changed = client.patch("/api/v1/events/changes", {{"questions", form}}, admin());
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json()["retired_questions"][0]["key"], "title");
  EXPECT_FALSE(client.get("/api/v1/events/changes").json().contains("retired_questions"));  // organisers only
  // A key keeps its type.
  json retyped = form;
  retyped[2]["type"] = "yes_no";
  retyped[2].erase("options");
  const auto refused = client.patch("/api/v1/events/changes", {{"questions", retyped}}, admin());
  ASSERT_EQ(refused.status, 422);
  EXPECT_EQ(refused.json()["errors"][0]["field"], "questions[2].type");

  const auto exported = csv("changes");
  const std::string header = exported.body.substr(0, exported.body.find("\r\n"));
  EXPECT_NE(header.find("Type of organisation,How will you attend?,Access needs,Caption language,Title"), std::string::npos)
      << header;
  EXPECT_NE(exported.body.find(",NGO or civil society,,,,Prof"), std::string::npos) << exported.body;
  // The retired question's answer can no longer be given, and the new one can.
  EXPECT_EQ(client.post("/api/v1/events/changes/registrations",
                        answering("after", {{"organisation_type", "government"}, {"title", "Dr"}}))
                .status,
            422);
}

TEST_F(Questions, RegistrantsChangeTheirAnswersWhileRegistrationIsOpen) {
  ASSERT_TRUE(create_with_form("own", 100));
  json form = kForm;
  form[1]["options"][1]["limit"] = 1;
  ASSERT_EQ(client.patch("/api/v1/events/own", {{"questions", form}}, admin()).status, 200);
  const auto first = client.post("/api/v1/events/own/registrations",
                                 answering("first", {{"organisation_type", "government"}, {"attendance_mode", "in_person"}}));
  const auto second = client.post("/api/v1/events/own/registrations", answering("second", {{"organisation_type", "government"}}));
  ASSERT_EQ(first.status, 201);
  ASSERT_EQ(second.status, 201);
  const std::string mine = "/api/v1/registrations/" + second.json()["manage_token"].get<std::string>();
  const std::string theirs = "/api/v1/registrations/" + first.json()["manage_token"].get<std::string>();

  // The one place is held; keeping one's own place is fine.
  const auto full = client.patch(mine, {{"answers", {{"organisation_type", "government"}, {"attendance_mode", "in_person"}}}});
  ASSERT_EQ(full.status, 409) << full.body;
  EXPECT_EQ(full.json()["type"], "/problems/option-full");
  EXPECT_EQ(client.patch(theirs, {{"answers", {{"organisation_type", "un_system"}, {"attendance_mode", "in_person"}}}}).status,
            200);
  const auto invalid = client.patch(mine, {{"answers", {{"attendance_mode", "online"}}}});
  ASSERT_EQ(invalid.status, 422);
  EXPECT_EQ(invalid.json()["errors"][0]["field"], "answers.organisation_type");
  const auto changed = client.patch(mine, {{"answers", {{"organisation_type", "civil_society"}, {"title", "Ms"}}}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(client.get(mine).json()["answers"], json({{"organisation_type", "civil_society"}, {"title", "Ms"}}));

  // Their page offers the answers for change while registration is open...
  const std::string page = "/r/" + second.json()["manage_token"].get<std::string>();
  const auto open_page = client.get(page);
  ASSERT_EQ(open_page.status, 200);
  EXPECT_NE(open_page.body.find("<fieldset class=\"plain\" >"), std::string::npos) << open_page.body;
  EXPECT_NE(open_page.body.find("<p id=\"answers-closed\" class=\"notice\" hidden>"), std::string::npos);

  // Once registration has closed, answers stay as they are, and the page shows them so.
  ASSERT_EQ(client.patch("/api/v1/events/own", {{"registration_closes", "now"}}, admin()).status, 200);
  const auto closed_page = client.get(page);
  EXPECT_NE(closed_page.body.find("<fieldset class=\"plain\" disabled>"), std::string::npos) << closed_page.body;
  EXPECT_NE(closed_page.body.find("<p id=\"answers-closed\" class=\"notice\" >Answers can be changed only while"),
            std::string::npos);
  EXPECT_NE(closed_page.body.find("value=\"civil_society\" data-error=\"answer-organisation_type-error\" required checked"),
            std::string::npos);  // shown as they stand
  EXPECT_EQ(client.patch(mine, {{"answers", {{"organisation_type", "government"}}}}).status, 409);
  EXPECT_EQ(client.patch(mine, {{"name", "Still me"}}).status, 200);  // the rest stays changeable
}

}  // namespace
}  // namespace convene::testing
