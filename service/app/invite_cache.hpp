// Rendered invites (GET /api/v1/registrations/{token}/invite.ics), kept per manage token so that a
// calendar app polling its subscription costs no database query.
//
// A copy is served only while all of these hold:
//  - the change listener is connected: otherwise nothing would tell this server of changes that
//    other servers make (while it is not, nothing is kept and every request reads the database);
//  - the event is still at the version the copy was rendered from (EventCache, itself kept
//    current by the listener);
//  - no change to the registration has been reported since the copy was read from the database:
//    this server's own writes report at once (Store::on_registrations_changed), every server's
//    arrive by NOTIFY (sql/008). A copy read while such a report arrived is not kept at all, since
//    it may predate the change.
// The copies hold manage links, so they live only in this process's memory, within a byte budget
// (INVITE_CACHE_MIB; 0 turns the cache off), the oldest going first.
//
// Threads: one per process, shared by every thread; every member function locks what it touches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "convene/crypto.hpp"
#include "convene/icalendar.hpp"

namespace convene::app {

struct RenderedInvite {
  std::int64_t registration_id = 0;
  std::string event_slug;
  std::int64_t event_version = 0;
  ical::Method method;   // REQUEST or CANCEL
  std::string filename;
  std::string etag;
  std::string body;
};

class InviteCache {
 public:
  explicit InviteCache(std::size_t budget_bytes) : budget_bytes_(budget_bytes) {}

  // Taken before reading the database for a copy; `keep` refuses the copy if any change was
  // reported (or listening changed) after it.
  using Ticket = std::uint64_t;
  Ticket ticket();

  // The copy for this token, if it was rendered from the event version that `trusted_version`
  // (EventCache::trusted_version) gives for its slug.
  using EventVersion = std::function<std::optional<std::int64_t>(const std::string& slug)>;
  std::shared_ptr<const RenderedInvite> find(const Sha256& token_hash, const EventVersion& trusted_version);
  void keep(const Sha256& token_hash, RenderedInvite invite, Ticket ticket);

  // Reports from this server's writes and from the change listener.
  void changed(const std::vector<std::int64_t>& registration_ids);
  void listening(bool on);

  struct Figures {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t entries = 0;
    std::size_t bytes = 0;
  };
  Figures figures() const;

 private:
  using Key = std::string;  // the token hash's bytes
  struct Entry {
    std::shared_ptr<const RenderedInvite> invite;
    std::uint64_t serial;  // order of keeping, for eviction
    std::size_t bytes;
  };
  void drop(const Key& key);  // under the lock
  void clear();               // under the lock
  void evict_to_budget();     // under the lock

  const std::size_t budget_bytes_;
  mutable std::mutex mutex_;
  bool listening_ = false;
  std::uint64_t changes_ = 0;  // reports received; tickets compare against it
  std::uint64_t next_serial_ = 0;
  std::unordered_map<Key, Entry> entries_;
  std::unordered_map<std::int64_t, std::vector<Key>> keys_by_registration_;
  std::deque<std::pair<std::uint64_t, Key>> age_order_;  // may hold dropped keys: checked by serial
  std::size_t bytes_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace convene::app
