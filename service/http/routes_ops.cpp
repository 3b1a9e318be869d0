#include <httplib.h>

#include "http/request.hpp"
#include "http/server.hpp"
#include "store/migrations.hpp"

namespace convene::http {

void add_ops_routes(Router& router, app::Context& context) {
  router.add({"GET", "/healthz", false, [](const httplib::Request&, httplib::Response& response, const PathParams&) {
                send_json(response, 200, R"({"status":"ok"})");
              }});

  router.add({"GET", "/readyz", false, [&context](const httplib::Request&, httplib::Response& response, const PathParams&) {
                nlohmann::json body{{"ready", false}};
                try {
                  auto lease = context.store.pool().acquire();
                  try {
                    const auto pending = store::pending_migrations(*lease);
                    body["database"] = "reachable";
                    body["pending_migrations"] = pending;
                    body["ready"] = pending.empty();
                  } catch (const std::exception&) {
                    lease.discard();
                    body["database"] = "unreachable";
                  }
                } catch (const store::DatabaseUnavailable&) {
                  body["database"] = "unreachable";
                }
                if (!body["ready"].get<bool>()) response.set_header("Retry-After", "2");
                send_json(response, body["ready"].get<bool>() ? 200 : 503, body.dump());
              }});
}

}  // namespace convene::http
