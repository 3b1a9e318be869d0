#include <httplib.h>

#include "app/calendars.hpp"
#include "app/join.hpp"
#include "app/registrations.hpp"
#include "http/pages.hpp"
#include "http/request.hpp"
#include "http/server.hpp"

namespace convene::http {

void add_registration_routes(Router& router, app::Context& context) {
  router.add({"POST", "/api/v1/events/{slug}/registrations", Body::json,
              [&context](const Request& r, httplib::Response& response) {
                const std::string client = client_key(r.raw, context.limits);
                send_result(response, app::register_attendee(context, {r.param("slug"), *r.body, r.raw.body,
                                                                       header(r.raw, "Idempotency-Key"), client}));
              }});

  router.add({"GET", "/api/v1/registrations/{token}", Body::none, [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::read_registration(context, r.param("token"), query_param(r.raw, "tz")));
              }});

  router.add({"PATCH", "/api/v1/registrations/{token}", Body::json,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::change_registration(context, r.param("token"), *r.body));
              }});

  router.add({"GET", "/api/v1/registrations/{token}/invite.ics", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                send_calendar(response,
                              app::registrant_invite_document(context, r.param("token"), header(r.raw, "If-None-Match")));
              }});

  router.add({"DELETE", "/api/v1/registrations/{token}", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::cancel_registration(context, r.param("token")));
              }});

  router.add({"POST", "/api/v1/registrations/{token}/erase", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::erase_by_registrant(context, r.param("token")));
              }});

  // The personal join link that only e-mails carry.
  router.add({"GET", "/j/{token}", Body::none, [&context](const Request& r, httplib::Response& response) {
                send_join(response, app::follow_join_link(context, r.param("token")), query_param(r.raw, "lang"));
              }});
}

}  // namespace convene::http
