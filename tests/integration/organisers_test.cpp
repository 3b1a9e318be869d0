// Organiser tokens: created by the CLI, hashed at rest, scoped to events, revocable. The auth
// matrix (no token, wrong, revoked, other event, all events) for every organiser write.
#include <gtest/gtest.h>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

class Organisers : public ServiceSuite<"convene_it_organisers"> {
 public:
  // Two events, a token scoped to the first and a revoked one.
  static void SetUpTestSuite() {
    start();
    for (const char* slug : {"event-a", "event-b"}) {
      const nlohmann::json session = {{"starts_local", "2031-01-01T10:00"}, {"duration_minutes", 60}};
      ASSERT_TRUE(testing::create_event(*service, event_body(slug, 3, {{"title", slug}, {"sessions", {session}}})));
    }
    scoped = service->add_organiser("scoped@example.org", {"--event", "event-a"});
    revoked = service->add_organiser("revoked@example.org", {"--event", "event-a"});
    EXPECT_EQ(run_convene({"organiser", "revoke", "--email", "revoked@example.org"}, service->env()).status, 0);
  }

 protected:
  static std::string scoped, revoked;

  struct Call {
    std::string name, method, path;
    nlohmann::json body;
  };
  std::vector<Call> writes_on(const std::string& slug) {
    const auto event = client.get("/api/v1/events/" + slug).json();
    const std::string session = std::to_string(event["sessions"][0]["id"].get<int>());
    return {{"patch event", "PATCH", "/api/v1/events/" + slug, {{"description", "new"}}},
            {"add session", "POST", "/api/v1/events/" + slug + "/sessions",
             {{"starts_local", "2031-01-02T10:00"}, {"duration_minutes", 30}}},
            {"patch session", "PATCH", "/api/v1/events/" + slug + "/sessions/" + session, {{"title", "t"}}},
            {"cancel session", "DELETE", "/api/v1/events/" + slug + "/sessions/" + session, nullptr}};
  }
  int call(const Call& c, const httplib::Headers& headers) {
    const std::string body = c.body.is_null() ? "" : c.body.dump();
    return client.send(c.method, c.path, body, body.empty() ? "" : "application/json", headers).status;
  }
};
std::string Organisers::scoped;
std::string Organisers::revoked;

TEST_F(Organisers, TokenIsPrintedOnceAndStoredOnlyAsAHash) {
  EXPECT_EQ(scoped.size(), 40u);  // 24 random bytes and a 6-byte tag, base64url
  auto connection = service->connect();
  pqxx::read_transaction tx(connection);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM organisers WHERE position($1 IN encode(token_hash, 'escape')) > 0 "
                            "OR position($1 IN email) > 0",
                            scoped)[0]
                .as<int>(),
            0);
}

TEST_F(Organisers, AuthMatrixForEveryOrganiserWrite) {
  struct Who {
    std::string name;
    httplib::Headers headers;
    int expected_on_own_event;
    int expected_on_other_event;
  };
  const std::vector<Who> who = {
      {"no token", {}, 401, 401},
      {"malformed header", {{"Authorization", "Token abc"}}, 401, 401},
      {"wrong token", bearer("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 401, 401},
      {"revoked token", bearer(revoked), 401, 401},
      {"token of event-a", bearer(scoped), 200, 403},
      {"token for all events", admin(), 200, 200},
  };
  for (const auto& w : who) {
    for (const auto& [slug, own] : {std::pair{"event-a", true}, std::pair{"event-b", false}}) {
      for (const auto& c : writes_on(slug)) {
        const int expected = own ? w.expected_on_own_event : w.expected_on_other_event;
        const int status = call(c, w.headers);
        if (expected == 200)
          EXPECT_TRUE(status == 200 || status == 201) << w.name << " / " << c.name << " on " << slug << ": " << status;
        else
          EXPECT_EQ(status, expected) << w.name << " / " << c.name << " on " << slug;
      }
    }
  }
}

TEST_F(Organisers, UnauthorisedRepliesCarryWwwAuthenticate) {
  auto reply = client.patch("/api/v1/events/event-a", {{"title", "x"}});
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.header("WWW-Authenticate").rfind("Bearer", 0), 0u);
  EXPECT_EQ(reply.header("Content-Type"), "application/problem+json");
}

TEST_F(Organisers, OnlyAllEventTokensCreateEvents) {
  nlohmann::json body{{"slug", "made-by-scoped"}, {"title", "x"}, {"timezone", "UTC"}, {"capacity", 1}};
  EXPECT_EQ(client.post("/api/v1/events", body).status, 401);
  EXPECT_EQ(client.post("/api/v1/events", body, bearer(scoped)).status, 403);
  EXPECT_EQ(client.post("/api/v1/events", body, admin()).status, 201);
}

TEST_F(Organisers, AddingATokenForAnUnknownEventFails) {
  auto result = run_convene({"organiser", "add", "--email", "x@example.org", "--event", "nope"}, service->env());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(run_convene({"organiser", "add", "--email", "x@example.org"}, service->env()).status, 0);
}

}  // namespace
}  // namespace convene::testing
