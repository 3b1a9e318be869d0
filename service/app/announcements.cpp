#include "app/announcements.hpp"

#include <algorithm>

#include "app/access.hpp"
#include "app/idempotency.hpp"
#include "app/paging.hpp"
#include "app/problems.hpp"
#include "convene/announcement.hpp"
#include "convene/text.hpp"
#include "store/announcements.hpp"
#include "store/organiser_views.hpp"

namespace convene::app {
namespace {

using store::announcements::Announcement;

nlohmann::json text_json(const AnnouncementText& text) { return {{"subject", text.subject}, {"body", text.body}}; }

std::string_view status_of(const Announcement& a, Instant now) {
  if (a.withdrawn_at) return "withdrawn";
  if (a.queued == 0) return "sent";
  return a.send_at > now ? "scheduled" : "sending";
}

nlohmann::json announcement_json(const Announcement& a, Instant now) {
  nlohmann::json translations = nlohmann::json::object();
  for (const auto& [language, text] : a.translations) translations[std::string(to_string(language))] = text_json(text);
  nlohmann::json audience = nlohmann::json::array();
  for (const auto group : a.audience) audience.push_back(kAudienceNames.name(group));
  return {{"id", a.id},
          {"language", to_string(a.language)},
          {"subject", a.text.subject},
          {"body", a.text.body},
          {"translations", std::move(translations)},
          {"audience", std::move(audience)},
          {"send_at", format_instant(a.send_at)},
          {"created_at", format_instant(a.created_at)},
          {"withdrawn_at", a.withdrawn_at ? nlohmann::json(format_instant(*a.withdrawn_at)) : nlohmann::json(nullptr)},
          {"status", status_of(a, now)},
          {"recipients", a.recipients},
          {"counts", {{"queued", a.queued}, {"sent", a.sent}, {"failed", a.failed}, {"skipped", a.skipped}}}};
}

// The request, checked against the event: who came can be told apart only once a session has ended.
Result<AnnouncementRequest> checked_request(const nlohmann::json& body, const Event& event, Instant now) {
  auto request = parse_announcement_request(body);
  if (!request) return std::unexpected(validation_failed(request.error()));
  const bool session_ended = std::any_of(event.sessions.begin(), event.sessions.end(), [&](const Session& s) {
    return s.status == SessionStatus::scheduled && s.ends_at() <= now;
  });
  if (!session_ended && std::any_of(request->audience.begin(), request->audience.end(), about_attendance))
    return std::unexpected(validation_failed(
        {{"audience", "attended and did_not_attend can be chosen once a session of the event has ended"}}));
  return *std::move(request);
}

}  // namespace

Result<> create_announcement(Context& context, const OrganiserCredentials& credentials, const AnnouncementPost& post) {
  if (auto problem = check_idempotency_key(post.idempotency_key)) return std::unexpected(*problem);
  const Instant now = context.clock();
  const auto write = [&](store::Tx& tx) -> Result<Answered> {
    auto found = organiser_event(tx, context, credentials, post.slug);
    if (!found) return std::unexpected(found.error());
    auto request = checked_request(post.body, found->event, now);
    if (!request) return std::unexpected(request.error());
    const Announcement written = store::announcements::insert(
        tx, {found->event.id, found->organiser.id, request->language, request->text, request->translations,
             request->audience, std::max(now, request->send_at.value_or(now))});
    return Answered{created(announcement_json(written, now), context.config.base_url + "/api/v1/events/" +
                                                                  std::string(post.slug) + "/announcements/" +
                                                                  std::to_string(written.id)),
                    std::nullopt};
  };
  return context.store.transact([&](store::Tx& tx) -> Result<> {
    if (!post.idempotency_key) {
      auto answered = write(tx);
      if (!answered) return std::unexpected(answered.error());
      return answered->document;
    }
    return answer_once(tx, {"POST /api/v1/events/" + std::string(post.slug) + "/announcements", *post.idempotency_key,
                            post.raw_body},
                       now, write);
  });
}

Result<> list_announcements(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                            std::optional<std::string_view> limit, std::optional<std::string_view> cursor) {
  auto page = page_request(context, "announcements:" + std::string(slug), limit, cursor);
  if (!page) return std::unexpected(page.error());
  const Instant now = context.clock();
  return context.store.autocommit([&](store::Tx& tx) -> Result<> {
    auto found = organiser_event(tx, context, credentials, slug);
    if (!found) return std::unexpected(found.error());
    return document(page_json(
        context, *page, store::announcements::page(tx, found->event.id, page->after, page->rows_to_read()),
        [](const Announcement& a) { return a.id; }, [&](const Announcement& a) { return announcement_json(a, now); }));
  });
}

Result<> withdraw_announcement(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                               std::string_view id_text) {
  const auto id = parse_id(id_text);
  const Instant now = context.clock();
  const Problem unknown = not_found("Event '" + std::string(slug) + "' has no announcement " + std::string(id_text) + ".");
  return context.store.transact([&](store::Tx& tx) -> Result<> {
    auto found = organiser_event(tx, context, credentials, slug);
    if (!found) return std::unexpected(found.error());
    if (!id || !store::announcements::find(tx, found->event.id, *id)) return std::unexpected(unknown);
    if (!store::announcements::withdraw(tx, *id, now)) {
      auto current = store::announcements::find(tx, found->event.id, *id);
      if (!current->withdrawn_at) return std::unexpected(problems::announcement_sent());
    }
    return document(announcement_json(*store::announcements::find(tx, found->event.id, *id), now));
  });
}

Result<> preview_announcement(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                              const nlohmann::json& body) {
  const Instant now = context.clock();
  return context.store.autocommit([&](store::Tx& tx) -> Result<> {
    auto found = organiser_event(tx, context, credentials, slug);
    if (!found) return std::unexpected(found.error());
    auto request = checked_request(body, found->event, now);
    if (!request) return std::unexpected(request.error());
    const auto* id_field = body.contains("registration_id") ? &body["registration_id"] : nullptr;
    const auto id = id_field && id_field->is_number_integer() ? std::optional(id_field->get<std::int64_t>()) : std::nullopt;
    if (!id) return std::unexpected(validation_failed({{"registration_id", "must be the id of one of the event's registrations"}}));
    const auto entry = store::organiser_views::roster_entry(tx, found->event.id, *id, false);
    if (!entry) return std::unexpected(problems::registration_not_found(slug, std::to_string(*id)));
    const Registration& registrant = entry->registration;
    const Announcement shown{0, found->event.id, request->language, request->text, request->translations,
                             request->audience, now, now, std::nullopt, 0};
    const AnnouncementText& text = shown.in(registrant.language);
    const ical::Person sender = context.config.sender();
    const ComposedText composed = compose({MessageKind::announcement, found->event, registrant, std::nullopt,
                                           context.config.base_url + "/r/(their own link)", std::nullopt,
                                           found->event.organiser_name.value_or(sender.name.value_or(sender.email)),
                                           &text});
    return document({{"to", registrant.email},
                     {"language", to_string(registrant.language)},
                     {"subject", composed.subject},
                     {"text", composed.text},
                     {"html", composed.html}});
  });
}

}  // namespace convene::app
