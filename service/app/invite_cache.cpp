#include "app/invite_cache.hpp"

#include <algorithm>

namespace convene::app {
namespace {
std::string key_of(const Sha256& token_hash) { return {token_hash.begin(), token_hash.end()}; }
}  // namespace

InviteCache::Ticket InviteCache::ticket() {
  std::lock_guard lock(mutex_);
  return changes_;
}

std::shared_ptr<const RenderedInvite> InviteCache::find(const Sha256& token_hash,
                                                        const EventVersion& trusted_version) {
  std::shared_ptr<const RenderedInvite> found;
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key_of(token_hash)); it != entries_.end()) found = it->second.invite;
  }
  // Asked outside our lock: the event cache has a lock of its own, and the two never nest.
  if (found && trusted_version(found->event_slug) != found->event_version) found = nullptr;
  std::lock_guard lock(mutex_);
  ++(found ? hits_ : misses_);
  return found;
}

void InviteCache::keep(const Sha256& token_hash, RenderedInvite invite, Ticket ticket) {
  const std::size_t bytes = invite.body.size() + invite.etag.size() + invite.event_slug.size() + 256;
  std::lock_guard lock(mutex_);
  if (!listening_ || ticket != changes_ || bytes > budget_bytes_) return;
  const Key key = key_of(token_hash);
  drop(key);
  const std::int64_t registration_id = invite.registration_id;
  const std::uint64_t serial = next_serial_++;
  entries_.emplace(key, Entry{std::make_shared<const RenderedInvite>(std::move(invite)), serial, bytes});
  keys_by_registration_[registration_id].push_back(key);
  age_order_.emplace_back(serial, key);
  bytes_ += bytes;
  evict_to_budget();
}

void InviteCache::changed(const std::vector<std::int64_t>& registration_ids) {
  std::lock_guard lock(mutex_);
  ++changes_;
  for (const std::int64_t id : registration_ids) {
    auto it = keys_by_registration_.find(id);
    if (it == keys_by_registration_.end()) continue;
    const std::vector<Key> keys = it->second;  // drop() edits the original
    for (const Key& key : keys) drop(key);
  }
}

void InviteCache::listening(bool on) {
  std::lock_guard lock(mutex_);
  // Whatever was kept before (re)connecting may have missed a change: start afresh either way.
  listening_ = on;
  ++changes_;
  clear();
}

InviteCache::Figures InviteCache::figures() const {
  std::lock_guard lock(mutex_);
  return {hits_, misses_, entries_.size(), bytes_};
}

void InviteCache::drop(const Key& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  bytes_ -= it->second.bytes;
  const std::int64_t id = it->second.invite->registration_id;
  auto& keys = keys_by_registration_[id];
  std::erase(keys, key);
  if (keys.empty()) keys_by_registration_.erase(id);
  entries_.erase(it);
}

void InviteCache::clear() {
  entries_.clear();
  keys_by_registration_.clear();
  age_order_.clear();
  bytes_ = 0;
}

void InviteCache::evict_to_budget() {
  while (bytes_ > budget_bytes_ && !age_order_.empty()) {
    const auto [serial, key] = age_order_.front();
    age_order_.pop_front();
    if (auto it = entries_.find(key); it != entries_.end() && it->second.serial == serial) drop(key);
  }
  // Dropped and replaced copies leave their places in the queue behind; a token whose invite
  // changes often would otherwise grow it without end.
  if (age_order_.size() > 2 * entries_.size() + 1024) {
    std::erase_if(age_order_, [this](const auto& place) {
      auto it = entries_.find(place.second);
      return it == entries_.end() || it->second.serial != place.first;
    });
  }
}

}  // namespace convene::app
