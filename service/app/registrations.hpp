// Attendee self-service: register, read, change, cancel, erase.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/context.hpp"
#include "convene/registration.hpp"

namespace convene::app {

struct RegistrationRequestContext {
  std::string_view slug;
  const nlohmann::json& body;
  std::string_view raw_body;                     // exact bytes, for Idempotency-Key matching
  std::optional<std::string_view> idempotency_key;
  std::string_view client;                       // the client's rate-limit key (its address)
};

// POST /api/v1/events/{slug}/registrations. The limits on sign-ups are checked here: per client
// address (generous: a NAT may hide a whole ministry), per e-mail address and per e-mail domain
// (off unless configured). Attempts count, whatever their outcome.
Result<> register_attendee(Context& context, const RegistrationRequestContext& request);
// `viewer_zone`: the ?tz= of the request, if any (default: the registrant's own zone).
// A registration and its event, by manage token: what the registrant's own page shows.
struct OwnRegistration {
  Registration registration;
  EventCache::Snapshot event;
  bool answers_may_change = false;  // registration is open, so change_registration takes new answers
};
Result<OwnRegistration> own_registration(Context& context, std::string_view manage_token);

Result<> read_registration(Context& context, std::string_view manage_token,
                           std::optional<std::string_view> viewer_zone);
Result<> change_registration(Context& context, std::string_view manage_token, const nlohmann::json& body);
Result<> cancel_registration(Context& context, std::string_view manage_token);
// The registrant erases their own registration (see roster.hpp for what erasure removes).
Result<> erase_by_registrant(Context& context, std::string_view manage_token);

}  // namespace convene::app
