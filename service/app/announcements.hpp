// Announcements: organisers write to an event's registrants (all of them, some statuses, those who
// came or did not), now or at a set time, in one language or several. Each recipient gets the
// message once, in their language when it was written in it, with their own manage link.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/context.hpp"
#include "app/organisers.hpp"

namespace convene::app {

struct AnnouncementPost {
  std::string_view slug;
  const nlohmann::json& body;
  std::string_view raw_body;
  std::optional<std::string_view> idempotency_key;
};
// POST /api/v1/events/{slug}/announcements: the announcement, with how many it goes to.
Result<> create_announcement(Context& context, const OrganiserCredentials& credentials, const AnnouncementPost& post);
// GET /api/v1/events/{slug}/announcements: with their queued, sent and failed counts.
Result<> list_announcements(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                            std::optional<std::string_view> limit, std::optional<std::string_view> cursor);
// DELETE /api/v1/events/{slug}/announcements/{id}: withdraws one none of whose messages has gone yet.
Result<> withdraw_announcement(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                               std::string_view id);
// POST /api/v1/events/{slug}/announcements/preview: the message as the registrant
// `registration_id` would receive it (nothing is sent).
Result<> preview_announcement(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                              const nlohmann::json& body);

}  // namespace convene::app
