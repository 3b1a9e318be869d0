#include <httplib.h>

#include "app/calendars.hpp"
#include "app/join.hpp"
#include "app/registrations.hpp"
#include "http/request.hpp"
#include "http/server.hpp"
#include "convene/text.hpp"

namespace convene::http {
namespace {

// The limits on sign-ups: per client address (generous: a NAT may hide a whole ministry), per
// e-mail address, and per e-mail domain (off unless configured). Attempts count, whatever the outcome.
std::optional<std::pair<RateDecision, std::string>> refuse_registration(app::RateLimiters& limits,
                                                                        const httplib::Request& request,
                                                                        const nlohmann::json& body) {
  const auto now = std::chrono::steady_clock::now();
  if (auto d = limits.registrations_per_address.admit(client_key(request, limits), now); !d.allowed)
    return std::pair{d, std::string("Too many registrations from your network.")};
  const auto email = body.is_object() && body.contains("email") && body["email"].is_string()
                         ? ascii_lower(trim(body["email"].get_ref<const std::string&>()))
                         : std::string();
  if (email.empty()) return std::nullopt;
  if (auto d = limits.registrations_per_email.admit(email, now); !d.allowed)
    return std::pair{d, std::string("Too many registration attempts with this e-mail address.")};
  const std::size_t at = email.rfind('@');
  if (at != std::string::npos) {
    if (auto d = limits.registrations_per_domain.admit(email.substr(at + 1), now); !d.allowed)
      return std::pair{d, std::string("Too many registrations with addresses of this e-mail domain right now.")};
  }
  return std::nullopt;
}

}  // namespace

void add_registration_routes(Router& router, app::Context& context) {
  router.add({"POST", "/api/v1/events/{slug}/registrations", true,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                auto body = json_body(request);
                if (!body) return send_problem(response, body.error());
                if (auto refused = refuse_registration(context.limits, request, *body))
                  return send_rate_limited(response, refused->first, refused->second);
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
