// Organisers' tools: the roster and its export, moderation with its messages and audit trail,
// statistics, deliveries, erasure.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

// RFC 4180 parser, independent of the server's writer: fields may be quoted, quotes doubled.
std::vector<std::vector<std::string>> parse_csv(std::string text) {
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') field.push_back('"'), ++i;
      else if (ch == '"') quoted = false;
      else field.push_back(ch);
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      row.push_back(field), field.clear();
    } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(field), field.clear();
      rows.push_back(row), row.clear();
      ++i;
    } else {
      field.push_back(ch);
    }
  }
  if (!field.empty() || !row.empty()) row.push_back(field), rows.push_back(row);
  return rows;
}

class Roster : public ServiceSuite<"convene_it_roster"> {
 public:
  // The event most cases share.
  static void SetUpTestSuite() {
    start({{"WORKER_POLL_MS", "100"}});
    ASSERT_TRUE(testing::create_event(
        *service, event_body("roster-event", 3,
                             {{"title", "Roster event"}, {"timezone", "Africa/Nairobi"}, {"requires_approval", false},
                              {"sessions", {{{"starts_local", "2031-02-02T10:00"}, {"duration_minutes", 60}}}}})));
  }

 protected:
  // A registrant named "Roster Person" unless `fields` say otherwise.
  nlohmann::json register_person(const std::string& slug, nlohmann::json fields) {
    fields.emplace("name", "Roster Person");
    return register_attendee(slug, registrant("roster", fields));
  }
  // An event with one session, in UTC.
  ::testing::AssertionResult create_event(const std::string& slug, int capacity, bool approval = false) {
    return ServiceSuite::create_event(
        event_body(slug, capacity, {{"requires_approval", approval},
                                    {"sessions", {{{"starts_local", "2031-03-03T10:00"}, {"duration_minutes", 60}}}}}));
  }
  std::vector<std::string> outbox_kinds(std::int64_t registration_id) {
    auto connection = service->connect();
    pqxx::read_transaction tx(connection);
    std::vector<std::string> kinds;
    for (const auto& row : tx.exec_params("SELECT kind FROM outbox WHERE registration_id = $1 ORDER BY id", registration_id))
      kinds.push_back(row[0].as<std::string>());
    return kinds;
  }
  std::vector<std::string> audit_actions(const std::string& slug) {
    std::vector<std::string> actions;
    auto reply = client.get("/api/v1/events/" + slug + "/audit?limit=500", admin());
    EXPECT_EQ(reply.status, 200) << reply.body;
    for (const auto& item : reply.json()["items"]) actions.push_back(item["action"]);
    return actions;
  }
};

