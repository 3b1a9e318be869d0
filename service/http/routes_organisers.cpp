#include <httplib.h>

#include "app/roster.hpp"
#include "http/request.hpp"
#include "http/server.hpp"

namespace convene::http {

void add_organiser_routes(Router& router, app::Context& context) {
  router.add({"GET", "/api/v1/events/{slug}/registrations", false,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                send_result(response, app::roster(context, header(request, "Authorization"), params.at("slug"),
                                                  {query_param(request, "status"), query_param(request, "q"),
                                                   query_param(request, "country"), query_param(request, "limit"),
                                                   query_param(request, "cursor")}));
              }});

  // Streamed in pages: 100,000 registrants leave the server's memory as flat as ten.
  router.add({"GET", "/api/v1/events/{slug}/registrations.csv", false,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                auto exported = app::csv_export(context, header(request, "Authorization"), params.at("slug"));
                if (!exported) return send_problem(response, exported.error());
                response.set_header("Content-Disposition", "attachment; filename=\"" + exported->filename() + "\"");
                response.set_header("Cache-Control", "no-store");
                auto state = std::make_shared<app::CsvExport>(*std::move(exported));
                response.set_chunked_content_provider(
                    "text/csv; charset=utf-8; header=present", [state](std::size_t, httplib::DataSink& sink) {
                      auto chunk = state->next();
                      if (!chunk) {
                        sink.done();
                        return true;
                      }
                      return chunk->empty() || sink.write(chunk->data(), chunk->size());
                    });
              }});

  router.add({"PATCH", "/api/v1/events/{slug}/registrations/{id}", true,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                auto body = json_body(request);
                if (!body) return send_problem(response, body.error());
                send_result(response, app::moderate(context, header(request, "Authorization"), params.at("slug"),
                                                    params.at("id"), *body));
              }});

  router.add({"POST", "/api/v1/events/{slug}/registrations/{id}/erase", false,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                send_result(response, app::erase_by_organiser(context, header(request, "Authorization"),
                                                              params.at("slug"), params.at("id")));
              }});

  router.add({"GET", "/api/v1/events/{slug}/stats", false,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                send_result(response, app::event_statistics(context, header(request, "Authorization"), params.at("slug")));
              }});

  router.add({"GET", "/api/v1/events/{slug}/deliveries", false,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                send_result(response, app::deliveries(context, header(request, "Authorization"), params.at("slug"),
                                                      {query_param(request, "status"), query_param(request, "kind"),
                                                       query_param(request, "limit"), query_param(request, "cursor")}));
              }});

  router.add({"GET", "/api/v1/events/{slug}/audit", false,
              [&context](const httplib::Request& request, httplib::Response& response, const PathParams& params) {
                send_result(response, app::audit_log(context, header(request, "Authorization"), params.at("slug"),
                                                     {query_param(request, "limit"), query_param(request, "cursor")}));
              }});

  router.add({"POST", "/api/v1/registrations/{token}/erase", false,
              [&context](const httplib::Request&, httplib::Response& response, const PathParams& params) {
                send_result(response, app::erase_by_registrant(context, params.at("token")));
              }});
}

}  // namespace convene::http
