// Invitations to an invitation-only event: who organisers invite, as a list of objects or as text
// pasted from a mail client or a spreadsheet.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "convene/enum_names.hpp"
#include "convene/locale.hpp"
#include "convene/problem.hpp"
#include "convene/registration.hpp"

namespace convene {

// An address to invite, checked: the name as registrants' names are (one line, at most
// kMaxNameCharacters), the language of its e-mails (English unless given).
struct Invitee {
  Email email;
  std::optional<std::string> name;
  Language language = Language::en;
};

// A line of pasted text that names nobody to invite, and why. Lines count from 1.
struct RejectedLine {
  int line;
  std::string text;
  std::string error;
  friend bool operator==(const RejectedLine&, const RejectedLine&) = default;
};

struct InviteeList {
  std::vector<Invitee> invitees;      // in the order given, each address once (letter case aside)
  std::vector<RejectedLine> rejected;  // pasted lines only: a list of objects is all or nothing
};

inline constexpr std::size_t kMaxInviteesPerRequest = 5'000;

// POST /api/v1/events/{slug}/invitations: exactly one of
//   {"invitees": [{"email", "name"?, "language"?}, ...]}: every entry must be right (errors name
//     the field, "invitees[2].email"), and an address may appear once;
//   {"text": "..."}: one invitee a line, `email`, `Name <email>`, or CSV `email,name,language`
//     (commas or tabs, fields in double quotes where needed, a first line `email,...` taken as a
//     header). Blank lines are skipped; every other line that names nobody to invite (a bad
//     address or language, an address already on an earlier line) is reported, and the rest are
//     invited.
// At most kMaxInviteesPerRequest invitees either way.
std::expected<InviteeList, FieldErrors> parse_invitation_request(const nlohmann::json& body);

// Only the pasted text's part, for the caller that has the text alone.
InviteeList parse_pasted_invitees(std::string_view text);

// Which invitations a list shows: not yet used to register, or used.
enum class InvitationStatus { pending, registered };
inline constexpr auto kInvitationStatusNames = enum_names<InvitationStatus>(
    std::pair{InvitationStatus::pending, "pending"}, std::pair{InvitationStatus::registered, "registered"});
inline std::string_view to_string(InvitationStatus status) { return kInvitationStatusNames.name(status); }
inline std::optional<InvitationStatus> parse_invitation_status(std::string_view text) {
  return kInvitationStatusNames.parse(text);
}

}  // namespace convene
