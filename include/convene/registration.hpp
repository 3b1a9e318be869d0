// Attendee registrations: what a registrant may send, and the states a registration moves through.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "convene/enum_names.hpp"
#include "convene/locale.hpp"
#include "convene/problem.hpp"
#include "convene/time.hpp"

namespace convene {

// confirmed: holds a seat. waitlisted: waits for one, in order of arrival. pending: waits for an
// organiser's approval. cancelled and rejected are final and hold no seat.
enum class RegistrationStatus { confirmed, waitlisted, pending, cancelled, rejected };
inline constexpr auto kRegistrationStatusNames = enum_names<RegistrationStatus>(
    std::pair{RegistrationStatus::confirmed, "confirmed"}, std::pair{RegistrationStatus::waitlisted, "waitlisted"},
    std::pair{RegistrationStatus::pending, "pending"}, std::pair{RegistrationStatus::cancelled, "cancelled"},
    std::pair{RegistrationStatus::rejected, "rejected"});
inline std::string_view to_string(RegistrationStatus status) { return kRegistrationStatusNames.name(status); }
inline std::optional<RegistrationStatus> parse_registration_status(std::string_view text) {
  return kRegistrationStatusNames.parse(text);
}

// Still coming (or hoping to): the registrant gets updates, reminders and counts among the audience.
// The database's convene_is_active() (sql/010) says the same; a test holds the two together.
constexpr bool is_active(RegistrationStatus status) {
  return status == RegistrationStatus::confirmed || status == RegistrationStatus::waitlisted ||
         status == RegistrationStatus::pending;
}

// Whether a registrant came: joined through their personal link, or was checked in. The database's
// convene_attended() (sql/011) says the same.
constexpr bool attended(std::optional<Instant> checked_in_at, std::optional<Instant> first_joined_at) {
  return checked_in_at.has_value() || first_joined_at.has_value();
}

// Tokens minted for the links in an e-mail: the registrant's page, or the personal join link.
enum class TokenPurpose { manage, join };
inline constexpr auto kTokenPurposeNames =
    enum_names<TokenPurpose>(std::pair{TokenPurpose::manage, "manage"}, std::pair{TokenPurpose::join, "join"});
inline std::string_view to_string(TokenPurpose purpose) { return kTokenPurposeNames.name(purpose); }

// An address that passed a syntax check: local@domain, at most 254 octets, a dotted domain.
// Internationalised addresses (UTF-8 local part or domain) are accepted.
class Email {
 public:
  static std::optional<Email> parse(std::string_view text);
  const std::string& text() const { return text_; }
  // The address as it is compared: letters in lower case (one registration per address and event,
  // whatever the case, and limits per address alike).
  std::string key() const;
  // The part after the last '@', in lower case.
  std::string domain() const;

 private:
  explicit Email(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

// What a request is told when an e-mail address is not one.
inline constexpr std::string_view kEmailExpected = "must be an e-mail address such as name@example.org";

inline constexpr std::size_t kMaxNameCharacters = 200;
inline constexpr std::size_t kMaxEmailOctets = 254;
inline constexpr std::size_t kMaxAnswersOctets = 16 * 1024;
inline constexpr int kMaxAnswersDepth = 8;

// What a registrant sends, checked: POST /events/{slug}/registrations.
struct RegistrationRequest {
  Email email;
  std::string name;  // trimmed
  std::optional<std::string> organisation;
  std::optional<CountryCode> country;
  std::optional<TimeZone> zone;          // default: the event's zone
  std::optional<Language> language;      // default: English
  nlohmann::json answers = nlohmann::json::object();
  std::optional<std::string> invitation;  // the token of an invitation link; what invitation events require
};
std::expected<RegistrationRequest, FieldErrors> parse_registration_request(const nlohmann::json& body);

// What a registrant may change: PATCH /registrations/{token}. Absent fields stay as they are;
// organisation may be cleared with null. `answers`, when given, replaces every answer, and is
// checked against the event's questions by the caller (check_answers).
struct RegistrationChanges {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> organisation;
  std::optional<TimeZone> zone;
  std::optional<Language> language;
  std::optional<nlohmann::json> answers;
};
std::expected<RegistrationChanges, FieldErrors> parse_registration_changes(const nlohmann::json& body);

struct Registration {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::string email;
  std::string name;
  std::optional<std::string> organisation;
  std::optional<CountryCode> country;
  TimeZone zone;
  Language language = Language::en;
  nlohmann::json answers = nlohmann::json::object();
  RegistrationStatus status = RegistrationStatus::pending;
  Instant consent_at;
  Instant created_at;
  Instant updated_at;
  std::optional<Instant> cancelled_at;
  int invite_sequence = 0;  // added to each session's sequence in this registrant's invites
};

// Applies changes a registrant asked for; the result is what gets stored.
Registration apply(const Registration& current, const RegistrationChanges& changes);

// Can the registrant cancel? Cancelling twice is fine (idempotent); a rejected one stays rejected.
bool can_cancel(RegistrationStatus status);

}  // namespace convene
