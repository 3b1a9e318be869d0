#include "app/rate_limiter.hpp"

#include <cstring>

#include <openssl/rand.h>

#include "convene/crypto.hpp"

namespace convene::app {

KeyedLimit::KeyedLimit(std::string name, RateLimit limit, std::size_t max_keys)
    : name_(std::move(name)), limit_(limit), max_keys_per_shard_(std::max<std::size_t>(1, max_keys / kShards)) {
  salt_.resize(16);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt_.data()), static_cast<int>(salt_.size())) != 1)
    throw std::runtime_error("OpenSSL could not produce random bytes");
}

std::uint64_t KeyedLimit::hash(std::string_view key) const {
  const Sha256 digest = sha256(salt_ + std::string(key));
  std::uint64_t out = 0;
  std::memcpy(&out, digest.data(), sizeof out);
  return out;
}

RateDecision KeyedLimit::peek(std::string_view key, SteadyTime now) const {
  if (!limit_.enabled()) return {};
  const std::uint64_t hashed = hash(key);
  Shard& s = shard(hashed);
  std::lock_guard lock(s.mutex);
  const auto found = s.tats.find(hashed);
  return convene::peek(limit_, found == s.tats.end() ? SteadyTime{} : found->second, now);
}

RateDecision KeyedLimit::admit(std::string_view key, SteadyTime now) {
  if (!limit_.enabled()) return {};
  const std::uint64_t hashed = hash(key);
  Shard& s = shard(hashed);
  std::lock_guard lock(s.mutex);
  auto found = s.tats.find(hashed);
  if (found == s.tats.end()) {
    if (s.tats.size() >= max_keys_per_shard_) std::erase_if(s.tats, [now](const auto& entry) { return entry.second <= now; });
    if (s.tats.size() >= max_keys_per_shard_) return {};
    found = s.tats.emplace(hashed, SteadyTime{}).first;
  }
  const RateDecision decision = convene::admit(limit_, found->second, now);
  if (!decision.allowed) refused_.fetch_add(1, std::memory_order_relaxed);
  return decision;
}

std::size_t KeyedLimit::keys() const {
  std::size_t total = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mutex);
    total += s.tats.size();
  }
  return total;
}

RateLimiters::RateLimiters(const RateLimitConfig& config)
    : registrations_per_address("registrations_per_address", config.registrations_per_address),
      registrations_per_email("registrations_per_email", config.registrations_per_email),
      registrations_per_domain("registrations_per_domain", config.registrations_per_domain),
      token_misses_per_address("token_misses_per_address", config.token_misses_per_address),
      requests_per_token("requests_per_token", config.requests_per_token),
      sign_ins_per_address("sign_ins_per_address", config.sign_ins_per_address),
      sign_ins_per_email("sign_ins_per_email", config.sign_ins_per_email),
      trusted_proxies(config.trusted_proxies) {}

}  // namespace convene::app