TEST_F(Roster, SearchIsLiteralAndIgnoresCaseAndAccents) {
  ASSERT_TRUE(create_event("search-event", 50));
  register_person("search-event", {{"name", "José Núñez"}, {"organisation", "Ministerio de Economía"}});
  register_person("search-event", {{"name", "Zoë 100% Sure"}, {"organisation", "under_score Ltd"}});
  register_person("search-event", {{"name", "Plain Person"}, {"country", "NP"}});
  auto names = [&](const std::string& query) {
    std::set<std::string> found;
    auto reply = client.get("/api/v1/events/search-event/registrations?" + query, admin());
    EXPECT_EQ(reply.status, 200) << reply.body;
    for (const auto& item : reply.json()["items"]) found.insert(item["name"]);
    return found;
  };
  const auto expect_found = [&](const std::string& when) {
    SCOPED_TRACE(when);
    EXPECT_EQ(names("q=jose"), (std::set<std::string>{"José Núñez"}));
    EXPECT_EQ(names("q=NUNEZ"), (std::set<std::string>{"José Núñez"}));
    EXPECT_EQ(names("q=econom%C3%ADa"), (std::set<std::string>{"José Núñez"}));
    EXPECT_EQ(names("q=100%25"), (std::set<std::string>{"Zoë 100% Sure"}));  // % is a plain character
    EXPECT_EQ(names("q=%25"), (std::set<std::string>{"Zoë 100% Sure"}));
    EXPECT_EQ(names("q=r_s"), (std::set<std::string>{"Zoë 100% Sure"}));    // _ too: "under_score"
    EXPECT_EQ(names("q=er_sc").size(), 1u);
    EXPECT_EQ(names("q=zoe"), (std::set<std::string>{"Zoë 100% Sure"}));
  };
  expect_found("at once, indexed or not");
  // The worker indexes them after the commit (store/search.hpp); /metrics counts what waits.
  ASSERT_TRUE(eventually(
      [&] { return metric_sum(client.get("/metrics").body, "convene_search_backlog") == 0; }, std::chrono::seconds(20)));
  {
    auto connection = service->connect();
    pqxx::read_transaction tx(connection);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM registration_search s JOIN events e ON e.id = s.event_id "
                       "WHERE e.slug = 'search-event'")[0]
                  .as<int>(),
              3);
  }
  expect_found("indexed by the worker");
  EXPECT_EQ(names("country=np"), (std::set<std::string>{"Plain Person"}));
  EXPECT_EQ(client.get("/api/v1/events/search-event/registrations?status=maybe", admin()).status, 422);
  EXPECT_EQ(client.get("/api/v1/events/search-event/registrations?limit=501", admin()).status, 422);
  EXPECT_EQ(client.get("/api/v1/events/search-event/registrations?cursor=bogus", admin()).status, 400);
}

TEST_F(Roster, PaginationVisitsEveryRegistrantOnceWhileRegistrationsArrive) {
  ASSERT_TRUE(create_event("paging-event", 1000));
  std::set<std::int64_t> existing;
  for (int i = 0; i < 120; ++i) existing.insert(register_person("paging-event", {})["id"].get<std::int64_t>());
  std::atomic<bool> stop{false};
  const int port = service->server().port();
  std::thread arrivals([&] {
    Client own(port);
    while (!stop) {
      own.post("/api/v1/events/paging-event/registrations",
               {{"email", unique_email("late")}, {"name", "Late"}, {"consent", true}});
    }
  });
  std::multiset<std::int64_t> seen;
  std::string path = "/api/v1/events/paging-event/registrations?limit=7";
  while (true) {
    auto page = client.get(path, admin());
    ASSERT_EQ(page.status, 200) << page.body;
    for (const auto& item : page.json()["items"]) seen.insert(item["id"].get<std::int64_t>());
    if (page.json()["next_cursor"].is_null()) break;
    path = "/api/v1/events/paging-event/registrations?limit=7&cursor=" + page.json()["next_cursor"].get<std::string>();
  }
  stop = true;
  arrivals.join();
  for (const auto id : existing) EXPECT_EQ(seen.count(id), 1u) << id;
  for (const auto id : seen) EXPECT_EQ(seen.count(id), 1u) << "visited twice: " << id;
}

