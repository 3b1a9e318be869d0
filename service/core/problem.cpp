#include "convene/problem.hpp"

namespace convene {

Problem validation_failed(FieldErrors errors) {
  std::string detail = errors.size() == 1 ? "One field is invalid: " + errors.front().field + "."
                                          : std::to_string(errors.size()) + " fields are invalid.";
  return Problem{422, "validation-failed", "Your request has invalid fields", std::move(detail),
                 std::move(errors)};
}

Problem bad_request(std::string detail) {
  return Problem{400, "bad-request", "The request could not be read", std::move(detail)};
}

Problem not_found(std::string detail) {
  return Problem{404, "not-found", "Not found", std::move(detail)};
}

void to_json(nlohmann::json& out, const Problem& problem) {
  out = nlohmann::json::object();
  for (const auto& [key, value] : problem.extensions.items()) out[key] = value;
  out["type"] = std::string(kProblemTypeBase) + problem.type;
  out["title"] = problem.title;
  out["status"] = problem.status;
  out["detail"] = problem.detail;
  if (!problem.errors.empty()) {
    auto& errors = out["errors"] = nlohmann::json::array();
    for (const auto& e : problem.errors) errors.push_back({{"field", e.field}, {"message", e.message}});
  }
}

}  // namespace convene
