// The conventions of API.md that hold for every endpoint: problem+json, status codes for bad
// requests, request ids, method handling.
#include <gtest/gtest.h>

#include <thread>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

class HttpContract : public ServiceSuite<"convene_it_http"> {
 protected:
  const std::string registrations = "/api/v1/events/south-south-2021/registrations";

  static void expect_problem(const Reply& reply, int status) {
    EXPECT_EQ(reply.status, status) << reply.body;
    EXPECT_EQ(reply.header("Content-Type"), "application/problem+json") << reply.body;
    const auto problem = reply.json();
    EXPECT_EQ(problem["status"], status);
    EXPECT_TRUE(problem["type"].is_string());
    EXPECT_TRUE(problem["title"].is_string());
    EXPECT_TRUE(problem["detail"].is_string());
  }
};

TEST_F(HttpContract, HealthAndReadiness) {
  EXPECT_EQ(client.get("/healthz").status, 200);
  auto ready = client.get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.json()["ready"], true);
}

TEST_F(HttpContract, WrongContentTypeIs415) {
  expect_problem(client.send("POST", registrations, R"({"a":1})", "text/plain"), 415);
  expect_problem(client.send("POST", registrations, R"({"a":1})", ""), 415);
  EXPECT_NE(client.send("POST", registrations, R"({"a":1})", "application/json; charset=utf-8").status, 415);
}

TEST_F(HttpContract, MalformedJsonAndInvalidUtf8Are400) {
  expect_problem(client.send("POST", registrations, "{not json", "application/json"), 400);
  expect_problem(client.send("POST", registrations, "{\"email\":\"a@b.org\",\"name\":\"\xff\xfe\",\"consent\":true}",
                             "application/json"),
                 400);
  expect_problem(client.send("POST", registrations, std::string(5000, '['), "application/json"), 400);
  expect_problem(client.send("POST", registrations, "[1,2]", "application/json"), 422);
}

// A refused body is described in our words, with where it went wrong; never the parser library's
// message, never bytes of the request (they may be someone's personal data, or markup).
TEST_F(HttpContract, MalformedJsonIsExplainedWithoutEchoingTheRequest) {
  struct Case {
    std::string name, method, path, body, position;  // position: "" when there is none to give
  };
  const std::string manage = "/api/v1/registrations/" + std::string(32, 'A');
  const std::vector<Case> cases = {
      {"truncated", "POST", registrations, R"({"email": "a@example.org", "name": "x",)", "line 1, column 40"},
      {"empty", "POST", registrations, "", ""},
      {"trailing garbage", "POST", registrations, R"({"email": "a@example.org"} secret-trailer)", "line 1, column 28"},
      {"single quotes", "POST", registrations, "{'email': 'a@example.org'}", "line 1, column 2"},
      {"comment", "POST", registrations, "{\"email\": \"a@example.org\" /* note-to-self */}", "line 1, column 27"},
      {"NaN", "POST", registrations, "{\"email\": \"a@example.org\",\n \"n\": NaN}", "line 2, column 7"},
      {"NUL", "POST", registrations, std::string("{\"email\": \"a@exa\0mple.org\"}", 27), "line 1, column 17"},
      {"bad escape", "POST", registrations, R"({"email": "a@example.org", "name": "\q-private"})", "line 1, column 38"},
      {"lone surrogate", "POST", registrations, R"({"name": "\ud800-private"})", "line 1, column 17"},
      {"PATCH", "PATCH", manage, "{\"timezone\": \"Asia/Kathmandu\"", "line 1, column 30"},
      {"number too large", "POST", registrations, R"({"n": 1e999})", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Reply reply = client.send(c.method, c.path, c.body, "application/json");
    expect_problem(reply, 400);
    const std::string detail = reply.json()["detail"];
    for (const char* internal : {"json.exception", "parse_error", "parse error", "last read", "syntax error"})
      EXPECT_EQ(detail.find(internal), std::string::npos) << detail;
    for (const char* quoted : {"example.org", "secret-trailer", "note-to-self", "NaN", "private", "Kathmandu", "1e999"})
      EXPECT_EQ(reply.body.find(quoted), std::string::npos) << reply.body;
    if (!c.position.empty()) {
      EXPECT_NE(detail.find(c.position), std::string::npos) << detail;
    }
  }
}

TEST_F(HttpContract, BodiesOver64KiBAre413) {
  const std::string big = "{\"pad\":\"" + std::string(70 * 1024, 'x') + "\"}";
  expect_problem(client.send("POST", registrations, big, "application/json"), 413);
  // The limit is on the whole body: just under it is read and validated normally.
  const std::string fits = "{\"pad\":\"" + std::string(60 * 1024, 'x') + "\"}";
  EXPECT_EQ(client.send("POST", registrations, fits, "application/json").status, 422);
}

TEST_F(HttpContract, UnknownRoute404WrongMethod405WithAllow) {
  expect_problem(client.get("/api/v1/nothing-here"), 404);
  auto reply = client.send("PUT", "/api/v1/events/south-south-2021", "", "");
  expect_problem(reply, 405);
  EXPECT_EQ(reply.header("Allow"), "GET, HEAD, PATCH");
  auto del = client.del("/api/v1/events");
  expect_problem(del, 405);
  EXPECT_EQ(del.header("Allow"), "GET, HEAD, POST");
}

TEST_F(HttpContract, RequestIdIsEchoedOrGenerated) {
  auto echoed = client.get("/healthz", {{"X-Request-Id", "trace-abc-123"}});
  EXPECT_EQ(echoed.header("X-Request-Id"), "trace-abc-123");
  auto generated = client.get("/healthz");
  EXPECT_GE(generated.header("X-Request-Id").size(), 16u);
  auto other = client.get("/healthz");
  EXPECT_NE(other.header("X-Request-Id"), generated.header("X-Request-Id"));
  // Something unsafe to log is replaced, not echoed.
  auto unsafe = client.get("/healthz", {{"X-Request-Id", "a b\"c"}});
  EXPECT_NE(unsafe.header("X-Request-Id"), "a b\"c");
  EXPECT_EQ(client.get("/api/v1/nothing", {{"X-Request-Id", "on-404"}}).header("X-Request-Id"), "on-404");
}

TEST_F(HttpContract, LogsCarryRoutesNotTokensOrAddresses) {
  auto created = client.post(registrations, {{"email", "log.check@example.org"}, {"name", "Log Check"}, {"consent", true}});
  ASSERT_EQ(created.status, 201);
  const std::string token = created.json()["manage_token"];
  client.get("/api/v1/registrations/" + token);
  // The access log line is written after the response, so give it a moment to land.
  std::string log;
  for (int i = 0; i < 100 && log.find("/api/v1/registrations/{token}") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    log = service->server().log();
  }
  EXPECT_EQ(log.find(token), std::string::npos);
  EXPECT_EQ(log.find("log.check@example.org"), std::string::npos);
  EXPECT_NE(log.find("/api/v1/registrations/{token}"), std::string::npos);
}

TEST_F(HttpContract, SigtermFinishesAndExitsZero) {
  ServerProcess own(service->env());
  EXPECT_EQ(Client(own.port()).get("/healthz").status, 200);
  EXPECT_EQ(own.stop(SIGTERM), 0) << own.log();
}

}  // namespace
}  // namespace convene::testing
