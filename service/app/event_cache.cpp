#include "app/event_cache.hpp"

#include "store/events.hpp"

namespace convene::app {

std::uint64_t EventCache::generation() {
  std::lock_guard lock(mutex_);
  return generation_;
}

EventCache::Snapshot EventCache::remember(std::string_view slug, std::optional<Event> event, std::uint64_t generation) {
  if (!event) return nullptr;
  auto snapshot = std::make_shared<const Event>(*std::move(event));
  std::lock_guard lock(mutex_);
  if (generation_ != generation) return snapshot;  // something changed meanwhile: use, do not keep
  auto& entry = entries_[std::string(slug)];
  if (!entry.event || entry.event->version <= snapshot->version) entry = Entry{snapshot, std::nullopt};
  return snapshot;
}

EventCache::Snapshot EventCache::get(store::Tx& tx, std::string_view slug) {
  if (auto event = kept(slug)) return event;
  return reload(tx, slug);
}

EventCache::Snapshot EventCache::kept(std::string_view slug) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(std::string(slug)); it != entries_.end()) return it->second.event;
  return nullptr;
}

EventCache::Snapshot EventCache::reload(store::Tx& tx, std::string_view slug) {
  const auto before = generation();
  return remember(slug, store::events::by_slug(tx, slug), before);
}

EventCache::Snapshot EventCache::at_version(store::Tx& tx, std::string_view slug, std::int64_t version) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(std::string(slug)); it != entries_.end() && it->second.event->version == version)
      return it->second.event;
  }
  return reload(tx, slug);
}

EventCache::Snapshot EventCache::current(store::Tx& tx, std::string_view slug) {
  bool listening = false;
  {
    std::lock_guard lock(mutex_);
    listening = listening_;
    if (listening) {
      if (auto it = entries_.find(std::string(slug)); it != entries_.end()) return it->second.event;
    }
  }
  if (listening) return reload(tx, slug);
  const auto version = store::events::version(tx, slug);
  if (!version) return nullptr;
  return at_version(tx, slug, *version);
}

std::optional<std::int64_t> EventCache::trusted_version(std::string_view slug) {
  std::lock_guard lock(mutex_);
  if (!listening_) return std::nullopt;
  auto it = entries_.find(std::string(slug));
  if (it == entries_.end()) return std::nullopt;
  return it->second.event->version;
}

std::optional<std::string> EventCache::document(std::string_view slug, std::int64_t version) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(slug));
  if (it == entries_.end() || !it->second.document || it->second.document->first != version) return std::nullopt;
  return it->second.document->second;
}

void EventCache::keep_document(std::string_view slug, std::int64_t version, std::string text) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(slug));
  if (it != entries_.end() && it->second.event->version == version) it->second.document = {version, std::move(text)};
}

void EventCache::changed(std::string_view slug) {
  std::lock_guard lock(mutex_);
  ++generation_;
  entries_.erase(std::string(slug));
}

void EventCache::listening(bool on) {
  std::lock_guard lock(mutex_);
  // Whatever was kept before (re)connecting may have missed a change: start afresh.
  if (on != listening_ || on) {
    entries_.clear();
    ++generation_;
  }
  listening_ = on;
}

}  // namespace convene::app
