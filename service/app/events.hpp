// Events and sessions: public reads, organiser writes.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/context.hpp"
#include "app/organisers.hpp"

namespace convene::app {

// Query parameters as given (absent ones nullopt); they are checked here.
struct ListQuery {
  std::optional<std::string_view> cursor;
  std::optional<std::string_view> limit;
  std::optional<std::string_view> tz;
};
// GET /api/v1/events: the listed events, a page at a time.
Result<> list_events(Context& context, const ListQuery& query);
// GET /api/v1/events/{slug}. Drafts are visible only with an organiser token for the event.
Result<> read_event(Context& context, std::string_view slug, std::optional<std::string_view> tz,
                    const OrganiserCredentials& credentials);

// For the web pages: the first `limit` listed events, and an event anyone may see (not a draft).
std::vector<Event> listed_events(Context& context, int limit);
EventCache::Snapshot public_event(Context& context, std::string_view slug);

Result<> create_event(Context& context, const OrganiserCredentials& credentials, const nlohmann::json& body);
Result<> change_event(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                      const nlohmann::json& body);
Result<> add_session(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                     const nlohmann::json& body);
Result<> change_session(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                        std::string_view session_id, const nlohmann::json& body);
Result<> cancel_session(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                        std::string_view session_id);

// Creates an event from a body shaped like POST /api/v1/events unless its slug exists (seeding).
// Returns true if it was created; throws std::invalid_argument naming the invalid fields.
bool ensure_event(store::Store& store, const nlohmann::json& body);

}  // namespace convene::app
