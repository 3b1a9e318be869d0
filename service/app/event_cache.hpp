// Events as last read from the database, for the registration path. A cached event is never
// trusted on its own: the statement that inserts a registration checks that the event's version is
// still the one whose rules were applied, and a stale copy is reloaded and the rules applied again.
// So a change made through any server is honoured by every other at the next registration.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "convene/event.hpp"
#include "store/store.hpp"

namespace convene::app {

class EventCache {
 public:
  using Snapshot = std::shared_ptr<const Event>;
  // The cached event, loaded through `tx` when absent; null when no event has the slug.
  Snapshot get(store::Transaction& tx, std::string_view slug);
  // Reads the event again (after a registration found the cached version stale).
  Snapshot reload(store::Transaction& tx, std::string_view slug);
  // The event as it is now: the cached copy if the database still has `version`, else reloaded.
  Snapshot at_version(store::Transaction& tx, std::string_view slug, std::int64_t version);
  // The event as it is now, checked with one small query (its version).
  Snapshot current(store::Transaction& tx, std::string_view slug);
  void forget(std::string_view slug);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Snapshot> events_;
};

}  // namespace convene::app
