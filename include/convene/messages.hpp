// What the notifications say, in the registrant's language (the six UN languages, from the
// catalogues in i18n/), with every time shown in the registrant's zone and in the event's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "convene/event.hpp"
#include "convene/locale.hpp"
#include "convene/outbox.hpp"
#include "convene/registration.hpp"

namespace convene {

// One language's texts. Keys missing in a language fall back to English, so a new text can ship
// before its translations.
class Catalogue {
 public:
  static const Catalogue& of(Language language);
  Language language() const { return language_; }
  // The text for `key` with {placeholders} filled in; the key itself if no catalogue has it.
  std::string text(std::string_view key, const std::map<std::string, std::string>& values = {}) const;
  // "Friday 10 September 2021, 18:45" in this language's words and order.
  std::string date_time(WallTime wall) const;

  explicit Catalogue(Language language, std::map<std::string, std::string, std::less<>> texts,
                     const Catalogue* fallback)
      : language_(language), texts_(std::move(texts)), fallback_(fallback) {}

 private:
  Language language_;
  std::map<std::string, std::string, std::less<>> texts_;
  const Catalogue* fallback_;
};

// Every {name} in `pattern` replaced by values.at(name); unknown placeholders are kept as written.
std::string fill(std::string_view pattern, const std::map<std::string, std::string>& values);

// What organisers wrote to registrants, in one language.
struct AnnouncementText {
  std::string subject;
  std::string body;  // plain text; blank lines separate paragraphs
};

struct MessageFacts {
  MessageKind kind;
  const Event& event;
  const Registration& registration;
  std::optional<std::int64_t> session_id;  // what a reminder, update or session cancellation is about
  std::string manage_url;
  std::optional<std::string> join_url;     // the personal join link, for confirmed registrants
  std::string organiser;                   // who organises, as shown in the footer
  const AnnouncementText* announcement = nullptr;  // for MessageKind::announcement
};

struct ComposedText {
  std::string subject;
  std::string text;  // text/plain
  std::string html;  // text/html, escaped, dir="rtl" for Arabic
};

// A message to a registrant (every kind but sign-in and invitation).
ComposedText compose(const MessageFacts& facts);

// An invitation to an invitation-only event, or a reminder of it, with the personal link that lets the
// invitee register (they have no registration yet, so no zone: times are in the event's).
struct InvitationFacts {
  const Event& event;
  std::optional<std::string> name;  // as the organisers gave it
  Language language;
  std::string registration_url;
  std::string organiser;  // who invites, as shown in the text and the footer
  bool reminder = false;
};
ComposedText compose_invitation(const InvitationFacts& facts);

// The sign-in link for an organiser's address, valid `minutes`.
ComposedText compose_sign_in(Language language, const std::string& link, int minutes);

}  // namespace convene
