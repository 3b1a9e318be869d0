#include <httplib.h>

#include "app/calendars.hpp"
#include "app/registrations.hpp"
#include "http/request.hpp"
#include "http/server.hpp"

namespace convene::http {

void add_registration_routes(Router& router, app::Context& context) {
  router.add({"POST", "/api/v1/events/{slug}/registrations", true,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                auto body = json_body(request);
                if (!body) return send_problem(response, body.error());
                const app::RegistrationRequestContext input{params.at("slug"), *body, request.body,
                                                           header(request, "Idempotency-Key")};
                send_result(response, app::register_attendee(context, input));
              }});

  router.add({"GET", "/api/v1/registrations/{token}", false,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                send_result(response, app::read_registration(context, params.at("token"), query_param(request, "tz")));
              }});

  router.add({"PATCH", "/api/v1/registrations/{token}", true,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                auto body = json_body(request);
                if (!body) return send_problem(response, body.error());
                send_result(response, app::change_registration(context, params.at("token"), *body));
              }});

  router.add({"GET", "/api/v1/registrations/{token}/invite.ics", false,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                send_calendar(response, app::registrant_invite_document(context, params.at("token"),
                                                                        header(request, "If-None-Match")));
              }});

  router.add({"DELETE", "/api/v1/registrations/{token}", false,
              [&context](const httplib::Request&, httplib::Response& response, const PathParams& params) {
                send_result(response, app::cancel_registration(context, params.at("token")));
              }});
}

}  // namespace convene::http
