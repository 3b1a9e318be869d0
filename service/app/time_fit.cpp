#include "app/time_fit.hpp"

#include "app/access.hpp"
#include "app/problems.hpp"
#include "store/organiser_views.hpp"

namespace convene::app {

Result<> time_fit(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                  const TimeFitQuery& query) {
  return context.store.autocommit([&](store::Tx& tx) -> Result<> {
    auto found = organiser_event(tx, context, credentials, slug);
    if (!found) return std::unexpected(found.error());
    // Parsed after the rights check, so that a stranger learns nothing from the 422s.
    auto request = parse_time_fit_query(query);
    if (!request) return std::unexpected(request.error());
    const Event& event = found->event;

    Audience audience = std::move(request->listed);
    int unplaced = 0;
    if (request->source == AudienceSource::registrants) {
      for (const auto& [name, people] : store::organiser_views::audience_by_zone(tx, event.id)) {
        if (auto zone = TimeZone::find(name)) audience.add(*zone, people);
        else unplaced += people;
      }
    }
    if (audience.people() == 0) return std::unexpected(problems::no_audience());

    const TimeFitQuestion& question = request->question;
    nlohmann::json reply = time_fit_json(question, convene::time_fit(question, audience));
    reply["audience"] = {{"source", kAudienceSourceNames.name(request->source)},
                         {"people", audience.people()},
                         {"unplaced", unplaced}};
    // The event's scheduled sessions starting that UTC day, for a UI to mark among the candidates.
    const Instant day_starts{question.day}, day_ends{question.day + date::days{1}};
    nlohmann::json sessions = nlohmann::json::array();
    for (const auto& session : event.sessions) {
      if (session.status == SessionStatus::scheduled && session.starts_at >= day_starts && session.starts_at < day_ends)
        sessions.push_back({{"id", session.id},
                            {"title", session.title},
                            {"starts_at", format_instant(session.starts_at)},
                            {"ends_at", format_instant(session.ends_at())}});
    }
    reply["current_sessions"] = std::move(sessions);
    return document(reply);
  });
}

}  // namespace convene::app
