// Announcements: what organisers write to an event's registrants, and to whom.
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "convene/enum_names.hpp"
#include "convene/locale.hpp"
#include "convene/messages.hpp"
#include "convene/problem.hpp"
#include "convene/time.hpp"

namespace convene {

// Who an announcement goes to: registrants in any of these groups. attended: confirmed and came
// (joined or checked in); did_not_attend: confirmed and did not.
enum class Audience { confirmed, waitlisted, pending, attended, did_not_attend };
inline constexpr auto kAudienceNames = enum_names<Audience>(
    std::pair{Audience::confirmed, "confirmed"}, std::pair{Audience::waitlisted, "waitlisted"},
    std::pair{Audience::pending, "pending"}, std::pair{Audience::attended, "attended"},
    std::pair{Audience::did_not_attend, "did_not_attend"});
// Whether the group only means something once a session has ended.
constexpr bool about_attendance(Audience group) {
  return group == Audience::attended || group == Audience::did_not_attend;
}

inline constexpr std::size_t kMaxAnnouncementSubjectCharacters = 200;
inline constexpr std::size_t kMaxAnnouncementBodyCharacters = 20'000;

// POST /api/v1/events/{slug}/announcements, checked:
// {"subject", "body", "language"? (default en), "translations"? {"fr": {"subject", "body"}},
//  "audience"? (default confirmed, waitlisted, pending), "send_at"? (an instant; default now)}.
struct AnnouncementRequest {
  Language language = Language::en;
  AnnouncementText text;
  std::map<Language, AnnouncementText> translations;
  std::vector<Audience> audience;
  std::optional<Instant> send_at;
};
std::expected<AnnouncementRequest, FieldErrors> parse_announcement_request(const nlohmann::json& body);

}  // namespace convene
