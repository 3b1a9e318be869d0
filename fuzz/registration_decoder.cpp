// Fuzz target: the registration request decoder and validator (POST /events/{slug}/registrations
// and PATCH /registrations/{token}), fed request bodies as the HTTP edge reads them.
//
// Input: the raw request body. Like http::json_body, text that is not UTF-8, not JSON or nested more
// than 20 levels is refused before the decoder sees it (that refusal is fuzzed by http_routes).
//
// Properties:
//  - accepted: every field is what the body said, checked: the e-mail is trimmed, at most 254
//    octets, one '@', no spaces or control characters, and parses again to itself; name and
//    organisation are trimmed, 1-200 characters, one line of valid UTF-8; the country is an upper-
//    case assigned code; the zone is the catalogue's canonical zone for the name given; answers are
//    the object given (at most 16 KiB, 8 levels); consent was `true`. Writing the accepted values
//    back into a body and decoding it again gives the same values.
//  - refused: at least one error, each naming a field the request has (or "body" alone when the body
//    is not an object), no field named twice, every message non-empty; and each field is judged on
//    its own: a known-good body with just that field taken from the input is refused on that field
//    exactly when the input was, and on no other.
//  - the PATCH decoder judges name, organisation, timezone and language the same way.
#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "convene/locale.hpp"
#include "convene/registration.hpp"
#include "convene/text.hpp"
#include "fuzz_common.hpp"

using nlohmann::json;
using namespace convene;