TEST_F(Roster, TheCsvExportMatchesTheRosterAndNeutralisesFormulas) {
  ASSERT_TRUE(create_event("csv-event", 100));
  ASSERT_EQ(client.patch("/api/v1/events/csv-event",
                         {{"questions", {{{"key", "diet"}, {"type", "long_text"}, {"label", {{"en", "Diet"}}}}}}}, admin())
                .status,
            200);
  register_person("csv-event", {{"name", "=HYPERLINK(\"http://evil\",\"click\")"}, {"organisation", "+1 Org, \"Quoted\""}});
  register_person("csv-event", {{"name", "@SUM(A1:A2)"}, {"organisation", "-minus"}});
  register_person("csv-event", {{"name", "Ağa Çelik 李小龙"}, {"answers", {{"diet", "vegan, \"strict\"\nline two"}}}});
  auto csv = client.get("/api/v1/events/csv-event/registrations.csv", admin());
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("Content-Type"), "text/csv; charset=utf-8; header=present");
  EXPECT_NE(csv.header("Content-Disposition").find("csv-event-registrations.csv"), std::string::npos);
  const auto rows = parse_csv(csv.body);
  ASSERT_EQ(rows.size(), 4u);
  const auto& head = rows[0];
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(head.begin(), head.end(), name) - head.begin());
  };
  ASSERT_LT(column("name"), head.size());
  auto roster = client.get("/api/v1/events/csv-event/registrations", admin());
  const auto& items = roster.json()["items"];
  ASSERT_EQ(items.size(), 3u);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& row = rows[i + 1];
    EXPECT_EQ(row[column("id")], std::to_string(items[i]["id"].get<int>()));
    EXPECT_EQ(row[column("email")], items[i]["email"]);
    EXPECT_EQ(row[column("status")], items[i]["status"]);
    std::string name = items[i]["name"];
    if (name[0] == '=' || name[0] == '+' || name[0] == '-' || name[0] == '@') name = "'" + name;  // neutralised
    EXPECT_EQ(row[column("name")], name);
  }
  EXPECT_EQ(rows[1][column("name")].front(), '\'');
  EXPECT_EQ(rows[1][column("organisation")], "'+1 Org, \"Quoted\"");
  EXPECT_EQ(rows[2][column("organisation")], "'-minus");
  EXPECT_EQ(rows[3][column("name")], "Ağa Çelik 李小龙");
  EXPECT_EQ(rows[3][column("Diet")], "vegan, \"strict\"\nline two");  // the question's label heads its column
}

TEST_F(Roster, ApproveRejectCheckInAndRescheduleShowInTheOutboxAndTheAuditLog) {
  ASSERT_TRUE(create_event("moderated", 1, /*approval=*/true));
  const auto first = register_person("moderated", {});
  const auto second = register_person("moderated", {});
  ASSERT_EQ(first["status"], "pending");
  const std::string base = "/api/v1/events/moderated/registrations/";
  const auto first_id = first["id"].get<std::int64_t>(), second_id = second["id"].get<std::int64_t>();

  auto approved = client.patch(base + std::to_string(first_id), {{"status", "confirmed"}}, admin());
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(approved.json()["status"], "confirmed");
  EXPECT_EQ(outbox_kinds(first_id), (std::vector<std::string>{"confirmation", "confirmation"}));

  auto full = client.patch(base + std::to_string(second_id), {{"status", "confirmed"}}, admin());
  EXPECT_EQ(full.status, 409) << full.body;
  EXPECT_TRUE(full.json()["type"].get<std::string>().ends_with("capacity-reached"));
  auto overridden = client.patch(base + std::to_string(second_id), {{"status", "confirmed"}, {"override_capacity", true}}, admin());
  ASSERT_EQ(overridden.status, 200) << overridden.body;
  auto stats = client.get("/api/v1/events/moderated/stats", admin()).json();
  EXPECT_EQ(stats["by_status"]["confirmed"], 2);
  EXPECT_EQ(stats["overbooked"], 1);
  EXPECT_EQ(stats["seats_left"], 0);

  auto rejected = client.patch(base + std::to_string(second_id), {{"status", "rejected"}}, admin());
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(outbox_kinds(second_id).back(), "rejection");

  auto checked = client.patch(base + std::to_string(first_id), {{"checked_in", true}}, admin());
  ASSERT_EQ(checked.status, 200);
  EXPECT_TRUE(checked.json()["checked_in"]);
  EXPECT_EQ(client.get("/api/v1/events/moderated/stats", admin()).json()["checked_in"], 1);

  const auto event = client.get("/api/v1/events/moderated").json();
  const std::string session = "/api/v1/events/moderated/sessions/" + std::to_string(event["sessions"][0]["id"].get<int>());
  ASSERT_EQ(client.patch(session, {{"starts_local", "2031-03-03T12:00"}}, admin()).status, 200);
  EXPECT_EQ(outbox_kinds(first_id).back(), "update");

  const auto actions = audit_actions("moderated");
  for (const char* expected : {"event.create", "registration.status", "registration.check_in", "session.update"})
    EXPECT_NE(std::find(actions.begin(), actions.end(), expected), actions.end()) << expected;
  auto audit = client.get("/api/v1/events/moderated/audit", admin()).json();
  EXPECT_NE(audit["items"][0]["actor"].get<std::string>().find("admin@example.org"), std::string::npos);

  EXPECT_EQ(client.patch(base + std::to_string(first_id), {{"status", "waitlisted"}}, admin()).status, 422);
  EXPECT_EQ(client.patch(base + "999999", {{"checked_in", true}}, admin()).status, 404);
}

