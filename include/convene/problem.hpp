// Errors as values (RFC 9457 problem details): the core and the use cases return them; the HTTP edge
// gives each type its status code and writes them out.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convene/enum_names.hpp"

namespace convene {

struct FieldError {
  std::string field;  // JSON name of the offending field ("email", "sessions[0].starts_local")
  std::string message;
  friend bool operator==(const FieldError&, const FieldError&) = default;
};
using FieldErrors = std::vector<FieldError>;

// What went wrong, as clients branch on it. The name is the last segment of the type URI
// ("/problems/already-registered"); docs/api.md lists them all with their status codes.
enum class ProblemType {
  bad_request,               // the request cannot be read (not JSON, not UTF-8, a foreign cursor)
  unauthorised,              // no organiser token, or one that is unknown or revoked
  forbidden,                 // a token without rights on what it asks for
  cross_site_request,        // a write carrying the session cookie from a page of another site
  invitation_required,       // registering for an invitation event without a valid invitation
  not_found,
  method_not_allowed,
  already_registered,
  registration_not_open,
  registration_closed,
  event_cancelled,
  event_changing,            // the event kept changing while a registration was written
  registration_rejected,
  capacity_reached,
  option_full,               // an answer picks a choice whose places are all held
  capacity_below_confirmed,
  slug_taken,
  announcement_sent,         // withdrawing an announcement whose messages have begun to go
  invitation_used,           // withdrawing an invitation someone registered with
  not_by_invitation,         // inviting people to an event open to anyone
  length_required,
  payload_too_large,
  unsupported_media_type,
  validation_failed,
  idempotency_key_reused,
  rate_limited,
  internal_error,
  database_unavailable,
  database_timeout,          // the database is there but a statement did not finish in time
  outcome_unknown,           // a write was sent but its commit was not confirmed: retry with the same key
};
inline constexpr auto kProblemTypeNames = enum_names<ProblemType>(
    std::pair{ProblemType::bad_request, "bad-request"}, std::pair{ProblemType::unauthorised, "unauthorised"},
    std::pair{ProblemType::forbidden, "forbidden"}, std::pair{ProblemType::cross_site_request, "cross-site-request"},
    std::pair{ProblemType::invitation_required, "invitation-required"},
    std::pair{ProblemType::not_found, "not-found"},
    std::pair{ProblemType::method_not_allowed, "method-not-allowed"},
    std::pair{ProblemType::already_registered, "already-registered"},
    std::pair{ProblemType::registration_not_open, "registration-not-open"},
    std::pair{ProblemType::registration_closed, "registration-closed"},
    std::pair{ProblemType::event_cancelled, "event-cancelled"}, std::pair{ProblemType::event_changing, "event-changing"},
    std::pair{ProblemType::registration_rejected, "registration-rejected"},
    std::pair{ProblemType::capacity_reached, "capacity-reached"}, std::pair{ProblemType::option_full, "option-full"},
    std::pair{ProblemType::capacity_below_confirmed, "capacity-below-confirmed"},
    std::pair{ProblemType::slug_taken, "slug-taken"}, std::pair{ProblemType::announcement_sent, "announcement-sent"},
    std::pair{ProblemType::invitation_used, "invitation-used"},
    std::pair{ProblemType::not_by_invitation, "not-by-invitation"},
    std::pair{ProblemType::length_required, "length-required"},
    std::pair{ProblemType::payload_too_large, "payload-too-large"},
    std::pair{ProblemType::unsupported_media_type, "unsupported-media-type"},
    std::pair{ProblemType::validation_failed, "validation-failed"},
    std::pair{ProblemType::idempotency_key_reused, "idempotency-key-reused"},
    std::pair{ProblemType::rate_limited, "rate-limited"}, std::pair{ProblemType::internal_error, "internal-error"},
    std::pair{ProblemType::database_unavailable, "database-unavailable"},
    std::pair{ProblemType::database_timeout, "database-timeout"},
    std::pair{ProblemType::outcome_unknown, "outcome-unknown"});
inline std::string_view to_string(ProblemType type) { return kProblemTypeNames.name(type); }
// The short title every occurrence of a type shares.
std::string_view title_of(ProblemType type);

struct Problem {
  ProblemType type = ProblemType::internal_error;
  std::string detail;  // this occurrence, in words a person can act on
  FieldErrors errors = {};
  nlohmann::json extensions = nlohmann::json::object();  // extra members, e.g. "opens_at"
  std::optional<std::chrono::seconds> retry_after = {};  // when trying again makes sense
};

// The URI prefix of every problem type (a name: nothing is served there).
inline constexpr const char* kProblemTypeBase = "/problems/";

Problem validation_failed(FieldErrors errors);
Problem bad_request(std::string detail);
Problem not_found(std::string detail);

// The problem+json document (without the status, which the HTTP edge adds).
void to_json(nlohmann::json& out, const Problem& problem);

}  // namespace convene
