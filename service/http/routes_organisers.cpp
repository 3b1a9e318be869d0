#include <httplib.h>

#include "app/invitations.hpp"
#include "app/roster.hpp"
#include "app/time_fit.hpp"
#include "http/request.hpp"
#include "http/server.hpp"

namespace convene::http {
namespace {

// The roster's ?answers.<key>=<value> filters, in the order given.
std::vector<std::pair<std::string, std::string>> answer_params(const httplib::Request& request) {
  constexpr std::string_view kPrefix = "answers.";
  std::vector<std::pair<std::string, std::string>> found;
  for (const auto& [name, value] : request.params)
    if (name.starts_with(kPrefix)) found.emplace_back(name.substr(kPrefix.size()), value);
  return found;
}

}  // namespace

void add_organiser_routes(Router& router, app::Context& context) {
  router.add({"GET", "/api/v1/events/{slug}/registrations", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::roster(context, organiser_credentials(r.raw), r.param("slug"),
                                                  {query_param(r.raw, "status"), query_param(r.raw, "q"),
                                                   query_param(r.raw, "country"), query_param(r.raw, "limit"),
                                                   query_param(r.raw, "cursor"), query_param(r.raw, "attendance"),
                                                   answer_params(r.raw)}));
              }});

  // Streamed in pages: 100,000 registrants leave the server's memory as flat as ten.
  router.add({"GET", "/api/v1/events/{slug}/registrations.csv", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                auto exported =
                    app::csv_export(context, organiser_credentials(r.raw), r.param("slug"), query_param(r.raw, "lang"));
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

  router.add({"PATCH", "/api/v1/events/{slug}/registrations/{id}", Body::json,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::moderate(context, organiser_credentials(r.raw), r.param("slug"),
                                                    r.param("id"), *r.body));
              }});

  router.add({"POST", "/api/v1/events/{slug}/registrations/{id}/erase", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::erase_by_organiser(context, organiser_credentials(r.raw), r.param("slug"),
                                                              r.param("id")));
              }});

  router.add({"GET", "/api/v1/events/{slug}/stats", Body::none, [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::event_statistics(context, organiser_credentials(r.raw), r.param("slug")));
              }});

  router.add({"GET", "/api/v1/events/{slug}/time-fit", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::time_fit(context, organiser_credentials(r.raw), r.param("slug"),
                                                    {query_param(r.raw, "date"), query_param(r.raw, "duration_minutes"),
                                                     query_param(r.raw, "awake_from"), query_param(r.raw, "awake_to"),
                                                     query_param(r.raw, "zones"), query_param(r.raw, "countries")}));
              }});

  router.add({"GET", "/api/v1/events/{slug}/deliveries", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::deliveries(context, organiser_credentials(r.raw), r.param("slug"),
                                                      {query_param(r.raw, "status"), query_param(r.raw, "kind"),
                                                       query_param(r.raw, "limit"), query_param(r.raw, "cursor")}));
              }});

  router.add({"POST", "/api/v1/events/{slug}/invitations", Body::json,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::invite(context, organiser_credentials(r.raw), r.param("slug"), *r.body));
              }});

  router.add({"GET", "/api/v1/events/{slug}/invitations", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::list_invitations(context, organiser_credentials(r.raw), r.param("slug"),
                                                            {query_param(r.raw, "status"), query_param(r.raw, "limit"),
                                                             query_param(r.raw, "cursor")}));
              }});

  router.add({"DELETE", "/api/v1/events/{slug}/invitations/{id}", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::withdraw_invitation(context, organiser_credentials(r.raw), r.param("slug"),
                                                               r.param("id")));
              }});

  router.add({"POST", "/api/v1/events/{slug}/invitations/remind", Body::none,
              [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::remind_invitees(context, organiser_credentials(r.raw), r.param("slug")));
              }});

  router.add({"GET", "/api/v1/events/{slug}/audit", Body::none, [&context](const Request& r, httplib::Response& response) {
                send_result(response, app::audit_log(context, organiser_credentials(r.raw), r.param("slug"),
                                                     {query_param(r.raw, "limit"), query_param(r.raw, "cursor")}));
              }});
}

}  // namespace convene::http
