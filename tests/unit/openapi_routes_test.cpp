// The OpenAPI document and the router agree: every route the server answers is documented, and
// every documented operation is a route (tests/integration/openapi_test.cpp calls each of them).
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "app/context.hpp"
#include "convene/embedded.hpp"
#include "convene/version.hpp"
#include "http/server.hpp"
#include "store/store.hpp"

namespace convene {
namespace {

std::set<std::pair<std::string, std::string>> documented_operations() {
  std::set<std::pair<std::string, std::string>> operations;
  for (const auto& file : embedded_api()) {
    if (file.path != "openapi.json") continue;
    const auto document = nlohmann::json::parse(file.text);
    for (const auto& [path, item] : document["paths"].items()) {
      for (const auto& [method, operation] : item.items()) {
        if (method == "parameters") continue;
        std::string upper = method;
        for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        operations.insert({upper, path});
      }
    }
  }
  return operations;
}

TEST(OpenApi, EveryRouteIsDocumentedAndEveryDocumentedOperationIsARoute) {
  // Building the route tables needs a context, not a database: the store connects lazily.
  app::Config config;
  store::Store store(store::PoolOptions{"postgresql:///unused", 1});
  app::Context context{store, config, app::system_now, CursorCodec(""), app::TokenMinter("")};
  http::Router router;
  http::RequestMetrics metrics;
  http::add_ops_routes(router, context, metrics);
  http::add_time_routes(router, context);
  http::add_event_routes(router, context);
  http::add_registration_routes(router, context);
  http::add_organiser_routes(router, context);
  http::add_page_routes(router, context);
  http::add_console_routes(router, context);
  std::set<std::pair<std::string, std::string>> routes;
  for (const auto& route : router.routes()) routes.insert({route.method, route.pattern});

  const auto documented = documented_operations();
  ASSERT_FALSE(documented.empty()) << "no OpenAPI document built in";
  for (const auto& route : routes) EXPECT_TRUE(documented.contains(route)) << route.first << " " << route.second << " is not documented";
  for (const auto& operation : documented)
    EXPECT_TRUE(routes.contains(operation)) << operation.first << " " << operation.second << " is documented but not served";
}

// The version the document gives is the binary's (cmake/version.cmake).
TEST(OpenApi, DocumentsThisVersion) {
  for (const auto& file : embedded_api()) {
    if (file.path == "openapi.json") {
      EXPECT_EQ(nlohmann::json::parse(file.text)["info"]["version"], kVersion);
    }
  }
}

}  // namespace
}  // namespace convene
