#include <httplib.h>

#include "app/calendars.hpp"
#include "app/events.hpp"
#include "http/request.hpp"
#include "http/server.hpp"

namespace convene::http {

void add_event_routes(Router& router, app::Context& context) {
  router.add({"GET", "/api/v1/events", Body::none, [&context](const Request& r, httplib::Response& response) {
                allow_any_origin(response);
                send_result(response, app::list_events(context, {query_param(r.raw, "cursor"), query_param(r.raw, "limit"),
                                                                 query_param(r.raw, "tz")}));
              }});

  router.add({"POST", "/api/v1/events", Body::json, [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::create_event(context, organiser_credentials(r.raw), *r.body));
              }});

  router.add({"GET", "/api/v1/events/{slug}", Body::none, [&context](const Request& r, httplib::Response& response) {
                allow_any_origin(response);
                response.set_header("Vary", "Authorization, Cookie");  // organisers see more
                send_result(response, app::read_event(context, r.param("slug"), query_param(r.raw, "tz"),
                                                       organiser_credentials(r.raw)));
              }});

  router.add({"GET", "/api/v1/events/{slug}/calendar.ics", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                allow_any_origin(response);
                send_calendar(response,
                              app::public_calendar_document(context, r.param("slug"), header(r.raw, "If-None-Match")));
              }});

  router.add({"PATCH", "/api/v1/events/{slug}", Body::json, [&context](const Request& r, httplib::Response& response) {
                send_result(response,
                            app::change_event(context, organiser_credentials(r.raw), r.param("slug"), *r.body));
              }});

  router.add({"POST", "/api/v1/events/{slug}/sessions", Body::json,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::add_session(context, organiser_credentials(r.raw), r.param("slug"), *r.body));
              }});

  router.add({"PATCH", "/api/v1/events/{slug}/sessions/{id}", Body::json,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::change_session(context, organiser_credentials(r.raw), r.param("slug"),
                                                          r.param("id"), *r.body));
              }});

  router.add({"DELETE", "/api/v1/events/{slug}/sessions/{id}", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::cancel_session(context, organiser_credentials(r.raw), r.param("slug"),
                                                          r.param("id")));
              }});
}

}  // namespace convene::http
