// The rate limits of one server process, each over many keys (addresses, e-mails, domains, tokens).
// They are per process: with N servers a client gets up to N times each allowance, which is why
// nginx's limit_req in front (deploy/nginx) is the per-address limit that holds across servers, and
// why what must hold exactly (one registration per e-mail per event, one confirmation re-sent an hour)
// is a database fact instead.
//
// Threads: one RateLimiters per process, used by every HTTP thread at once. Each KeyedLimit keeps
// its keys in 16 shards, each under its own mutex, so requests for different keys rarely wait on
// each other; counters are atomic.
#pragma once

#include <array>
#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "app/config.hpp"
#include "convene/rate_limit.hpp"

namespace convene::app {

class KeyedLimit {
 public:
  // At most about `max_keys` keys are remembered; keys whose allowance is full again are forgotten
  // first. A table still full after that admits new keys unrecorded (memory stays bounded under a
  // flood of distinct addresses; nginx's limit is the one that holds then).
  KeyedLimit(std::string name, RateLimit limit, std::size_t max_keys = 1 << 16);

  RateDecision admit(std::string_view key, SteadyTime now);
  RateDecision peek(std::string_view key, SteadyTime now) const;

  const std::string& name() const { return name_; }
  const RateLimit& limit() const { return limit_; }
  long refused() const { return refused_.load(std::memory_order_relaxed); }
  std::size_t keys() const;

 private:
  static constexpr std::size_t kShards = 16;
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::uint64_t, SteadyTime> tats;
  };
  std::uint64_t hash(std::string_view key) const;
  Shard& shard(std::uint64_t hashed) const { return shards_[hashed % kShards]; }

  std::string name_;
  RateLimit limit_;
  std::size_t max_keys_per_shard_;
  std::string salt_;  // keys are kept as salted hashes: no address or e-mail stays in memory
  mutable std::array<Shard, kShards> shards_;
  std::atomic<long> refused_{0};
};

struct RateLimiters {
  explicit RateLimiters(const RateLimitConfig& config);

  KeyedLimit registrations_per_address;
  KeyedLimit registrations_per_email;
  KeyedLimit registrations_per_domain;
  KeyedLimit token_misses_per_address;
  KeyedLimit requests_per_token;
  KeyedLimit sign_ins_per_address;
  KeyedLimit sign_ins_per_email;
  std::vector<std::string> trusted_proxies;

  std::array<const KeyedLimit*, 7> all() const {
    return {&registrations_per_address, &registrations_per_email, &registrations_per_domain, &token_misses_per_address,
            &requests_per_token, &sign_ins_per_address, &sign_ins_per_email};
  }
};

}  // namespace convene::app
