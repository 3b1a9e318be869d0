// What a registrant may send (POST /events/{slug}/registrations, PATCH /registrations/{token}).
//
// Sources: docs/api.md "Registration" for fields and limits (name and
// organisation 1-200 characters after trimming, whitespace-only is empty; email at most 254;
// country an assigned ISO 3166-1 code; answers at most 16 KiB and 8 levels deep; consent: true;
// 422 with one errors entry per bad field). E-mail syntax: RFC 5321 section 4.5.3.1.3 (a path is at
// most 256 octets including the angle brackets, so an address is at most 254) and RFC 5322 section
// 3.4.1 dot-atom (no leading, trailing or doubled dot; no spaces). Zone links (Asia/Katmandu ->
// Asia/Kathmandu, Asia/Calcutta -> Asia/Kolkata): the tz database "backward" file, as listed in
// /usr/share/zoneinfo/tzdata.zi ("L Asia/Kathmandu Asia/Katmandu").
#include <gtest/gtest.h>

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "convene/registration.hpp"

namespace convene {
namespace {

using nlohmann::json;

json valid_body() {
  return {{"email", "ada@example.org"},
          {"name", "Ada Lovelace"},
          {"organisation", "Analytical Engine Society"},
          {"country", "GB"},
          {"timezone", "Europe/London"},
          {"language", "fr-CA"},
          {"answers", {{"diet", "vegetarian"}, {"sessions", {1, 2}}}},
          {"consent", true}};
}

std::string describe(const FieldErrors& errors) {
  std::string out = "[";
  for (const auto& e : errors) out += " {" + e.field + ": " + e.message + "}";
  return out + " ]";
}

// {"level": {"level": ... "leaf"}} with `levels` nested objects (the outermost counts as one).
json nested_objects(int levels) {
  json value = "leaf";
  for (int i = 0; i < levels; ++i) value = json{{"level", value}};
  return value;
}

// local@domain of exactly `octets` octets, every part well-formed (labels at most 63 octets,
// local part at most 64), so that only the total length can make it invalid.
std::string email_of_length(std::size_t octets) {
  // 64 + "@" + 63 + "." + 63 + "." + n + ".org" = 197 + n octets.
  const std::string email = std::string(64, 'a') + "@" + std::string(63, 'b') + "." +
                            std::string(63, 'c') + "." + std::string(octets - 197, 'd') + ".org";
  EXPECT_EQ(email.size(), octets);
  return email;
}

std::string errors_of(const std::expected<RegistrationRequest, FieldErrors>& parsed) {
  return parsed ? "accepted" : describe(parsed.error());
}

TEST(RegistrationRequest, ValidFullBodyIsReadAsGiven) {
  const auto parsed = parse_registration_request(valid_body());
  ASSERT_TRUE(parsed.has_value()) << describe(parsed.error());
  EXPECT_EQ(parsed->email.text(), "ada@example.org");
  EXPECT_EQ(parsed->name, "Ada Lovelace");
  EXPECT_EQ(parsed->organisation, "Analytical Engine Society");
  ASSERT_TRUE(parsed->country.has_value());
  EXPECT_EQ(parsed->country->code(), "GB");
  ASSERT_TRUE(parsed->zone.has_value());
  EXPECT_EQ(parsed->zone->name(), "Europe/London");
  EXPECT_EQ(parsed->language, Language::fr);
  EXPECT_EQ(parsed->answers, (json{{"diet", "vegetarian"}, {"sessions", {1, 2}}}));
}

TEST(RegistrationRequest, MinimalBodyLeavesOptionalFieldsEmpty) {
  const auto parsed = parse_registration_request(
      json{{"email", "ada@example.org"}, {"name", "Ada"}, {"consent", true}});
  ASSERT_TRUE(parsed.has_value()) << describe(parsed.error());
  EXPECT_FALSE(parsed->organisation.has_value());
  EXPECT_FALSE(parsed->country.has_value());
  EXPECT_FALSE(parsed->zone.has_value());
  EXPECT_FALSE(parsed->language.has_value());
  EXPECT_EQ(parsed->answers, json::object());
}

// One field replaced (or removed) in an otherwise valid body.
struct BadFieldCase {
  std::string label;
  std::string field;
  json value;            // ignored when `remove`
  bool remove = false;
};

class RegistrationRequestBadField : public ::testing::TestWithParam<BadFieldCase> {};

TEST_P(RegistrationRequestBadField, YieldsExactlyOneErrorNamingTheField) {
  const auto& c = GetParam();
  json body = valid_body();
  if (c.remove) body.erase(c.field);
  else body[c.field] = c.value;
  const auto parsed = parse_registration_request(body);
  ASSERT_FALSE(parsed.has_value()) << c.label << ": was accepted";
  ASSERT_EQ(parsed.error().size(), 1u) << c.label << ": " << describe(parsed.error());
  EXPECT_EQ(parsed.error().front().field, c.field) << c.label;
  EXPECT_FALSE(parsed.error().front().message.empty()) << c.label;
}

BadFieldCase bad(std::string label, std::string field, json value) {
  return {std::move(label), std::move(field), std::move(value), false};
}
BadFieldCase missing(std::string label, std::string field) {
  return {std::move(label), std::move(field), nullptr, true};
}

INSTANTIATE_TEST_SUITE_P(
    Registration, RegistrationRequestBadField,
    ::testing::Values(
        missing("email_missing", "email"),
        bad("email_null", "email", nullptr),
        bad("email_not_a_string", "email", 42),
        bad("email_empty", "email", ""),
        bad("email_without_at", "email", "ada.example.org"),
        bad("email_without_dot_in_domain", "email", "ada@localhost"),
        bad("email_with_inner_space", "email", "ada lovelace@example.org"),
        bad("email_with_space_in_domain", "email", "ada@exam ple.org"),
        bad("email_255_octets", "email", email_of_length(255)),
        bad("email_1000_octets", "email", std::string(990, 'a') + "@example.org"),
        bad("email_local_leading_dot", "email", ".ada@example.org"),
        bad("email_local_trailing_dot", "email", "ada.@example.org"),
        bad("email_local_double_dot", "email", "ada..lovelace@example.org"),
        bad("email_domain_double_dot", "email", "ada@example..org"),
        bad("email_domain_leading_dot", "email", "ada@.example.org"),
        bad("email_two_ats", "email", "ada@lovelace@example.org"),
        bad("email_empty_local_part", "email", "@example.org"),
        // RFC 5321 4.1.3: an address literal needs brackets; RFC 3696 2: a TLD is never all-numeric.
        bad("email_ip_address_without_brackets", "email", "ada@192.168.0.1"),
        missing("name_missing", "name"),
        bad("name_null", "name", nullptr),
        bad("name_empty", "name", ""),
        bad("name_ascii_whitespace_only", "name", "   \t "),
        bad("name_unicode_whitespace_only", "name", "\u00A0\u3000\uFEFF"),
        bad("name_201_characters", "name", std::string(201, 'a')),
        bad("name_with_line_feed", "name", "Ada\nLovelace"),
        bad("name_with_carriage_return", "name", "Ada\rLovelace"),
        bad("name_with_line_separator", "name", "Ada\u2028Lovelace"),
        bad("name_not_a_string", "name", json::array({"Ada"})),
        bad("organisation_whitespace_only", "organisation", " \u3000 "),
        bad("organisation_empty", "organisation", ""),
        bad("organisation_201_characters", "organisation", std::string(201, 'o')),
        bad("organisation_not_a_string", "organisation", 7),
        bad("country_unassigned_XX", "country", "XX"),
        bad("country_UK_not_assigned", "country", "UK"),
        bad("country_alpha3", "country", "NPL"),
        bad("country_not_a_string", "country", 524),
        bad("timezone_unknown", "timezone", "Mars/Base"),
        bad("timezone_empty", "timezone", ""),
        bad("timezone_not_a_string", "timezone", -4),
        bad("language_unsupported_de", "language", "de"),
        bad("language_empty", "language", ""),
        bad("language_not_a_string", "language", true),
        bad("consent_false", "consent", false),
        missing("consent_missing", "consent"),
        bad("consent_null", "consent", nullptr),
        bad("consent_string_true", "consent", "true"),
        bad("consent_number_one", "consent", 1),
        bad("answers_array", "answers", json::array({"a"})),
        bad("answers_string", "answers", "vegetarian"),
        bad("answers_9_levels_deep", "answers", nested_objects(9)),
        bad("answers_over_16_KiB", "answers", json{{"note", std::string(16 * 1024, 'x')}})),
    [](const auto& info) { return info.param.label; });

// Boundary values just inside each limit.
struct GoodFieldCase {
  std::string label;
  std::string field;
  json value;
};

class RegistrationRequestGoodField : public ::testing::TestWithParam<GoodFieldCase> {};

TEST_P(RegistrationRequestGoodField, IsAccepted) {
  const auto& c = GetParam();
  json body = valid_body();
  body[c.field] = c.value;
  const auto parsed = parse_registration_request(body);
  EXPECT_TRUE(parsed.has_value()) << c.label << ": " << errors_of(parsed);
}

INSTANTIATE_TEST_SUITE_P(
    Registration, RegistrationRequestGoodField,
    ::testing::Values(
        GoodFieldCase{"email_254_octets", "email", email_of_length(254)},
        GoodFieldCase{"email_plus_and_subdomain", "email", "ada+convene@mail.example.co.uk"},
        GoodFieldCase{"email_internationalised_rfc6531", "email", "अनु@उदाहरण.भारत"},
        GoodFieldCase{"name_200_ascii_characters", "name", std::string(200, 'a')},
        GoodFieldCase{"name_one_character", "name", "A"},
        GoodFieldCase{"organisation_null_means_none", "organisation", nullptr},
        GoodFieldCase{"organisation_200_characters", "organisation", std::string(200, 'o')},
        GoodFieldCase{"country_lower_case", "country", "np"},
        GoodFieldCase{"timezone_utc", "timezone", "UTC"},
        GoodFieldCase{"timezone_chatham", "timezone", "Pacific/Chatham"},
        GoodFieldCase{"language_zh_hans_cn", "language", "zh-Hans-CN"},
        GoodFieldCase{"answers_empty_object", "answers", json::object()},
        GoodFieldCase{"answers_8_levels_deep", "answers", nested_objects(8)},
        // {"note":"..."} is 11 octets plus the note: exactly 16 KiB in all.
        GoodFieldCase{"answers_exactly_16_KiB", "answers", json{{"note", std::string(16 * 1024 - 11, 'x')}}},
        GoodFieldCase{"answers_null_means_none", "answers", nullptr}),
    [](const auto& info) { return info.param.label; });

TEST(RegistrationRequest, SeveralBadFieldsGiveOneEntryEach) {
  json body = valid_body();
  body["email"] = "not-an-address";
  body["name"] = "   ";
  body["country"] = "XX";
  body["timezone"] = "Mars/Base";
  body["language"] = "de";
  body["consent"] = false;
  body["answers"] = json::array();
  const auto parsed = parse_registration_request(body);
  ASSERT_FALSE(parsed.has_value());
  std::multiset<std::string> fields;
  for (const auto& e : parsed.error()) fields.insert(e.field);
  EXPECT_EQ(fields, (std::multiset<std::string>{"email", "name", "country", "timezone", "language",
                                                "consent", "answers"}))
      << describe(parsed.error());
}

TEST(RegistrationRequest, UnknownFieldsAreIgnored) {
  json body = valid_body();
  body["status"] = "confirmed";  // a registrant cannot choose their own status
  body["id"] = 1;
  body["favourite_colour"] = {{"r", 255}};
  const auto parsed = parse_registration_request(body);
  ASSERT_TRUE(parsed.has_value()) << describe(parsed.error());
  EXPECT_EQ(parsed->name, "Ada Lovelace");
}

TEST(RegistrationRequest, NonObjectBodyIsOneErrorAboutTheBody) {
  for (const json& body : {json::array({valid_body()}), json("ada@example.org"), json(nullptr), json(1)}) {
    const auto parsed = parse_registration_request(body);
    ASSERT_FALSE(parsed.has_value()) << body.dump();
    // The body itself is what is wrong; "email is required" and the like would mislead.
    ASSERT_EQ(parsed.error().size(), 1u) << body.dump() << ": " << describe(parsed.error());
    EXPECT_EQ(parsed.error().front().field, "body") << body.dump();
  }
}

TEST(RegistrationRequest, EmailKeepsTheCaseItWasGivenIn) {
  json body = valid_body();
  body["email"] = "Ada.Lovelace@Example.ORG";
  const auto parsed = parse_registration_request(body);
  ASSERT_TRUE(parsed.has_value()) << describe(parsed.error());
  EXPECT_EQ(parsed->email.text(), "Ada.Lovelace@Example.ORG");
}

TEST(RegistrationRequest, EmailAndNameAreTrimmed) {
  json body = valid_body();
  body["email"] = "  ada@example.org\u00A0";
  body["name"] = "\u3000 Ada Lovelace \n";
  body["organisation"] = " UNDP ";
  const auto parsed = parse_registration_request(body);
  ASSERT_TRUE(parsed.has_value()) << describe(parsed.error());
  EXPECT_EQ(parsed->email.text(), "ada@example.org");
  EXPECT_EQ(parsed->name, "Ada Lovelace");
  EXPECT_EQ(parsed->organisation, "UNDP");
}

TEST(RegistrationRequest, NameOfExactly200DevanagariCharactersIsAccepted) {
  // "नमस्ते" is 6 code points (Python: len("नमस्ते") == 6); 33 of them and "नम" make 200 code
  // points, 600 octets.
  std::string name;
  for (int i = 0; i < 33; ++i) name += "नमस्ते";
  name += "नम";
  ASSERT_EQ(name.size(), 600u);
  json body = valid_body();
  body["name"] = name;
  const auto parsed = parse_registration_request(body);
  ASSERT_TRUE(parsed.has_value()) << describe(parsed.error());
  EXPECT_EQ(parsed->name, name);

  body["name"] = name + "क";  // 201 code points
  const auto longer = parse_registration_request(body);
  ASSERT_FALSE(longer.has_value());
  ASSERT_EQ(longer.error().size(), 1u) << describe(longer.error());
  EXPECT_EQ(longer.error().front().field, "name");
}

TEST(RegistrationRequest, OldZoneNameIsCanonicalised) {
  json body = valid_body();
  body["timezone"] = "Asia/Katmandu";
  auto parsed = parse_registration_request(body);
  ASSERT_TRUE(parsed.has_value()) << describe(parsed.error());
  ASSERT_TRUE(parsed->zone.has_value());
  EXPECT_EQ(parsed->zone->name(), "Asia/Kathmandu");
  EXPECT_EQ(*parsed->zone, *TimeZone::find("Asia/Kathmandu"));

  body["timezone"] = "Asia/Calcutta";
  parsed = parse_registration_request(body);
  ASSERT_TRUE(parsed.has_value()) << describe(parsed.error());
  EXPECT_EQ(parsed->zone->name(), "Asia/Kolkata");
}

TEST(RegistrationRequest, HostileLookingNamesAreKeptVerbatim) {
  for (const std::string name : {"Robert'); DROP TABLE registrations;--", "<script>alert(1)</script>",
                                 "=HYPERLINK(\"http://x\")", "%s%n%x", "O'Brien & \"Sons\""}) {
    json body = valid_body();
    body["name"] = name;
    body["organisation"] = name;
    const auto parsed = parse_registration_request(body);
    ASSERT_TRUE(parsed.has_value()) << name << ": " << describe(parsed.error());
    EXPECT_EQ(parsed->name, name);
    EXPECT_EQ(parsed->organisation, name);
  }
}

TEST(RegistrationRequest, CountryIsUpperCased) {
  json body = valid_body();
  body["country"] = "np";
  const auto parsed = parse_registration_request(body);
  ASSERT_TRUE(parsed.has_value()) << describe(parsed.error());
  EXPECT_EQ(parsed->country->code(), "NP");
}

// PATCH /registrations/{token}

TEST(RegistrationChanges, AbsentFieldsStayUnchanged) {
  const auto changes = parse_registration_changes(json::object());
  ASSERT_TRUE(changes.has_value()) << describe(changes.error());
  EXPECT_FALSE(changes->name.has_value());
  EXPECT_FALSE(changes->organisation.has_value());
  EXPECT_FALSE(changes->zone.has_value());
  EXPECT_FALSE(changes->language.has_value());
}

TEST(RegistrationChanges, EveryFieldCanBeChanged) {
  const auto changes = parse_registration_changes(
      json{{"name", " Ada King "}, {"organisation", "Royal Society"}, {"timezone", "Asia/Katmandu"}, {"language", "ar"}});
  ASSERT_TRUE(changes.has_value()) << describe(changes.error());
  EXPECT_EQ(changes->name, "Ada King");
  ASSERT_TRUE(changes->organisation.has_value());
  EXPECT_EQ(*changes->organisation, "Royal Society");
  ASSERT_TRUE(changes->zone.has_value());
  EXPECT_EQ(changes->zone->name(), "Asia/Kathmandu");
  EXPECT_EQ(changes->language, Language::ar);
}

TEST(RegistrationChanges, OrganisationNullClearsIt) {
  const auto changes = parse_registration_changes(json{{"organisation", nullptr}});
  ASSERT_TRUE(changes.has_value()) << describe(changes.error());
  ASSERT_TRUE(changes->organisation.has_value()) << "null must mean 'clear', not 'unchanged'";
  EXPECT_FALSE(changes->organisation->has_value());

  Registration current{.zone = TimeZone::utc()};
  current.name = "Ada";
  current.organisation = "UNDP";
  const Registration next = apply(current, *changes);
  EXPECT_FALSE(next.organisation.has_value());
  EXPECT_EQ(next.name, "Ada");
}

struct ChangeErrorCase {
  std::string label;
  json body;
  std::string field;
};

class RegistrationChangesError : public ::testing::TestWithParam<ChangeErrorCase> {};

TEST_P(RegistrationChangesError, NamesTheField) {
  const auto& c = GetParam();
  const auto changes = parse_registration_changes(c.body);
  ASSERT_FALSE(changes.has_value()) << c.label << ": was accepted";
  ASSERT_EQ(changes.error().size(), 1u) << c.label << ": " << describe(changes.error());
  EXPECT_EQ(changes.error().front().field, c.field) << c.label;
}

INSTANTIATE_TEST_SUITE_P(
    Registration, RegistrationChangesError,
    ::testing::Values(ChangeErrorCase{"name_null", json{{"name", nullptr}}, "name"},
                      ChangeErrorCase{"name_whitespace_only", json{{"name", " \u00A0 "}}, "name"},
                      ChangeErrorCase{"name_too_long", json{{"name", std::string(201, 'a')}}, "name"},
                      ChangeErrorCase{"language_null", json{{"language", nullptr}}, "language"},
                      ChangeErrorCase{"language_unsupported", json{{"language", "de"}}, "language"},
                      ChangeErrorCase{"timezone_null", json{{"timezone", nullptr}}, "timezone"},
                      ChangeErrorCase{"timezone_unknown", json{{"timezone", "Mars/Base"}}, "timezone"},
                      ChangeErrorCase{"organisation_whitespace_only", json{{"organisation", "  "}}, "organisation"},
                      ChangeErrorCase{"body_not_an_object", json::array(), "body"}),
    [](const auto& info) { return info.param.label; });

TEST(RegistrationChanges, ApplyChangesOnlyWhatWasGiven) {
  Registration current{.zone = TimeZone::utc()};
  current.name = "Ada";
  current.organisation = "UNDP";
  current.language = Language::en;
  const auto changes = parse_registration_changes(json{{"language", "ru"}, {"email", "other@example.org"}});
  ASSERT_TRUE(changes.has_value()) << describe(changes.error());
  const Registration next = apply(current, *changes);
  EXPECT_EQ(next.language, Language::ru);
  EXPECT_EQ(next.name, "Ada");
  EXPECT_EQ(next.organisation, "UNDP");
  EXPECT_EQ(next.zone, TimeZone::utc());
}

TEST(RegistrationStatusText, RoundTripsAndMatchesTheApiSpelling) {
  const std::pair<RegistrationStatus, std::string_view> expected[] = {
      {RegistrationStatus::confirmed, "confirmed"}, {RegistrationStatus::waitlisted, "waitlisted"},
      {RegistrationStatus::pending, "pending"},     {RegistrationStatus::cancelled, "cancelled"},
      {RegistrationStatus::rejected, "rejected"}};
  for (const auto& [status, text] : expected) {
    EXPECT_EQ(to_string(status), text);
    EXPECT_EQ(parse_registration_status(text), status) << text;
  }
  EXPECT_FALSE(parse_registration_status("Confirmed").has_value());
  EXPECT_FALSE(parse_registration_status("").has_value());
  EXPECT_FALSE(parse_registration_status("canceled").has_value());
}

TEST(RegistrationCancel, RejectedStaysRejected) {
  EXPECT_TRUE(can_cancel(RegistrationStatus::confirmed));
  EXPECT_TRUE(can_cancel(RegistrationStatus::waitlisted));
  EXPECT_TRUE(can_cancel(RegistrationStatus::pending));
  EXPECT_TRUE(can_cancel(RegistrationStatus::cancelled));  // idempotent
  EXPECT_FALSE(can_cancel(RegistrationStatus::rejected));
}

}  // namespace
}  // namespace convene
