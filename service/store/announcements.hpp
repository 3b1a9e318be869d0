// Announcements: messages organisers write to an event's registrants, each recipient's copy an
// outbox row (sequence = the announcement's id, so the outbox's unique key sends it once).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "convene/announcement.hpp"
#include "convene/time.hpp"
#include "store/store.hpp"

namespace convene::store::announcements {

struct NewAnnouncement {
  std::int64_t event_id;
  std::optional<std::int64_t> organiser_id;
  Language language;  // of `text`
  AnnouncementText text;
  std::map<Language, AnnouncementText> translations;
  std::vector<Audience> audience;
  Instant send_at;
};

struct Announcement {
  std::int64_t id;
  std::int64_t event_id;
  Language language;
  AnnouncementText text;
  std::map<Language, AnnouncementText> translations;
  std::vector<Audience> audience;
  Instant send_at;
  Instant created_at;
  std::optional<Instant> withdrawn_at;
  int recipients;
  // Its outbox rows by state (pending counts those being sent).
  int queued = 0, sent = 0, failed = 0, skipped = 0;
  // The text in `language` if there is one, else the announcement's own.
  const AnnouncementText& in(Language language) const;
};

// Writes the announcement and one outbox row per recipient, due at send_at; returns it.
Announcement insert(Tx& tx, const NewAnnouncement& announcement);
// How many registrants the audience holds right now.
int count_audience(Tx& tx, std::int64_t event_id, const std::vector<Audience>& audience);
std::optional<Announcement> find(Tx& tx, std::int64_t event_id, std::int64_t id);
std::vector<Announcement> by_ids(Tx& tx, const std::vector<std::int64_t>& ids);
// Announcements of an event with id > after_id, in id order, with their counts.
std::vector<Announcement> page(Tx& tx, std::int64_t event_id, std::int64_t after_id, int limit);
// Withdraws it: its messages not yet claimed are skipped. Returns false when any has been claimed
// or sent already (then nothing changes).
bool withdraw(Tx& tx, std::int64_t id, Instant now);

}  // namespace convene::store::announcements