namespace {

constexpr const char* kRequestFields[] = {"email", "name", "organisation", "country",
                                          "timezone", "language", "answers", "consent"};
constexpr const char* kChangeFields[] = {"name", "organisation", "timezone", "language", "answers"};

// http::json_body, minus the HTTP: UTF-8 first, then JSON nested at most 20 levels.
std::optional<json> read_body(std::string_view text) {
  if (!is_valid_utf8(text)) return std::nullopt;
  bool too_deep = false;
  auto limit_depth = [&](int depth, json::parse_event_t, json&) {
    if (depth > 20) too_deep = true;
    return !too_deep;
  };
  try {
    auto body = json::parse(text, limit_depth);
    if (too_deep) return std::nullopt;
    return body;
  } catch (const json::exception&) {  // as json_body: parse errors and out-of-range numbers (1e999)
    return std::nullopt;
  }
}

std::string describe(const FieldErrors& errors) {
  std::string out;
  for (const auto& e : errors) out += "{" + e.field + ": " + e.message + "} ";
  return out;
}

bool has_error(const FieldErrors& errors, std::string_view field) {
  return std::any_of(errors.begin(), errors.end(), [&](const FieldError& e) { return e.field == field; });
}

// The value the body gives a field: nullptr when absent or null (null means "not given").
const json* given(const json& body, const char* field) {
  if (!body.is_object()) return nullptr;
  auto it = body.find(field);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

int depth_of(const json& value) {
  if (!value.is_structured()) return 0;
  int deepest = 0;
  for (const auto& child : value) deepest = std::max(deepest, depth_of(child));
  return deepest + 1;
}

// One line of text as the decoder must leave it.
void check_line(const std::string& value, const json* raw, const char* field) {
  FUZZ_CHECK(raw != nullptr && raw->is_string(), std::string(field) + " accepted without a string");
  FUZZ_CHECK(value == trim(raw->get_ref<const std::string&>()), std::string(field) + ": " + fuzz::show(value));
  FUZZ_CHECK(!value.empty(), field);
  FUZZ_CHECK(is_valid_utf8(value), std::string(field) + ": " + fuzz::show(value));
  FUZZ_CHECK(!has_line_breaking_or_control_characters(value), std::string(field) + ": " + fuzz::show(value));
  FUZZ_CHECK(code_point_count(value) <= kMaxNameCharacters, field);
  FUZZ_CHECK(trim(value) == value, std::string(field) + " not trimmed: " + fuzz::show(value));
}

void check_accepted(const json& body, const RegistrationRequest& r) {
  FUZZ_CHECK(body.is_object());
  // E-mail.
  const json* email = given(body, "email");
  FUZZ_CHECK(email != nullptr && email->is_string());
  const std::string& address = r.email.text();
  FUZZ_CHECK(address == trim(email->get_ref<const std::string&>()), fuzz::show(address));
  FUZZ_CHECK(!address.empty() && address.size() <= kMaxEmailOctets, fuzz::show(address));
  FUZZ_CHECK(std::count(address.begin(), address.end(), '@') == 1, fuzz::show(address));
  FUZZ_CHECK(address.find(' ') == std::string::npos, fuzz::show(address));
  FUZZ_CHECK(is_valid_utf8(address) && !has_line_breaking_or_control_characters(address), fuzz::show(address));
  const std::size_t at = address.find('@');
  FUZZ_CHECK(at > 0 && at <= 64, fuzz::show(address));
  FUZZ_CHECK(address.find('.', at) != std::string::npos, "domain without a dot: " + fuzz::show(address));
  auto again = Email::parse(address);
  FUZZ_CHECK(again && again->text() == address, fuzz::show(address));
  // Name and organisation.
  check_line(r.name, given(body, "name"), "name");
  if (const json* organisation = given(body, "organisation")) {
    FUZZ_CHECK(r.organisation.has_value());
    check_line(*r.organisation, organisation, "organisation");
  } else {
    FUZZ_CHECK(!r.organisation.has_value());
  }
  // Country: an upper-case pair of letters, the one given in either case.
  if (const json* country = given(body, "country")) {
    FUZZ_CHECK(r.country.has_value() && country->is_string());
    const std::string_view code = r.country->code();
    FUZZ_CHECK(code.size() == 2 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z');
    std::string upper = country->get<std::string>();
    for (char& ch : upper) ch = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 32) : ch;
    FUZZ_CHECK(upper == code, fuzz::show(upper) + " became " + std::string(code));
    FUZZ_CHECK(CountryCode::parse(code) == r.country);
  } else {
    FUZZ_CHECK(!r.country.has_value());
  }
  // Zone: the catalogue's zone for the name (a link resolves to its canonical name).
  if (const json* zone = given(body, "timezone")) {
    FUZZ_CHECK(r.zone.has_value() && zone->is_string());
    FUZZ_CHECK(TimeZone::find(zone->get_ref<const std::string&>()) == r.zone);
    const auto& names = canonical_zone_names();
    FUZZ_CHECK(std::binary_search(names.begin(), names.end(), std::string(r.zone->name())),
               "not canonical: " + std::string(r.zone->name()));
    FUZZ_CHECK(TimeZone::find(r.zone->name()) == r.zone);
  } else {
    FUZZ_CHECK(!r.zone.has_value());
  }
  if (const json* language = given(body, "language")) {
    FUZZ_CHECK(language->is_string() && r.language.has_value());
    FUZZ_CHECK(parse_language(language->get_ref<const std::string&>()) == r.language);
    FUZZ_CHECK(parse_language(to_string(*r.language)) == r.language);
  } else {
    FUZZ_CHECK(!r.language.has_value());
  }
  // Answers: the object given, within the limits.
  FUZZ_CHECK(r.answers.is_object());
  if (const json* answers = given(body, "answers")) {
    FUZZ_CHECK(r.answers == *answers);
  } else {
    FUZZ_CHECK(r.answers.empty());
  }
  FUZZ_CHECK(depth_of(r.answers) <= kMaxAnswersDepth);
  FUZZ_CHECK(r.answers.dump().size() <= kMaxAnswersOctets);
  const json* consent = given(body, "consent");
  FUZZ_CHECK(consent != nullptr && consent->is_boolean() && consent->get<bool>());

  // The accepted values, written back, are accepted as the same values.
  json written = {{"email", r.email.text()}, {"name", r.name}, {"consent", true}, {"answers", r.answers}};
  if (r.organisation) written["organisation"] = *r.organisation;
  if (r.country) written["country"] = std::string(r.country->code());
  if (r.zone) written["timezone"] = std::string(r.zone->name());
  if (r.language) written["language"] = std::string(to_string(*r.language));
  const auto reread = parse_registration_request(written);
  FUZZ_CHECK(reread.has_value(), "written back and refused: " + describe(reread.error()));
  FUZZ_CHECK(reread->email.text() == r.email.text() && reread->name == r.name &&
             reread->organisation == r.organisation && reread->country == r.country && reread->zone == r.zone &&
             reread->language == r.language && reread->answers == r.answers);
}

void check_refused(const json& body, const FieldErrors& errors) {
  FUZZ_CHECK(!errors.empty());
  std::set<std::string> named;
  for (const auto& e : errors) {
    const bool known = e.field == "body" || std::any_of(std::begin(kRequestFields), std::end(kRequestFields),
                                                        [&](const char* f) { return e.field == f; });
    FUZZ_CHECK(known, "unknown field in error: " + fuzz::show(e.field));
    FUZZ_CHECK(named.insert(e.field).second, "field named twice: " + e.field);
    FUZZ_CHECK(!e.message.empty(), e.field);
  }
  if (!body.is_object()) {
    FUZZ_CHECK(errors.size() == 1 && errors.front().field == "body", describe(errors));
  } else {
    FUZZ_CHECK(!has_error(errors, "body"), describe(errors));
  }
}

// Each field judged on its own: a good body with only `field` taken from the input.
void check_fields_independent(const json& body, const std::expected<RegistrationRequest, FieldErrors>& parsed) {
  if (!body.is_object()) return;
  const json good = {{"email", "ada@example.org"}, {"name", "Ada Lovelace"}, {"consent", true}};
  for (const char* field : kRequestFields) {
    json probe = good;
    if (body.contains(field)) {
      probe[field] = body.at(field);
    } else {
      probe.erase(field);
    }
    const auto alone = parse_registration_request(probe);
    const bool refused_alone = !alone.has_value() && has_error(alone.error(), field);
    const bool refused_in_input = !parsed.has_value() && has_error(parsed.error(), field);
    FUZZ_CHECK(refused_alone == refused_in_input,
               std::string(field) + (refused_in_input ? " refused in the input but not alone"
                                                      : " refused alone but not in the input"));
    if (!alone.has_value()) {
      for (const auto& e : alone.error())
        FUZZ_CHECK(e.field == field, std::string("changing ") + field + " alone made " + e.field + " fail");
    }
  }
}

// PATCH: the same judgement of the same fields; absent fields stay absent.
void check_changes(const json& body, const std::expected<RegistrationRequest, FieldErrors>& request) {
  const auto changes = parse_registration_changes(body);
  if (!body.is_object()) {
    FUZZ_CHECK(!changes.has_value() && changes.error().size() == 1 && changes.error().front().field == "body");
    return;
  }
  if (!changes) {
    for (const auto& e : changes.error()) {
      FUZZ_CHECK(std::any_of(std::begin(kChangeFields), std::end(kChangeFields), [&](const char* f) { return e.field == f; }),
                 "unknown field in error: " + fuzz::show(e.field));
    }
  }
  for (const char* field : kChangeFields) {
    const bool refused = !changes.has_value() && has_error(changes.error(), field);
    if (!body.contains(field)) {
      FUZZ_CHECK(!refused, field);
      continue;
    }
    // organisation: null clears it; language and answers: null is refused; the others: null is "required".
    if (body.at(field).is_null()) {
      FUZZ_CHECK(refused == (std::string_view(field) != "organisation"), field);
      continue;
    }
    const bool refused_in_request = !request.has_value() && has_error(request.error(), field);
    FUZZ_CHECK(refused == refused_in_request, std::string(field) + " judged differently by POST and PATCH");
  }
  if (changes) {
    const Registration current{.name = "Before", .organisation = "Before Org", .zone = TimeZone::utc()};
    const Registration next = apply(current, *changes);
    if (body.contains("name")) {
      FUZZ_CHECK(changes->name && next.name == *changes->name);
      check_line(next.name, given(body, "name"), "name");
    } else {
      FUZZ_CHECK(next.name == "Before");
    }
    if (body.contains("organisation")) {
      FUZZ_CHECK(body.at("organisation").is_null() ? !next.organisation.has_value() : next.organisation.has_value());
      if (next.organisation) check_line(*next.organisation, given(body, "organisation"), "organisation");
    } else {
      FUZZ_CHECK(next.organisation == std::optional<std::string>("Before Org"));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = read_body(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!body) return 0;
  const auto parsed = parse_registration_request(*body);
  if (parsed) {
    check_accepted(*body, *parsed);
  } else {
    check_refused(*body, parsed.error());
  }
  check_fields_independent(*body, parsed);
  check_changes(*body, parsed);
  return 0;
}
