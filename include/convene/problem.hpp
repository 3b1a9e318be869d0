// Errors as values (RFC 9457 problem details): the core returns them, the HTTP edge renders them.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace convene {

struct FieldError {
  std::string field;  // JSON name of the offending field ("email", "sessions[0].starts_local")
  std::string message;
  friend bool operator==(const FieldError&, const FieldError&) = default;
};
using FieldErrors = std::vector<FieldError>;

struct Problem {
  int status = 500;
  std::string type;   // the last path segment of the type URI: "already-registered"
  std::string title;  // short, the same for every occurrence of this type
  std::string detail; // this occurrence, in words a person can act on
  FieldErrors errors;
  nlohmann::json extensions = nlohmann::json::object();  // extra members, e.g. "opens_at"
};

// The URI prefix of every problem type; a type's document is served under it.
inline constexpr const char* kProblemTypeBase = "/problems/";

Problem validation_failed(FieldErrors errors);
Problem bad_request(std::string detail);
Problem not_found(std::string detail);

void to_json(nlohmann::json& out, const Problem& problem);

}  // namespace convene
