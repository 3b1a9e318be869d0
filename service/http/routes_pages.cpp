// The web pages. Each is a template from web/templates filled on the server with what a slow link
// should show before any script arrives (the event, its times in the event's zone), in the visitor's
// language; the scripts in web/static then show times in the visitor's own zone and drive the forms
// through the JSON API.
#include <httplib.h>

#include "convene/json_views.hpp"
#include "convene/mail.hpp"
#include "convene/messages.hpp"
#include "convene/pages.hpp"
#include "http/request.hpp"
#include "http/server.hpp"

namespace convene::http {
namespace {

Language page_language(const httplib::Request& request) {
  return negotiate_language(query_param(request, "lang"), header(request, "Accept-Language"));
}

// The page texts (keys "page.*" of the merged catalogue: web/i18n over i18n/, English filling gaps),
// parsed once. Templates use them by key ({{page.form.name}}), so labels and headings arrive in the
// visitor's language before any script runs; the shared Catalogue reads only i18n/ (the e-mail
// texts), so page titles come from here too.
const std::map<std::string, std::string>& page_texts(Language language) {
  static const auto all = [] {
    std::map<Language, std::map<std::string, std::string>> texts;
    for (Language l : kLanguages) {
      const auto catalogue = nlohmann::json::parse(page_catalogue_json(l));  // outlives items() below
      for (const auto& [key, value] : catalogue.items()) {
        if (key.starts_with("page.") && value.is_string()) texts[l][key] = value.get<std::string>();
      }
    }
    return texts;
  }();
  return all.at(language);
}

std::string page_text(Language language, const std::string& key) {
  const auto& texts = page_texts(language);
  const auto it = texts.find(key);
  return it != texts.end() ? it->second : key;
}

std::map<std::string, std::string> common_values(Language language) {
  auto values = page_texts(language);
  values["lang"] = std::string(to_string(language));
  values["dir"] = is_right_to_left(language) ? "rtl" : "ltr";
  values["catalogue_json"] = json_for_html(page_catalogue_json(language));
  values["site_name"] = page_text(language, "page.site_name");
  return values;
}

void send_page(httplib::Response& response, int status, std::string_view template_path,
               const std::map<std::string, std::string>& values) {
  const auto text = web_file(template_path);
  response.status = status;
  response.set_header("Cache-Control", "no-cache");
  response.set_header("Vary", "Accept-Language");
  const auto partial = [](std::string_view name) { return web_file("templates/partials/" + std::string(name) + ".html"); };
  response.set_content(render_template(text.value_or("<!DOCTYPE html><title>convene</title>"), values, partial),
                       "text/html; charset=utf-8");
}

// Paragraphs of organiser-written text, escaped, as HTML.
std::string paragraphs_html(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find("\n\n", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view paragraph = text.substr(start, end - start);
    if (!paragraph.empty()) {
      std::string escaped = mail::html_escape(paragraph);
      for (std::size_t at = 0; (at = escaped.find('\n', at)) != std::string::npos; at += 4) escaped.replace(at, 1, "<br>");
      out += "<p>" + escaped + "</p>\n";
    }
    start = end + 2;
  }
  return out;
}

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

}  // namespace

void add_page_routes(Router& router, app::Context& context) {
  router.add({"GET", "/", false, [&context](const httplib::Request& request, httplib::Response& response, const PathParams&) {
                const Language language = page_language(request);
                auto values = common_values(language);
                std::string list;
                context.store.autocommit([&](store::Transaction& tx) {
                  for (const auto& event : tx.published_events(0, 100)) {
                    list += "<li><a href=\"/events/" + event.slug + "?lang=" + std::string(to_string(language)) + "\">" +
                            mail::html_escape(event.title) + "</a></li>\n";
                  }
                });
                values["events_html"] = list;
                values["page_title"] = page_text(language, "page.index.title");
                send_page(response, 200, "templates/index.html", values);
              }});

  router.add({"GET", "/events/{slug}", false,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                const Language language = page_language(request);
                const Catalogue& words = Catalogue::of(language);
                auto values = common_values(language);
                auto event = context.store.autocommit(
                    [&](store::Transaction& tx) { return context.events.current(tx, params.at("slug")); });
                if (!event || event->status == EventStatus::draft) {
                  values["page_title"] = page_text(language, "page.not_found.title");
                  return send_page(response, 404, "templates/not_found.html", values);
                }
                values["page_title"] = event->title;
                values["event_title"] = event->title;
                values["slug"] = event->slug;
                values["organiser_name"] = event->organiser_name.value_or("");
                values["description_html"] = paragraphs_html(event->description);
                values["sessions_html"] = sessions_html(*event, words);
                values["event_json"] = json_for_html(event_json(*event, event->zone, context.clock()).dump());
                send_page(response, 200, "templates/event.html", values);
              }});

  router.add({"GET", "/r/{token}", false,
              [](const httplib::Request& request, httplib::Response& response, const PathParams&) {
                const Language language = page_language(request);
                auto values = common_values(language);
                values["page_title"] = page_text(language, "page.manage.title");
                // The token stays in the address bar and out of any referrer sent onwards.
                response.set_header("Referrer-Policy", "no-referrer");
                response.set_header("Cache-Control", "no-store");
                send_page(response, 200, "templates/manage.html", values);
              }});

  router.add({"GET", "/organise/{slug}", false,
              [](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                const Language language = page_language(request);
                auto values = common_values(language);
                values["page_title"] = page_text(language, "page.organise.title");
                values["slug"] = params.at("slug");
                send_page(response, 200, "templates/organise.html", values);
              }});

  router.add({"GET", "/static/{file}", false,
              [](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                const std::string& name = params.at("file");
                const auto text = web_file("static/" + name);
                if (!text) return send_problem(response, not_found("No file " + name + "."));
                const std::string etag = "\"" + to_hex(sha256(*text)).substr(0, 24) + "\"";
                response.set_header("ETag", etag);
                response.set_header("Cache-Control", "public, max-age=3600");
                if (auto given = header(request, "If-None-Match"); given && *given == etag) {
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

  router.add({"GET", "/i18n/{file}", false,
              [](const httplib::Request&, httplib::Response& response, const PathParams& params) {
                const std::string& name = params.at("file");
                auto language = name.ends_with(".json") ? parse_language(name.substr(0, name.size() - 5)) : std::nullopt;
                if (!language || name.size() != 7) return send_problem(response, not_found("No catalogue " + name + "."));
                response.set_header("Cache-Control", "public, max-age=3600");
                response.set_content(page_catalogue_json(*language), "application/json");
              }});
}

}  // namespace convene::http
