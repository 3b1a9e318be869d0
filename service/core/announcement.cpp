#include "convene/announcement.hpp"

#include <algorithm>

#include "field_reader.hpp"

namespace convene {

using detail::FieldReader;
using detail::Presence;

namespace {

// A subject and a body, as the announcement or one of its translations gives them.
std::optional<AnnouncementText> read_text(FieldReader& fields) {
  auto subject = fields.line("subject", kMaxAnnouncementSubjectCharacters, Presence::required);
  auto body = fields.paragraph("body", kMaxAnnouncementBodyCharacters);
  if (!fields.present("body") || (body && body->empty())) fields.fail("body", "is required");
  if (!subject || !body || body->empty()) return std::nullopt;
  return AnnouncementText{*subject, *body};
}

}  // namespace

std::expected<AnnouncementRequest, FieldErrors> parse_announcement_request(const nlohmann::json& body) {
  FieldReader fields(body);
  AnnouncementRequest request;
  const auto text = read_text(fields);
  if (text) request.text = *text;
  request.language = fields.parsed("language", Presence::optional, parse_language, kLanguageExpected)
                         .value_or(Language::en);
  if (const nlohmann::json* translations = fields.find("translations")) {
    if (!translations->is_object()) {
      fields.fail("translations", "must be an object of languages, each with a subject and a body");
    } else {
      for (const auto& [code, translation] : translations->items()) {
        const auto language = parse_language(code);
        FieldReader inner(translation, "translations." + code + ".");
        const auto translated = read_text(inner);
        for (auto& error : inner.take_errors()) fields.fail(error.field, error.message);
        if (!language) fields.fail("translations." + code, std::string(kLanguageExpected));
        else if (translated) request.translations[*language] = *translated;
      }
    }
  }
  request.audience = {Audience::confirmed, Audience::waitlisted, Audience::pending};
  if (const nlohmann::json* audience = fields.find("audience")) {
    request.audience.clear();
    const std::string expected = "must be a non-empty list of confirmed, waitlisted, pending, attended, did_not_attend";
    if (!audience->is_array() || audience->empty()) fields.fail("audience", expected);
    else {
      for (const auto& item : *audience) {
        const auto group = item.is_string() ? kAudienceNames.parse(item.get<std::string>()) : std::nullopt;
        if (!group) fields.fail("audience", expected);
        else if (std::find(request.audience.begin(), request.audience.end(), *group) == request.audience.end())
          request.audience.push_back(*group);
      }
    }
  }
  request.send_at = fields.instant("send_at", Presence::optional);
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  return request;
}

}  // namespace convene
