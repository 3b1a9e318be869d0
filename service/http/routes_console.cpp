// The organiser console: signing in by e-mail link (no passwords), the browser session it opens,
// and the console's pages, whose scripts drive the organiser API with that session.
#include <httplib.h>

#include "app/announcements.hpp"
#include "app/problems.hpp"
#include "app/sign_in.hpp"
#include "http/pages.hpp"
#include "http/request.hpp"
#include "http/server.hpp"

namespace convene::http {
namespace {

// Pages whose address or state is a secret: nothing kept, nothing sent onwards.
void private_page(httplib::Response& response) {
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("Cache-Control", "no-store");
}

void console_page(httplib::Response& response, const httplib::Request& request, std::string_view template_path,
                  const std::string& title_key, std::map<std::string, std::string> extra = {}) {
  auto values = common_values(page_language(request), title_key, PageAudience::organisers);
  for (auto& [key, value] : extra) values[key] = std::move(value);
  send_page(response, 200, template_path, values);
  private_page(response);
}

}  // namespace

void add_console_routes(Router& router, app::Context& context) {
  router.add({"POST", "/api/v1/organiser/sign-in", Body::json, [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::request_sign_in(context, *r.body, client_key(r.raw, context.limits)));
              }});

  router.add({"GET", "/api/v1/organiser/me", Body::none, [&context](const Request& r, httplib::Response& response) {
                response.set_header("Cache-Control", "no-store");
                send_result(response, app::who_am_i(context, organiser_credentials(r.raw)));
              }});

  router.add({"POST", "/api/v1/organiser/sign-out", Body::none, [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::sign_out(context, organiser_credentials(r.raw)));
                response.set_header("Set-Cookie", expired_session_cookie(context.config.base_url));
              }});

  // A mail scanner that fetches the link sees only this page; the button's POST signs in.
  router.add({"GET", "/organise/sign-in/{token}", Body::none, [](const Request& r, httplib::Response& response) {
                console_page(response, r.raw, "templates/console_sign_in.html", "page.console.sign_in_title",
                             {{"token", r.param("token")}});
              }});

  router.add({"POST", "/organise/sign-in/{token}", Body::none, [&context](const Request& r, httplib::Response& response) {
                const Language language = page_language(r.raw);
                // Only the button on our own page may sign a browser in (a page elsewhere could
                // otherwise sign a visitor into someone else's session).
                auto session = from_own_origin(r.raw, context.config.base_url)
                                   ? app::complete_sign_in(context, r.param("token"))
                                   : std::unexpected(app::problems::cross_site_request());
                if (!session) {
                  auto values = common_values(language, "page.console.sign_in_title", PageAudience::organisers);
                  values["failed"] = "true";
                  values["token"] = r.param("token");
                  send_page(response, status_of(session.error().type), "templates/console_sign_in.html", values);
                  return private_page(response);
                }
                response.status = 303;
                response.set_header("Location", "/organise?lang=" + std::string(to_string(language)));
                response.set_header("Set-Cookie",
                                    session_cookie(session->token, session->lifetime, context.config.base_url));
                private_page(response);
              }});

  router.add({"GET", "/organise", Body::none, [](const Request& r, httplib::Response& response) {
                console_page(response, r.raw, "templates/console.html", "page.console.title");
              }});

  router.add({"GET", "/organise/new", Body::none, [](const Request& r, httplib::Response& response) {
                console_page(response, r.raw, "templates/console_event.html", "page.console.new_event_title",
                             {{"slug", ""}});
              }});

  router.add({"GET", "/organise/events/{slug}", Body::none, [](const Request& r, httplib::Response& response) {
                console_page(response, r.raw, "templates/console_event.html", "page.console.event_title",
                             {{"slug", r.param("slug")}});
              }});

  router.add({"POST", "/api/v1/events/{slug}/announcements", Body::json,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::create_announcement(context, organiser_credentials(r.raw),
                                                               {r.param("slug"), *r.body, r.raw.body,
                                                                header(r.raw, "Idempotency-Key")}));
              }});

  router.add({"GET", "/api/v1/events/{slug}/announcements", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::list_announcements(context, organiser_credentials(r.raw), r.param("slug"),
                                                              query_param(r.raw, "limit"), query_param(r.raw, "cursor")));
              }});

  router.add({"DELETE", "/api/v1/events/{slug}/announcements/{id}", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::withdraw_announcement(context, organiser_credentials(r.raw),
                                                                 r.param("slug"), r.param("id")));
              }});

  router.add({"POST", "/api/v1/events/{slug}/announcements/preview", Body::json,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::preview_announcement(context, organiser_credentials(r.raw),
                                                                r.param("slug"), *r.body));
              }});
}

}  // namespace convene::http
