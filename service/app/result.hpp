// What a use case answers: a document in the API's JSON, or a Problem. No status codes or headers:
// the HTTP edge maps each kind of answer to its status (and a new resource's Location), a Problem
// to the status of its type.
#pragma once

#include <expected>
#include <string>

#include <nlohmann/json.hpp>

#include "convene/problem.hpp"

namespace convene::app {

struct Document {
  // read: the resource as it is. created: a new one, at `location` (when known). accepted: the
  // request is taken and will be acted on later. nothing: done, nothing to show.
  enum class Kind { read, created, accepted, nothing };
  std::string json;          // kept as text, so that a replay is the first answer byte for byte
  Kind kind = Kind::read;
  std::string location = {};
  bool replayed = false;     // the stored answer to an earlier request with this Idempotency-Key
};

template <class T = Document>
using Result = std::expected<T, Problem>;

inline Document document(const nlohmann::json& body) { return Document{body.dump()}; }
inline Document created(const nlohmann::json& body, std::string location) {
  return Document{body.dump(), Document::Kind::created, std::move(location)};
}
inline Document accepted(const nlohmann::json& body) { return Document{body.dump(), Document::Kind::accepted}; }
inline Document nothing() { return Document{"", Document::Kind::nothing}; }

}  // namespace convene::app
