// Invitation-only events: organisers invite addresses (one by one, as a list, or pasted), each
// invitee is mailed a personal registration link, the roster shows who has not registered yet, and
// a reminder goes to them on request.
//
// Invitees have no registration, so they are not an audience of announcements (which are written
// to registrations and carry the registrant's manage link): what an invitee needs is their link
// again, so the reminder is an invitation message of its own (store/invitations.hpp).
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/context.hpp"
#include "app/organisers.hpp"

namespace convene::app {

// POST /api/v1/events/{slug}/invitations (convene/invitation.hpp for the body): what became of each
// invitee, {"invited", "already_invited", "already_registered", "rejected": [{"line", "text", "error"}]}.
Result<> invite(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                const nlohmann::json& body);

struct InvitationsQuery {
  std::optional<std::string_view> status;  // pending or registered
  std::optional<std::string_view> limit;
  std::optional<std::string_view> cursor;
};
// GET /api/v1/events/{slug}/invitations: a page of the event's invitations.
Result<> list_invitations(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                          const InvitationsQuery& query);

// DELETE /api/v1/events/{slug}/invitations/{id}: withdraws an unused invitation (its links stop working).
Result<> withdraw_invitation(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                             std::string_view id);

// POST /api/v1/events/{slug}/invitations/remind: one more invitation message, with a fresh link, to
// every invitee who has not registered: {"reminded": n}.
Result<> remind_invitees(Context& context, const OrganiserCredentials& credentials, std::string_view slug);

}  // namespace convene::app
