#include "app/event_cache.hpp"

namespace convene::app {

EventCache::Snapshot EventCache::get(store::Transaction& tx, std::string_view slug) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = events_.find(std::string(slug)); it != events_.end()) return it->second;
  }
  return reload(tx, slug);
}

EventCache::Snapshot EventCache::reload(store::Transaction& tx, std::string_view slug) {
  auto event = tx.event_by_slug(slug);
  std::lock_guard lock(mutex_);
  if (!event) {
    events_.erase(std::string(slug));
    return nullptr;
  }
  auto snapshot = std::make_shared<const Event>(*std::move(event));
  auto& slot = events_[std::string(slug)];
  if (!slot || slot->version <= snapshot->version) slot = snapshot;  // never go back in time
  return snapshot;
}

EventCache::Snapshot EventCache::at_version(store::Transaction& tx, std::string_view slug, std::int64_t version) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = events_.find(std::string(slug)); it != events_.end() && it->second->version == version)
      return it->second;
  }
  return reload(tx, slug);
}

EventCache::Snapshot EventCache::current(store::Transaction& tx, std::string_view slug) {
  const auto version = tx.event_version(slug);
  if (!version) return nullptr;
  return at_version(tx, slug, *version);
}

void EventCache::forget(std::string_view slug) {
  std::lock_guard lock(mutex_);
  events_.erase(std::string(slug));
}

}  // namespace convene::app
