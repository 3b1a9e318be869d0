#include <httplib.h>

#include "app/calendars.hpp"
#include "app/events.hpp"
#include "http/request.hpp"
#include "http/server.hpp"

namespace convene::http {

void add_event_routes(Router& router, app::Context& context) {
  router.add({"GET", "/api/v1/events", false,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams&) {
                allow_any_origin(response);
                send_result(response, app::list_events(context, {query_param(request, "cursor"), query_param(request, "limit"),
                                                                 query_param(request, "tz")}));
              }});

  router.add({"POST", "/api/v1/events", true,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams&) {
                auto body = json_body(request);
                if (!body) return send_problem(response, body.error());
                send_result(response, app::create_event(context, header(request, "Authorization"), *body));
              }});

  router.add({"GET", "/api/v1/events/{slug}", false,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                allow_any_origin(response);
                send_result(response, app::read_event(context, params.at("slug"), query_param(request, "tz"),
                                                      header(request, "Authorization")));
              }});

  router.add({"GET", "/api/v1/events/{slug}/calendar.ics", false,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                allow_any_origin(response);
                send_calendar(response,
                              app::public_calendar_document(context, params.at("slug"), header(request, "If-None-Match")));
              }});

  router.add({"PATCH", "/api/v1/events/{slug}", true,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                auto body = json_body(request);
                if (!body) return send_problem(response, body.error());
                send_result(response,
                            app::change_event(context, header(request, "Authorization"), params.at("slug"), *body));
              }});

  router.add({"POST", "/api/v1/events/{slug}/sessions", true,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                auto body = json_body(request);
                if (!body) return send_problem(response, body.error());
                send_result(response,
                            app::add_session(context, header(request, "Authorization"), params.at("slug"), *body));
              }});

  router.add({"PATCH", "/api/v1/events/{slug}/sessions/{id}", true,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                auto body = json_body(request);
                if (!body) return send_problem(response, body.error());
                send_result(response, app::change_session(context, header(request, "Authorization"),
                                                          params.at("slug"), params.at("id"), *body));
              }});

  router.add({"DELETE", "/api/v1/events/{slug}/sessions/{id}", false,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                send_result(response, app::cancel_session(context, header(request, "Authorization"),
                                                          params.at("slug"), params.at("id")));
              }});
}

}  // namespace convene::http
