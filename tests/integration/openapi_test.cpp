// Every operation the OpenAPI document lists answers: the router knows it (no "No resource at"
// 404, no 405), whatever the handler then says about the particular values we send.
#include <gtest/gtest.h>

#include <regex>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

using OpenApi = ServiceSuite<"convene_it_openapi">;

TEST_F(OpenApi, EveryDocumentedOperationAnswers) {
  auto document = client.get("/api/openapi.json");
  ASSERT_EQ(document.status, 200);
  EXPECT_EQ(document.json()["openapi"], "3.1.0");
  auto registered = client.post("/api/v1/events/south-south-2021/registrations",
                                {{"email", "openapi@example.org"}, {"name", "Open API"}, {"consent", true}});
  ASSERT_EQ(registered.status, 201);
  const std::map<std::string, std::string> values = {
      {"slug", "south-south-2021"},
      {"token", registered.json()["manage_token"]},
      {"id", std::to_string(registered.json()["id"].get<int>())},
      {"file", "en.json"}};
  int called = 0;
  for (const auto& [path, item] : document.json()["paths"].items()) {
    std::string concrete = path;
    for (const auto& [name, value] : values) concrete = std::regex_replace(concrete, std::regex("\\{" + name + "\\}"), value);
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters") continue;
      std::string verb = method;
      for (auto& ch : verb) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (verb == "POST" && path.ends_with("/erase")) continue;  // would erase what the next calls use
      const bool body = verb == "POST" || verb == "PATCH";
      auto reply = client.send(verb, concrete, body ? "{}" : "", body ? "application/json" : "",
                               admin());
      EXPECT_NE(reply.status, 405) << verb << " " << concrete;
      const bool unknown_route = reply.status == 404 && reply.body.find("No resource at") != std::string::npos;
      EXPECT_FALSE(unknown_route) << verb << " " << concrete;
      ++called;
    }
  }
  EXPECT_GE(called, 30);
}

}  // namespace
}  // namespace convene::testing
