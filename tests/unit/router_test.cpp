// Method + path routing: parameters, literal precedence, 404 versus 405 (with Allow), HEAD.
//
// Sources: docs/api.md "Conventions" (paths; an unknown path is 404, a known path with another
// method 405 with Allow) and RFC 9110: section 15.5.6 (405 lists the allowed methods in Allow),
// section 9.3.2 (a server that answers GET answers HEAD the same way, without the body).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/router.hpp"

namespace convene::http {
namespace {

using Methods = std::vector<std::string>;

Router api_router() {
  Router router;
  for (const auto& [method, pattern] : std::initializer_list<std::pair<const char*, const char*>>{
           {"GET", "/api/v1/events"},
           {"POST", "/api/v1/events"},
           {"GET", "/api/v1/events/{slug}"},
           {"PATCH", "/api/v1/events/{slug}"},
           {"POST", "/api/v1/events/{slug}/sessions"},
           {"PATCH", "/api/v1/events/{slug}/sessions/{id}"},
           {"DELETE", "/api/v1/events/{slug}/sessions/{id}"},
           {"GET", "/api/v1/events/{slug}/registrations.csv"},
           {"GET", "/api/v1/events/{slug}/{x}"},
           {"GET", "/api/v1/registrations/{token}"},
           {"PATCH", "/api/v1/registrations/{token}"},
           {"DELETE", "/api/v1/registrations/{token}"},
           {"POST", "/api/v1/events/{slug}/registrations"},
           {"GET", "/healthz"},
       }) {
    router.add(Route{method, pattern, Body::none, {}});
  }
  return router;
}

TEST(Router, ExtractsNamedParameters) {
  const Router router = api_router();
  const auto match = router.match("PATCH", "/api/v1/events/south-south-2021/sessions/17");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/api/v1/events/{slug}/sessions/{id}");
  EXPECT_EQ(match.route->method, "PATCH");
  EXPECT_EQ(match.params, (PathParams{{"slug", "south-south-2021"}, {"id", "17"}}));
}

TEST(Router, ParameterValuesAreTakenAsTheyAre) {
  const Router router = api_router();
  const auto match = router.match("GET", "/api/v1/registrations/AbC-_123%20x");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.params.at("token"), "AbC-_123%20x");
}

TEST(Router, LiteralSegmentBeatsParameter) {
  const Router router = api_router();
  const auto csv = router.match("GET", "/api/v1/events/south-south-2021/registrations.csv");
  ASSERT_NE(csv.route, nullptr);
  EXPECT_EQ(csv.route->pattern, "/api/v1/events/{slug}/registrations.csv");
  EXPECT_EQ(csv.params, (PathParams{{"slug", "south-south-2021"}}));

  const auto other = router.match("GET", "/api/v1/events/south-south-2021/calendar.ics");
  ASSERT_NE(other.route, nullptr);
  EXPECT_EQ(other.route->pattern, "/api/v1/events/{slug}/{x}");
  EXPECT_EQ(other.params, (PathParams{{"slug", "south-south-2021"}, {"x", "calendar.ics"}}));
}

TEST(Router, LiteralPrecedenceDoesNotDependOnRegistrationOrder) {
  Router router;
  router.add(Route{"GET", "/api/v1/events/{slug}/{x}", Body::none, {}});
  router.add(Route{"GET", "/api/v1/events/{slug}/registrations.csv", Body::none, {}});
  const auto match = router.match("GET", "/api/v1/events/a/registrations.csv");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/api/v1/events/{slug}/registrations.csv");
}

TEST(Router, UnknownPathHasNoRouteAndNoAllowedMethods) {
  const Router router = api_router();
  for (const char* path : {"/", "/api", "/api/v2/events", "/api/v1/event", "/api/v1/events/a/sessions/1/x",
                           "/nothing/here", "", "api/v1/events"}) {
    const auto match = router.match("GET", path);
    EXPECT_EQ(match.route, nullptr) << path;
    EXPECT_TRUE(match.allowed.empty()) << path;
    EXPECT_TRUE(match.params.empty()) << path;
  }
}

TEST(Router, KnownPathWithWrongMethodListsAllowedMethods) {
  const Router router = api_router();
  const auto collection = router.match("DELETE", "/api/v1/events");
  EXPECT_EQ(collection.route, nullptr);
  EXPECT_EQ(collection.allowed, (Methods{"GET", "HEAD", "POST"}));

  const auto event = router.match("PUT", "/api/v1/events/south-south-2021");
  EXPECT_EQ(event.route, nullptr);
  EXPECT_EQ(event.allowed, (Methods{"GET", "HEAD", "PATCH"}));

  const auto session = router.match("GET", "/api/v1/events/a/sessions/1");
  EXPECT_EQ(session.route, nullptr);
  EXPECT_EQ(session.allowed, (Methods{"DELETE", "PATCH"})) << "no GET route, so no HEAD either";
}

TEST(Router, MethodsAreCaseSensitive) {
  // RFC 9110 section 9.1: "The method token is case-sensitive".
  const Router router = api_router();
  const auto match = router.match("get", "/healthz");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.allowed, (Methods{"GET", "HEAD"}));
}

TEST(Router, HeadIsAnsweredByTheGetRoute) {
  const Router router = api_router();
  const auto match = router.match("HEAD", "/api/v1/events/south-south-2021");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->method, "GET");
  EXPECT_EQ(match.route->pattern, "/api/v1/events/{slug}");
  EXPECT_EQ(match.params, (PathParams{{"slug", "south-south-2021"}}));
}

TEST(Router, HeadWithoutGetRouteIs405) {
  const Router router = api_router();
  const auto match = router.match("HEAD", "/api/v1/events/a/sessions");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.allowed, (Methods{"POST"}));
}

TEST(Router, EmptySegmentDoesNotMatchAParameter) {
  const Router router = api_router();
  for (const char* path : {"/api/v1/events//sessions", "/api/v1/registrations/", "/api/v1/events//registrations.csv"}) {
    const auto match = router.match("GET", path);
    EXPECT_EQ(match.route, nullptr) << path;
    EXPECT_TRUE(match.allowed.empty()) << path;
  }
}

TEST(Router, TrailingSlashDoesNotMatch) {
  const Router router = api_router();
  for (const char* path : {"/api/v1/events/", "/healthz/", "/api/v1/events/a/sessions/", "/api/v1/events/a/sessions/1/"}) {
    const auto match = router.match("GET", path);
    EXPECT_EQ(match.route, nullptr) << path;
    EXPECT_TRUE(match.allowed.empty()) << path;
  }
}

TEST(Router, DoubledSlashDoesNotMatch) {
  const Router router = api_router();
  const auto match = router.match("GET", "/api//v1/events");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_TRUE(match.allowed.empty());
}

}  // namespace
}  // namespace convene::http
