// Attendee self-service: register, read, change, cancel.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/context.hpp"

namespace convene::app {

struct RegistrationRequestContext {
  std::string_view slug;
  const nlohmann::json& body;
  std::string_view raw_body;                     // exact bytes, for Idempotency-Key matching
  std::optional<std::string_view> idempotency_key;
};

Result register_attendee(Context& context, const RegistrationRequestContext& request);
// `viewer_zone`: the ?tz= of the request, if any (default: the registrant's own zone).
Result read_registration(Context& context, std::string_view manage_token,
                         std::optional<std::string_view> viewer_zone);
Result change_registration(Context& context, std::string_view manage_token, const nlohmann::json& body);
Result cancel_registration(Context& context, std::string_view manage_token);

}  // namespace convene::app
