#include <httplib.h>

#include "app/calendars.hpp"
#include "app/join.hpp"
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

  // The personal join link that only e-mails carry.
  router.add({"GET", "/j/{token}", false,
              [&context](const httplib::Request&, httplib::Response& response, const PathParams& params) {
                const app::JoinAnswer answer = app::follow_join_link(context, params.at("token"));
                response.status = answer.status;
                response.set_header("Cache-Control", "no-store");
                response.set_header("Referrer-Policy", "no-referrer");  // the token must not leak onwards
                if (answer.location) response.set_header("Location", *answer.location);
                else response.set_content(answer.html, "text/html; charset=utf-8");
              }});

  router.add({"DELETE", "/api/v1/registrations/{token}", false,
              [&context](const httplib::Request&, httplib::Response& response, const PathParams& params) {
                send_result(response, app::cancel_registration(context, params.at("token")));
              }});
}

}  // namespace convene::http
