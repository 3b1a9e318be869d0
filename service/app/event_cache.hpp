// Events as last read from the database, and the public calendar feed rendered from them.
//
// While the change listener is connected (LISTEN convene_events), every change any server commits
// arrives here and drops the copy, so reads are served from memory. While it is not, every read
// first asks the database for the event's version (one small query). Either way the registration
// path never trusts a copy on its own: its insert checks the version it applied the rules to.
//
// Threads: one per process, shared by every thread; every member function locks what it touches.
// Snapshots are immutable and may be kept by a caller after the cache has dropped them.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "convene/event.hpp"

namespace convene::store {
class Tx;
}

namespace convene::app {

class EventCache {
 public:
  using Snapshot = std::shared_ptr<const Event>;

  // The cached event, loaded through `tx` when absent; null when no event has the slug.
  Snapshot get(store::Tx& tx, std::string_view slug);
  // The cached event, or null when none is kept: for a caller that would otherwise take a database
  // connection only to be served from memory (the registration path's first look).
  Snapshot kept(std::string_view slug);
  // Reads the event again (after a registration found the cached version stale).
  Snapshot reload(store::Tx& tx, std::string_view slug);
  // The event as it is now, when `version` is its current version (known from another query).
  Snapshot at_version(store::Tx& tx, std::string_view slug, std::int64_t version);
  // The event as it is now: from memory while changes are being heard, else checked by version.
  Snapshot current(store::Tx& tx, std::string_view slug);

  // The version of the event as held in memory, only while changes are being heard (so that it
  // can be trusted without asking the database); nullopt otherwise.
  std::optional<std::int64_t> trusted_version(std::string_view slug);

  // A rendered document derived from one version of an event (the public feed), kept beside it.
  std::optional<std::string> document(std::string_view slug, std::int64_t version);
  void keep_document(std::string_view slug, std::int64_t version, std::string text);

  // From the change listener.
  void changed(std::string_view slug);
  void listening(bool on);
  void forget(std::string_view slug) { changed(slug); }

 private:
  struct Entry {
    Snapshot event;
    std::optional<std::pair<std::int64_t, std::string>> document;
  };
  // Stores a snapshot read while the generation was `generation`, unless a change arrived since
  // (then the snapshot may predate it, and is not kept).
  Snapshot remember(std::string_view slug, std::optional<Event> event, std::uint64_t generation);
  std::uint64_t generation();

  std::mutex mutex_;
  // Only events that exist are kept: a slug nobody has (a typo, a scan for random slugs) leaves
  // nothing behind, so memory follows the number of events, not of requests.
  std::unordered_map<std::string, Entry> entries_;
  // Counts the changes heard, of any event. One counter rather than one per slug: a count per slug
  // would have to remember every slug ever asked about. A change to one event only costs a read of
  // another that was in flight the chance to be kept.
  std::uint64_t generation_ = 0;
  bool listening_ = false;
};

}  // namespace convene::app
