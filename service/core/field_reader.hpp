// Reads the fields of a JSON request body and collects one error per bad field, so that a client
// learns everything wrong with its request at once. Unknown fields are ignored everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "convene/problem.hpp"
#include "convene/registration.hpp"
#include "convene/time.hpp"

namespace convene::detail {

enum class Presence { optional, required };

class FieldReader {
 public:
  FieldReader(const nlohmann::json& body, std::string prefix = "");

  // The value, or nullptr when the field is absent or null.
  const nlohmann::json* find(std::string_view name) const;
  bool present(std::string_view name) const;  // given, even as null
  bool is_null(std::string_view name) const;  // given as null

  void fail(std::string_view name, std::string message);
  bool failed(std::string_view name) const;
  bool ok() const { return errors_.empty(); }
  FieldErrors take_errors() { return std::move(errors_); }

  // One line of text people type (names, titles): trimmed, 1..max characters, no line breaks.
  std::optional<std::string> line(std::string_view name, std::size_t max_characters, Presence presence);
  // Free text that may span lines (descriptions): up to max characters, no other control characters.
  std::optional<std::string> paragraph(std::string_view name, std::size_t max_characters);
  std::optional<bool> boolean(std::string_view name, Presence presence);
  std::optional<std::int64_t> integer(std::string_view name, std::int64_t min, std::int64_t max,
                                      Presence presence);
  // A string field read by `parse` (nullopt for text it refuses), failing with `expected` then.
  template <class Parse>
  auto parsed(std::string_view name, Presence presence, Parse&& parse, std::string_view expected)
      -> decltype(parse(std::string_view{})) {
    auto raw = string(name, presence);
    if (!raw) return std::nullopt;
    auto value = parse(*raw);
    if (!value) fail(name, std::string(expected));
    return value;
  }
  std::optional<TimeZone> zone(std::string_view name, Presence presence);
  // An e-mail address (Email::parse), at most kMaxEmailOctets.
  std::optional<Email> email(std::string_view name, Presence presence);
  std::optional<Instant> instant(std::string_view name, Presence presence);
  std::optional<WallTime> wall_time(std::string_view name, Presence presence);

 private:
  // The value, or nullptr when absent or null (with an error when it is required).
  const nlohmann::json* given(std::string_view name, Presence presence);
  // The string value, or nullopt (with an error when the type is wrong or a required one is absent).
  std::optional<std::string_view> string(std::string_view name, Presence presence);
  std::string path(std::string_view name) const { return prefix_ + std::string(name); }

  const nlohmann::json& body_;
  std::string prefix_;
  FieldErrors errors_;
};

}  // namespace convene::detail
