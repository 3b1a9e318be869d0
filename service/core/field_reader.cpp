#include "field_reader.hpp"

#include "convene/text.hpp"

namespace convene::detail {

FieldReader::FieldReader(const nlohmann::json& body, std::string prefix)
    : body_(body), prefix_(std::move(prefix)) {
  if (!body_.is_object()) {
    errors_.push_back({prefix_.empty() ? "body" : prefix_.substr(0, prefix_.size() - 1),
                       "must be a JSON object"});
  }
}

const nlohmann::json* FieldReader::find(std::string_view name) const {
  if (!body_.is_object()) return nullptr;
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool FieldReader::present(std::string_view name) const {
  return body_.is_object() && body_.contains(name);
}

bool FieldReader::is_null(std::string_view name) const {
  if (!body_.is_object()) return false;
  auto it = body_.find(name);
  return it != body_.end() && it->is_null();
}

void FieldReader::fail(std::string_view name, std::string message) {
  if (!failed(name)) errors_.push_back({path(name), std::move(message)});
}

bool FieldReader::failed(std::string_view name) const {
  const std::string full = path(name);
  for (const auto& e : errors_) {
    if (e.field == full) return true;
  }
  return false;
}

const nlohmann::json* FieldReader::given(std::string_view name, Presence presence) {
  const nlohmann::json* value = find(name);
  if (value == nullptr && presence == Presence::required) fail(name, "is required");
  return value;
}

std::optional<std::string_view> FieldReader::string(std::string_view name, Presence presence) {
  const nlohmann::json* value = given(name, presence);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    fail(name, "must be a string");
    return std::nullopt;
  }
  return std::string_view(value->get_ref<const std::string&>());
}

std::optional<std::string> FieldReader::line(std::string_view name, std::size_t max_characters,
                                             Presence presence) {
  auto raw = string(name, presence);
  if (!raw) return std::nullopt;
  const std::string_view trimmed = trim(*raw);
  if (trimmed.empty()) {
    fail(name, "must not be empty");
    return std::nullopt;
  }
  if (has_line_breaking_or_control_characters(trimmed)) {
    fail(name, "must be a single line without control characters");
    return std::nullopt;
  }
  if (code_point_count(trimmed) > max_characters) {
    fail(name, "must be at most " + std::to_string(max_characters) + " characters");
    return std::nullopt;
  }
  return std::string(trimmed);
}

std::optional<std::string> FieldReader::paragraph(std::string_view name,
                                                  std::size_t max_characters) {
  auto raw = string(name, Presence::optional);
  if (!raw) return std::nullopt;
  for (unsigned char ch : *raw) {
    if ((ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t') || ch == 0x7F) {
      fail(name, "must not contain control characters");
      return std::nullopt;
    }
  }
  if (code_point_count(*raw) > max_characters) {
    fail(name, "must be at most " + std::to_string(max_characters) + " characters");
    return std::nullopt;
  }
  return std::string(trim(*raw));
}

std::optional<bool> FieldReader::boolean(std::string_view name, Presence presence) {
  const nlohmann::json* value = given(name, presence);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    fail(name, "must be true or false");
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<std::int64_t> FieldReader::integer(std::string_view name, std::int64_t min,
                                                 std::int64_t max, Presence presence) {
  const nlohmann::json* value = given(name, presence);
  if (value == nullptr) return std::nullopt;
  const std::string range = "from " + std::to_string(min) + " to " + std::to_string(max);
  if (!value->is_number_integer()) {
    fail(name, "must be a whole number " + range);
    return std::nullopt;
  }
  // Unsigned values beyond int64 would wrap; compare as unsigned first.
  if (value->is_number_unsigned() && value->get<std::uint64_t>() > std::uint64_t(max)) {
    fail(name, "must be a whole number " + range);
    return std::nullopt;
  }
  const auto n = value->get<std::int64_t>();
  if (n < min || n > max) {
    fail(name, "must be a whole number " + range);
    return std::nullopt;
  }
  return n;
}

std::optional<TimeZone> FieldReader::zone(std::string_view name, Presence presence) {
  return parsed(name, presence, TimeZone::find, kZoneExpected);
}

std::optional<Email> FieldReader::email(std::string_view name, Presence presence) {
  auto raw = string(name, presence);
  if (!raw) return std::nullopt;
  if (trim(*raw).size() > kMaxEmailOctets) {
    fail(name, "must be at most " + std::to_string(kMaxEmailOctets) + " characters");
    return std::nullopt;
  }
  auto email = Email::parse(*raw);
  if (!email) fail(name, std::string(kEmailExpected));
  return email;
}

std::optional<Instant> FieldReader::instant(std::string_view name, Presence presence) {
  return parsed(name, presence, parse_instant,
                "must be an RFC 3339 instant such as 2021-09-10T13:00:00Z (years 1900-2200)");
}

std::optional<WallTime> FieldReader::wall_time(std::string_view name, Presence presence) {
  return parsed(name, presence, parse_wall_time,
                "must be a wall-clock time YYYY-MM-DDTHH:MM[:SS] without offset (years 1900-2200)");
}

}  // namespace convene::detail
