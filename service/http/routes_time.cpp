#include <httplib.h>

#include "convene/time_conversion.hpp"
#include "http/request.hpp"
#include "http/server.hpp"

namespace convene::http {

void add_time_routes(Router& router, app::Context& context) {
  router.add({"GET", "/api/v1/time/convert", Body::none, [](const Request& r, httplib::Response& response) {
                allow_any_origin(response);
                ConversionQuery query{query_param(r.raw, "at"), query_param(r.raw, "from"), query_params(r.raw, "to"),
                                      query_param(r.raw, "disambiguation")};
                auto converted = convert(query);
                if (!converted) return send_problem(response, converted.error());
                send_json(response, 200, *std::move(converted));
              }});

  router.add({"GET", "/api/v1/timezones", Body::none, [&context](const Request&, httplib::Response& response) {
                // Offsets change only at transitions; five minutes of caching is harmless.
                response.set_header("Cache-Control", "public, max-age=300");
                allow_any_origin(response);
                send_json(response, 200, time_zones_json(context.clock()).dump());
              }});
}

}  // namespace convene::http