TEST_F(Roster, DeliveriesListTheOutboxWithItsState) {
  ASSERT_TRUE(create_event("deliveries-event", 5));
  register_person("deliveries-event", {});
  ASSERT_TRUE(eventually(
      [&] {
        auto reply = client.get("/api/v1/events/deliveries-event/deliveries?status=sent", admin());
        return reply.status == 200 && reply.json()["items"].size() == 1;
      },
      std::chrono::seconds(20)));
  auto item = client.get("/api/v1/events/deliveries-event/deliveries?kind=confirmation", admin()).json()["items"][0];
  EXPECT_EQ(item["kind"], "confirmation");
  EXPECT_EQ(item["status"], "sent");
  EXPECT_EQ(item["attempts"], 1);
  EXPECT_FALSE(item["sent_at"].is_null());
  EXPECT_EQ(client.get("/api/v1/events/deliveries-event/deliveries?status=lost", admin()).status, 422);
}

TEST_F(Roster, ErasureLeavesNoPersonalDataInAnyTable) {
  ASSERT_TRUE(create_event("erasure-event", 1));
  ASSERT_EQ(client.patch("/api/v1/events/erasure-event",
                         {{"questions", {{{"key", "phone"}, {"type", "short_text"}, {"label", {{"en", "Phone"}}}}}}}, admin())
                .status,
            200);
  const std::string email = unique_email("forget.me");
  const std::string name = "Forget Me Völlig";
  const auto seated = register_person("erasure-event", {{"email", email}, {"name", name}, {"organisation", "Secret Org"},
                                                        {"answers", {{"phone", "+977 1 5555 1234"}}}});
  const auto waiting = register_person("erasure-event", {});
  ASSERT_EQ(waiting["status"], "waitlisted");
  // Let a message go out, so that the outbox and tokens hold traces too.
  ASSERT_TRUE(eventually(
      [&] { return client.get("/api/v1/events/erasure-event/deliveries?status=sent", admin()).json()["items"].size() >= 1; },
      std::chrono::seconds(20)));
  auto erased = client.post("/api/v1/events/erasure-event/registrations/" + std::to_string(seated["id"].get<int>()) + "/erase",
                            nlohmann::json::object(), admin());
  ASSERT_EQ(erased.status, 200) << erased.body;
  // The seat went to the waitlist.
  EXPECT_EQ(client.get("/api/v1/registrations/" + waiting["manage_token"].get<std::string>()).json()["status"], "confirmed");
  // The registrant's own link no longer works.
  EXPECT_EQ(client.get("/api/v1/registrations/" + seated["manage_token"].get<std::string>()).status, 404);
  // Not in the roster or the export; still counted.
  const auto roster = client.get("/api/v1/events/erasure-event/registrations", admin());
  for (const auto& item : roster.json()["items"]) EXPECT_NE(item["id"], seated["id"]);
  EXPECT_EQ(client.get("/api/v1/events/erasure-event/registrations.csv", admin()).body.find(email), std::string::npos);
  EXPECT_EQ(client.get("/api/v1/events/erasure-event/stats", admin()).json()["by_status"]["cancelled"], 1);
  // Every text column of every table, searched for anything that named the person.
  auto connection = service->connect();
  pqxx::read_transaction tx(connection);
  const auto columns = tx.exec(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
      "AND data_type IN ('text', 'jsonb', 'character varying', 'bytea')");
  int searched = 0;
  for (const auto& c : columns) {
    const std::string table = c[0].as<std::string>(), col = c[1].as<std::string>();
    for (const std::string& needle : {email, name, std::string("Secret Org"), std::string("5555 1234")}) {
      const auto hits = tx.exec_params1("SELECT count(*) FROM " + tx.quote_name(table) + " WHERE position($1 IN " +
                                            tx.quote_name(col) + "::text) > 0",
                                        needle)[0]
                            .as<int>();
      EXPECT_EQ(hits, 0) << needle << " found in " << table << "." << col;
      ++searched;
    }
  }
  EXPECT_GT(searched, 40);
}

