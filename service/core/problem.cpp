#include "convene/problem.hpp"

namespace convene {

std::string_view title_of(ProblemType type) {
  switch (type) {
    case ProblemType::bad_request: return "The request could not be read";
    case ProblemType::unauthorised: return "Organiser token required";
    case ProblemType::forbidden: return "Not an organiser of this event";
    case ProblemType::cross_site_request: return "Request from another site";
    case ProblemType::invitation_required: return "By invitation only";
    case ProblemType::not_found: return "Not found";
    case ProblemType::method_not_allowed: return "Method not allowed";
    case ProblemType::already_registered: return "Already registered";
    case ProblemType::registration_not_open: return "Registration is not open yet";
    case ProblemType::registration_closed: return "Registration is closed";
    case ProblemType::event_cancelled: return "The event was cancelled";
    case ProblemType::event_changing: return "The event is being changed";
    case ProblemType::registration_rejected: return "This registration was declined";
    case ProblemType::capacity_reached: return "No seat is free";
    case ProblemType::option_full: return "No place is left for this choice";
    case ProblemType::capacity_below_confirmed: return "Capacity below confirmed registrations";
    case ProblemType::slug_taken: return "Slug already in use";
    case ProblemType::announcement_sent: return "The announcement has gone out";
    case ProblemType::invitation_used: return "The invitation was used";
    case ProblemType::not_by_invitation: return "The event is open to anyone";
    case ProblemType::length_required: return "Content-Length required";
    case ProblemType::payload_too_large: return "Request body too large";
    case ProblemType::unsupported_media_type: return "Send JSON";
    case ProblemType::validation_failed: return "Your request has invalid fields";
    case ProblemType::idempotency_key_reused: return "Idempotency-Key reused with another request";
    case ProblemType::rate_limited: return "Too many requests";
    case ProblemType::internal_error: return "Internal error";
    case ProblemType::database_unavailable: return "Temporarily unavailable";
    case ProblemType::database_timeout: return "The database took too long";
    case ProblemType::outcome_unknown: return "Saved or not: unknown yet";
  }
  return "Internal error";
}

Problem validation_failed(FieldErrors errors) {
  std::string detail = errors.size() == 1 ? "One field is invalid: " + errors.front().field + "."
                                          : std::to_string(errors.size()) + " fields are invalid.";
  return Problem{ProblemType::validation_failed, std::move(detail), std::move(errors)};
}

Problem bad_request(std::string detail) { return Problem{ProblemType::bad_request, std::move(detail)}; }

Problem not_found(std::string detail) { return Problem{ProblemType::not_found, std::move(detail)}; }

void to_json(nlohmann::json& out, const Problem& problem) {
  out = nlohmann::json::object();
  for (const auto& [key, value] : problem.extensions.items()) out[key] = value;
  out["type"] = std::string(kProblemTypeBase) + std::string(to_string(problem.type));
  out["title"] = title_of(problem.type);
  out["detail"] = problem.detail;
  if (!problem.errors.empty()) {
    auto& errors = out["errors"] = nlohmann::json::array();
    for (const auto& e : problem.errors) errors.push_back({{"field", e.field}, {"message", e.message}});
  }
}

}  // namespace convene
