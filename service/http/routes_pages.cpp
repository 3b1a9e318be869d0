// The web pages. Each is a template from web/templates filled on the server with what a slow link
// should show before any script arrives (the event, its times in the event's zone), in the visitor's
// language; the scripts in web/static then show times in the visitor's own zone and drive the forms
// through the JSON API.
#include <httplib.h>

#include "app/events.hpp"
#include "app/registrations.hpp"
#include "convene/json_views.hpp"
#include "convene/mail.hpp"
#include "convene/messages.hpp"
#include "convene/pages.hpp"
#include "http/pages.hpp"
#include "http/request.hpp"
#include "http/server.hpp"

namespace convene::http {
namespace {

// How many events the home page lists.
constexpr int kEventsOnTheHomePage = 100;

// The sessions in the event's zone, for the first paint; the script adds the visitor's zone.
std::string sessions_html(const Event& event, const Catalogue& words) {
  std::string out;
  for (const auto& session : event.sessions) {
    const ZonedTime start = to_zoned(session.starts_at, event.zone);
    const ZonedTime end = to_zoned(session.ends_at(), event.zone);
    out += "<li class=\"session\" data-session=\"" + std::to_string(session.id) + "\"" +
           (session.status == SessionStatus::cancelled ? " data-cancelled" : "") + "><h3>" +
           mail::html_escape(session.title) + "</h3><p class=\"event-time\"><time datetime=\"" +
           format_instant(session.starts_at) + "\">" + mail::html_escape(words.date_time(start.local)) +
           "</time> \u2013 <time datetime=\"" + format_instant(session.ends_at()) + "\">" +
           format_wall_time(end.local).substr(11, 5) +
           // <bdi>: the zone and offset stay one left-to-right unit inside Arabic text.
           "</time> <bdi>(" + mail::html_escape(std::string(event.zone.name())) + ", UTC" + format_offset(start.offset) +
           ")</bdi></p><p class=\"viewer-time\" hidden></p></li>\n";
  }
  return out;
}

// The words of a page's texts that the questions' fields use.
FormWords form_words(const std::map<std::string, std::string>& page_values) {
  const auto word = [&](const char* key) {
    const auto found = page_values.find(key);
    return found == page_values.end() ? std::string() : found->second;
  };
  return {word("page.required"), word("page.form.yes"), word("page.form.no"), word("page.form.country_none")};
}

// The status and catalogue keys of the page a join link shows instead of the meeting.
struct JoinPage {
  int status;
  const char* title_key;
  const char* body_key;
};
JoinPage join_page(app::JoinRefusal refusal) {
  switch (refusal) {
    case app::JoinRefusal::unknown_link: return {404, "join.unknown.title", "join.unknown.body"};
    case app::JoinRefusal::event_cancelled: return {410, "join.event_cancelled.title", "join.event_cancelled.body"};
    case app::JoinRefusal::registration_ended: return {410, "join.ended.title", "join.ended.body"};
    case app::JoinRefusal::not_confirmed: return {403, "join.not_confirmed.title", "join.not_confirmed.body"};
    case app::JoinRefusal::not_yet_published: return {200, "join.not_yet.title", "join.not_yet.body"};
  }
  return {404, "join.unknown.title", "join.unknown.body"};
}

}  // namespace

void send_join(httplib::Response& response, const app::JoinOutcome& outcome, std::optional<std::string_view> lang) {
  response.set_header("Cache-Control", "no-store");
  response.set_header("Referrer-Policy", "no-referrer");  // the token must not leak onwards
  if (outcome.meeting_url) {
    response.status = 302;
    response.set_header("Location", *outcome.meeting_url);
    return;
  }
  const JoinPage page = join_page(outcome.refusal);
  const Language language = (lang ? parse_language(*lang) : std::nullopt).value_or(outcome.language);
  const Catalogue& words = Catalogue::of(language);
  const std::map<std::string, std::string> facts{{"event", outcome.event_title}};
  auto values = common_values(language, "page.site_name", PageAudience::everyone);
  values["page_title"] = values["join_title"] = words.text(page.title_key, facts);
  values["join_body"] = words.text(page.body_key, facts);
  send_page(response, page.status, "templates/join.html", values);
  response.set_header("Cache-Control", "no-store");
}

void add_page_routes(Router& router, app::Context& context) {
  router.add({"GET", "/", Body::none, [&context](const Request& r, httplib::Response& response) {
                const Language language = page_language(r.raw);
                auto values = common_values(language, "page.index.title", PageAudience::everyone);
                std::string list;
                for (const auto& event : app::listed_events(context, kEventsOnTheHomePage)) {
                  list += "<li><a href=\"/events/" + event.slug + "?lang=" + std::string(to_string(language)) + "\">" +
                          mail::html_escape(event.title) + "</a></li>\n";
                }
                values["events_html"] = list;
                send_page(response, 200, "templates/index.html", values);
              }});

  router.add({"GET", "/events/{slug}", Body::none, [&context](const Request& r, httplib::Response& response) {
                const Language language = page_language(r.raw);
                auto event = app::public_event(context, r.param("slug"));
                if (!event) return send_page(response, 404, "templates/not_found.html",
                                             common_values(language, "page.not_found.title", PageAudience::everyone));
                auto values = common_values(language, "page.site_name", PageAudience::everyone);
                values["page_title"] = event->title;
                values["event_title"] = event->title;
                values["slug"] = event->slug;
                values["organiser_name"] = event->organiser_name.value_or("");
                values["description_html"] = paragraphs_html(event->description);
                values["sessions_html"] = sessions_html(*event, Catalogue::of(language));
                values["questions_html"] = questions_html(event->questions.asked, language, form_words(values));
                values["event_json"] = json_for_html(event_json(*event, event->zone, context.clock()).dump());
                send_page(response, 200, "templates/event.html", values);
              }});

  router.add({"GET", "/r/{token}", Body::none, [&context](const Request& r, httplib::Response& response) {
                // The token stays in the address bar and out of any referrer sent onwards.
                response.set_header("Referrer-Policy", "no-referrer");
                const Language language = page_language(r.raw);
                auto values = common_values(language, "page.manage.title", PageAudience::everyone);
                // The registrant's answers, filled in on the first paint; the rest comes from the API.
                values["answers_hidden"] = "hidden";
                if (auto own = app::own_registration(context, r.param("token")); own && !own->event->questions.asked.empty()) {
                  values["answers_hidden"] = "";
                  // Once registration is no longer open the answers are shown as they stand, not offered for change.
                  values["answers_disabled"] = own->answers_may_change ? "" : "disabled";
                  values["answers_closed_hidden"] = own->answers_may_change ? "hidden" : "";
                  values["questions_html"] = questions_html(own->event->questions.asked, language, form_words(values),
                                                            own->registration.answers);
                }
                send_page(response, 200, "templates/manage.html", values);
                response.set_header("Cache-Control", "no-store");
              }});

  router.add({"GET", "/organise/{slug}", Body::none, [](const Request& r, httplib::Response& response) {
                auto values = common_values(page_language(r.raw), "page.organise.title", PageAudience::everyone);
                values["slug"] = r.param("slug");
                send_page(response, 200, "templates/organise.html", values);
              }});

  router.add({"GET", "/static/{file}", Body::none, [](const Request& r, httplib::Response& response) {
                const std::string& name = r.param("file");
                const auto text = web_file("static/" + name);
                if (!text) return send_problem(response, not_found("No file " + name + "."));
                const std::string etag = "\"" + to_hex(sha256(*text)).substr(0, 24) + "\"";
                response.set_header("ETag", etag);
                response.set_header("Cache-Control", "public, max-age=3600");
                if (auto given = header(r.raw, "If-None-Match"); given && *given == etag) {
                  response.status = 304;
                  return;
                }
                const char* type = name.ends_with(".css")    ? "text/css; charset=utf-8"
                                   : name.ends_with(".js")   ? "text/javascript; charset=utf-8"
                                   : name.ends_with(".svg")  ? "image/svg+xml"
                                   : name.ends_with(".json") ? "application/json"
                                                             : "text/plain; charset=utf-8";
                response.set_content(std::string(*text), type);
              }});

  router.add({"GET", "/i18n/{file}", Body::none, [](const Request& r, httplib::Response& response) {
                const std::string& name = r.param("file");
                auto language = name.ends_with(".json") ? parse_language(name.substr(0, name.size() - 5)) : std::nullopt;
                if (!language || name.size() != 7) return send_problem(response, not_found("No catalogue " + name + "."));
                response.set_header("Cache-Control", "public, max-age=3600");
                response.set_content(page_catalogue_json(*language, PageAudience::organisers), "application/json");
              }});
}

}  // namespace convene::http
