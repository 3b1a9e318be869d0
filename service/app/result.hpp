// What a use case answers: a document in the API's JSON, or a Problem. No status codes or headers:
// the HTTP edge maps a Document to 200 or 201 (and Location), a Problem to its status.
#pragma once

#include <expected>
#include <string>

#include <nlohmann/json.hpp>

#include "convene/problem.hpp"

namespace convene::app {

struct Document {
  std::string json;          // kept as text, so that a replay is the first answer byte for byte
  bool created = false;      // a new resource, found at `location`
  std::string location = {};
  bool replayed = false;     // the stored answer to an earlier request with this Idempotency-Key
};

template <class T = Document>
using Result = std::expected<T, Problem>;

inline Document document(const nlohmann::json& body) { return Document{body.dump()}; }
inline Document created(const nlohmann::json& body, std::string location) {
  return Document{body.dump(), true, std::move(location)};
}

}  // namespace convene::app
