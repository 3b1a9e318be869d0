#include "convene/registration.hpp"

#include "convene/text.hpp"
#include "field_reader.hpp"

namespace convene {

using detail::FieldReader;
using detail::Presence;

namespace {

bool is_atext(unsigned char ch) {
  if (ch >= 0x80) return true;  // UTF-8 (RFC 6531 internationalised addresses)
  if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) return true;
  return std::string_view("!#$%&'*+/=?^_`{|}~-").find(static_cast<char>(ch)) != std::string_view::npos;
}

bool is_valid_local_part(std::string_view local) {
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.') return false;
  for (std::size_t i = 0; i < local.size(); ++i) {
    const auto ch = static_cast<unsigned char>(local[i]);
    if (ch == '.') {
      if (local[i - 1] == '.') return false;
    } else if (!is_atext(ch)) {
      return false;
    }
  }
  return true;
}

bool is_valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t labels = 0;
  std::string_view last_label;
  while (true) {
    const std::size_t dot = domain.find('.');
    const std::string_view label = domain.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (unsigned char ch : label) {
      const bool ok = ch >= 0x80 || ch == '-' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9');
      if (!ok) return false;
    }
    ++labels;
    last_label = label;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  // A registrant's address must be reachable on the Internet: a dotted name, and the top-level
  // label is not a number (that would be an IP address typed without brackets).
  const bool numeric_tld = last_label.find_first_not_of("0123456789") == std::string_view::npos;
  return labels >= 2 && !numeric_tld;
}

int json_depth(const nlohmann::json& value) {
  if (!value.is_structured()) return 0;
  int deepest = 0;
  for (const auto& child : value) deepest = std::max(deepest, json_depth(child));
  return deepest + 1;
}

}  // namespace

std::optional<Email> Email::parse(std::string_view text) {
  const std::string_view trimmed = trim(text);
  if (trimmed.size() > kMaxEmailOctets || has_line_breaking_or_control_characters(trimmed)) return std::nullopt;
  const std::size_t at = trimmed.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  if (!is_valid_local_part(trimmed.substr(0, at)) || !is_valid_domain(trimmed.substr(at + 1)))
    return std::nullopt;
  return Email(std::string(trimmed));
}

std::string Email::key() const { return ascii_lower(text_); }

std::string Email::domain() const { return ascii_lower(text_.substr(text_.rfind('@') + 1)); }

namespace {

std::optional<CountryCode> read_country(FieldReader& fields) {
  return fields.parsed("country", Presence::optional, CountryCode::parse, kCountryExpected);
}

std::optional<Language> read_language(FieldReader& fields) {
  return fields.parsed("language", Presence::optional, parse_language, kLanguageExpected);
}

// The answers' shape and size only: what they must hold depends on the event (check_answers).
std::optional<nlohmann::json> read_answers(FieldReader& fields) {
  const nlohmann::json* given = fields.find("answers");
  if (given == nullptr) return std::nullopt;
  if (!given->is_object()) fields.fail("answers", "must be a JSON object");
  else if (json_depth(*given) > kMaxAnswersDepth) fields.fail("answers", "must be nested at most 8 levels deep");
  else if (given->dump().size() > kMaxAnswersOctets) fields.fail("answers", "must be at most 16 KiB");
  else return *given;
  return std::nullopt;
}

}  // namespace

std::expected<RegistrationRequest, FieldErrors> parse_registration_request(const nlohmann::json& body) {
  FieldReader fields(body);
  // A body that is not an object is the one error: "email is required" and the like would mislead.
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  auto email = fields.email("email", Presence::required);
  auto name = fields.line("name", kMaxNameCharacters, Presence::required);
  auto organisation = fields.line("organisation", kMaxNameCharacters, Presence::optional);
  auto country = read_country(fields);
  auto zone = fields.zone("timezone", Presence::optional);
  auto language = read_language(fields);

  nlohmann::json answers = read_answers(fields).value_or(nlohmann::json::object());
  // Any text: an invitation that is not one is refused as any other wrong invitation is, and only
  // by an invitation event (open events ignore the field).
  auto invitation = fields.parsed(
      "invitation", Presence::optional, [](std::string_view text) { return std::optional(std::string(trim(text))); },
      "");

  const nlohmann::json* consent = fields.find("consent");
  if (consent == nullptr || !consent->is_boolean() || !consent->get<bool>()) {
    fields.fail("consent", "must be true: we need your agreement to store your registration");
  }

  if (!fields.ok()) return std::unexpected(fields.take_errors());
  return RegistrationRequest{*std::move(email), *std::move(name), std::move(organisation), country,
                             zone, language, std::move(answers), std::move(invitation)};
}

std::expected<RegistrationChanges, FieldErrors> parse_registration_changes(const nlohmann::json& body) {
  FieldReader fields(body);
  RegistrationChanges changes;
  if (fields.present("name")) {
    changes.name = fields.line("name", kMaxNameCharacters, Presence::required);
  }
  if (fields.is_null("organisation")) {
    changes.organisation = std::optional<std::string>{};
  } else if (fields.present("organisation")) {
    if (auto organisation = fields.line("organisation", kMaxNameCharacters, Presence::required))
      changes.organisation = std::optional<std::string>{*organisation};
  }
  if (fields.present("timezone")) changes.zone = fields.zone("timezone", Presence::required);
  if (fields.present("language")) {
    changes.language = read_language(fields);
    if (!changes.language && !fields.failed("language")) fields.fail("language", "must not be null");
  }
  if (fields.present("answers")) {
    changes.answers = read_answers(fields);
    if (!changes.answers && !fields.failed("answers")) fields.fail("answers", "must not be null");
  }
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  return changes;
}

Registration apply(const Registration& current, const RegistrationChanges& changes) {
  Registration next = current;
  if (changes.name) next.name = *changes.name;
  if (changes.organisation) next.organisation = *changes.organisation;
  if (changes.zone) next.zone = *changes.zone;
  if (changes.language) next.language = *changes.language;
  return next;
}

bool can_cancel(RegistrationStatus status) { return status != RegistrationStatus::rejected; }

}  // namespace convene
