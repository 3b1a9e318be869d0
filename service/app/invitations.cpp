#include "app/invitations.hpp"

#include "app/access.hpp"
#include "app/paging.hpp"
#include "app/problems.hpp"
#include "convene/invitation.hpp"
#include "convene/json_views.hpp"
#include "convene/text.hpp"
#include "store/invitations.hpp"

namespace convene::app {
namespace {

using store::invitations::Invitation;

nlohmann::json invitation_json(const Invitation& i) {
  const auto status = i.used_at ? InvitationStatus::registered : InvitationStatus::pending;
  return {{"id", i.id},
          {"email", i.email},
          {"name", i.name ? nlohmann::json(*i.name) : nlohmann::json(nullptr)},
          {"language", to_string(i.language)},
          {"status", to_string(status)},
          {"invited_at", format_instant(i.invited_at)},
          {"reminders", i.reminders},
          {"registered_at", i.used_at ? nlohmann::json(format_instant(*i.used_at)) : nlohmann::json(nullptr)},
          {"registration_id", i.registration_id ? nlohmann::json(*i.registration_id) : nlohmann::json(nullptr)}};
}

nlohmann::json rejected_json(const std::vector<RejectedLine>& rejected) {
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& r : rejected) lines.push_back({{"line", r.line}, {"text", r.text}, {"error", r.error}});
  return lines;
}

// The organiser's invitation event, in `tx`: what every change to invitations starts with.
template <class Work>
Result<> on_invitation_event(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                             Work&& work) {
  return context.store.transact([&](store::Tx& tx) -> Result<> {
    auto found = organiser_event(tx, context, credentials, slug);
    if (!found) return std::unexpected(found.error());
    if (found->event.access != EventAccess::invitation) return std::unexpected(problems::not_by_invitation(slug));
    return work(tx, found->event);
  });
}

}  // namespace

Result<> invite(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                const nlohmann::json& body) {
  const Instant now = context.clock();
  return on_invitation_event(context, credentials, slug, [&](store::Tx& tx, const Event& event) -> Result<> {
    auto list = parse_invitation_request(body);
    if (!list) return std::unexpected(validation_failed(list.error()));
    const auto outcome = store::invitations::invite(tx, event.id, list->invitees, now);
    return document({{"invited", outcome.invited},
                     {"already_invited", outcome.already_invited},
                     {"already_registered", outcome.already_registered},
                     {"rejected", rejected_json(list->rejected)}});
  });
}

Result<> list_invitations(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                          const InvitationsQuery& query) {
  FieldErrors errors;
  const auto status = list_filter(query.status, parse_invitation_status, "status", "pending or registered", errors);
  auto page = page_request(context, "invitations:" + std::string(slug), query.limit, query.cursor, errors);
  if (!page) return std::unexpected(page.error());
  return context.store.autocommit([&](store::Tx& tx) -> Result<> {
    auto found = organiser_event(tx, context, credentials, slug);
    if (!found) return std::unexpected(found.error());
    return document(page_json(
        context, *page, store::invitations::page(tx, found->event.id, status, page->after, page->rows_to_read()),
        [](const Invitation& i) { return i.id; }, invitation_json));
  });
}

Result<> withdraw_invitation(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                             std::string_view id_text) {
  const auto id = parse_id(id_text);
  return context.store.transact([&](store::Tx& tx) -> Result<> {
    auto found = organiser_event(tx, context, credentials, slug);
    if (!found) return std::unexpected(found.error());
    using store::invitations::Withdrawal;
    switch (id ? store::invitations::withdraw(tx, found->event.id, *id) : Withdrawal::not_found) {
      case Withdrawal::withdrawn: return document({{"id", *id}, {"withdrawn", true}});
      case Withdrawal::used: return std::unexpected(problems::invitation_used());
      case Withdrawal::not_found: break;
    }
    return std::unexpected(problems::invitation_not_found(slug, id_text));
  });
}

Result<> remind_invitees(Context& context, const OrganiserCredentials& credentials, std::string_view slug) {
  const Instant now = context.clock();
  return on_invitation_event(context, credentials, slug, [&](store::Tx& tx, const Event& event) -> Result<> {
    return document({{"reminded", store::invitations::remind(tx, event.id, now)}});
  });
}

}  // namespace convene::app
