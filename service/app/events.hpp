// Events and sessions: public reads, organiser writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/context.hpp"

namespace convene::app {

// Query parameters as given (absent ones nullopt); they are checked here.
struct ListQuery {
  std::optional<std::string_view> cursor;
  std::optional<std::string_view> limit;
  std::optional<std::string_view> tz;
};

Result list_events(Context& context, const ListQuery& query);
// Drafts are visible only with an organiser token for the event.
Result read_event(Context& context, std::string_view slug, std::optional<std::string_view> tz,
                  std::optional<std::string_view> authorization);

using Authorization = std::optional<std::string_view>;
Result create_event(Context& context, Authorization authorization, const nlohmann::json& body);
Result change_event(Context& context, Authorization authorization, std::string_view slug, const nlohmann::json& body);
Result add_session(Context& context, Authorization authorization, std::string_view slug, const nlohmann::json& body);
Result change_session(Context& context, Authorization authorization, std::string_view slug,
                      std::string_view session_id, const nlohmann::json& body);
Result cancel_session(Context& context, Authorization authorization, std::string_view slug,
                      std::string_view session_id);

// Parses ?limit= (default 50, 1..500) or returns the 422.
std::expected<int, Problem> page_limit(std::optional<std::string_view> limit);

// Creates an event from a body shaped like POST /api/v1/events unless its slug exists (seeding).
// Returns true if it was created.
bool ensure_event(store::Store& store, const nlohmann::json& body);

}  // namespace convene::app
