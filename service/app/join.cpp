#include "app/join.hpp"

#include "app/secrets.hpp"
#include "convene/mail.hpp"
#include "convene/messages.hpp"

namespace convene::app {
namespace {

JoinAnswer page(int status, Language language, std::string_view title_key, std::string_view body_key,
                const std::map<std::string, std::string>& values) {
  const Catalogue& words = Catalogue::of(language);
  const std::string title = words.text(title_key, values);
  const std::string body = words.text(body_key, values);
  const char* dir = is_right_to_left(language) ? "rtl" : "ltr";
  return {status, std::nullopt,
          "<!DOCTYPE html>\n<html lang=\"" + std::string(to_string(language)) + "\" dir=\"" + dir +
              "\">\n<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, "
              "initial-scale=1\"><title>" + mail::html_escape(title) + "</title></head>\n<body>\n<main>\n<h1>" +
              mail::html_escape(title) + "</h1>\n<p>" + mail::html_escape(body) + "</p>\n</main>\n</body>\n</html>\n"};
}

}  // namespace

JoinAnswer follow_join_link(Context& context, std::string_view join_token) {
  if (!context.tokens.may_exist(join_token))
    return page(404, Language::en, "join.unknown.title", "join.unknown.body", {});
  const Instant now = context.clock();
  return context.store.autocommit([&](store::Transaction& tx) -> JoinAnswer {
    auto registration = tx.join_by_token_hash(sha256(join_token), now);
    if (!registration) return page(404, Language::en, "join.unknown.title", "join.unknown.body", {});
    auto event = tx.event_by_id(registration->event_id);
    if (!event) return page(404, Language::en, "join.unknown.title", "join.unknown.body", {});
    const std::map<std::string, std::string> values{{"event", event->title}};
    const Language language = registration->language;
    if (event->status == EventStatus::cancelled)
      return page(410, language, "join.event_cancelled.title", "join.event_cancelled.body", values);
    switch (registration->status) {
      case RegistrationStatus::cancelled:
      case RegistrationStatus::rejected:
        return page(410, language, "join.ended.title", "join.ended.body", values);
      case RegistrationStatus::waitlisted:
      case RegistrationStatus::pending:
        return page(403, language, "join.not_confirmed.title", "join.not_confirmed.body", values);
      case RegistrationStatus::confirmed:
        break;
    }
    if (!event->join_url) return page(200, language, "join.not_yet.title", "join.not_yet.body", values);
    return {302, *event->join_url, ""};
  });
}

}  // namespace convene::app