TEST_F(Roster, ARegistrantCanEraseThemself) {
  const auto me = register_person("roster-event", {{"name", "Self Eraser"}});
  const std::string token = me["manage_token"];
  auto erased = client.post("/api/v1/registrations/" + token + "/erase", nlohmann::json::object());
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(client.get("/api/v1/registrations/" + token).status, 404);
  const auto actions = audit_actions("roster-event");
  EXPECT_NE(std::find(actions.begin(), actions.end(), "registration.erase"), actions.end());
}

TEST_F(Roster, EveryOrganiserEndpointChecksTheToken) {
  const auto someone = register_person("roster-event", {});
  const std::string id = std::to_string(someone["id"].get<int>());
  ASSERT_TRUE(
      ServiceSuite::create_event({{"slug", "other-event"}, {"title", "Other"}, {"timezone", "UTC"}, {"capacity", 1}}));
  const std::string own = service->add_organiser("own@example.org", {"--event", "roster-event"});
  const std::string other = service->add_organiser("other@example.org", {"--event", "other-event"});
  const std::string revoked = service->add_organiser("gone@example.org", {"--event", "roster-event"});
  ASSERT_EQ(run_convene({"organiser", "revoke", "--email", "gone@example.org"}, service->env()).status, 0);
  struct Call {
    std::string method, path, body;
  };
  const std::string base = "/api/v1/events/roster-event";
  const std::vector<Call> calls = {{"GET", base + "/registrations", ""},
                                   {"GET", base + "/registrations.csv", ""},
                                   {"GET", base + "/stats", ""},
                                   {"GET", base + "/deliveries", ""},
                                   {"GET", base + "/audit", ""},
                                   {"PATCH", base + "/registrations/" + id, R"({"checked_in": true})"}};
  const std::vector<std::pair<std::string, std::pair<httplib::Headers, int>>> who = {
      {"no token", {{}, 401}},
      {"wrong token", {bearer("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 401}},
      {"revoked", {bearer(revoked), 401}},
      {"other event", {bearer(other), 403}},
      {"this event", {bearer(own), 200}},
      {"all events", {admin(), 200}}};
  for (const auto& [label, expectation] : who) {
    for (const auto& call : calls) {
      auto reply = client.send(call.method, call.path, call.body, call.body.empty() ? "" : "application/json",
                               expectation.first);
      EXPECT_EQ(reply.status, expectation.second) << label << ": " << call.method << " " << call.path << " " << reply.body;
    }
  }
  // Erasure by an organiser, last (it cannot be undone).
  EXPECT_EQ(client.send("POST", base + "/registrations/" + id + "/erase", "", "", bearer(other)).status, 403);
  EXPECT_EQ(client.send("POST", base + "/registrations/" + id + "/erase", "", "", {}).status, 401);
  EXPECT_EQ(client.send("POST", base + "/registrations/" + id + "/erase", "", "", bearer(own)).status, 200);
}

}  // namespace
}  // namespace convene::testing
