// Rate limits by GCRA, the generic cell rate algorithm (ITU-T I.371; the algorithm of redis-cell and
// of many API gateways): "count requests per period", of which all `count` may come at once, after
// which they are admitted at the steady rate count/period. The whole state of one key (an address, an
// e-mail, a token) is one instant, its theoretical arrival time (TAT), so a table of keys stays small
// and a key whose TAT has passed is the same as a key never seen. Pure: the caller keeps the state and
// says what time it is.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace convene {

using SteadyTime = std::chrono::steady_clock::time_point;

struct RateLimit {
  std::uint32_t count = 0;  // 0: no limit
  std::chrono::seconds period{60};

  bool enabled() const { return count > 0; }
  // The steady rate: one request per interval once the burst is spent.
  std::chrono::nanoseconds interval() const { return std::chrono::nanoseconds(period) / count; }
  friend bool operator==(const RateLimit&, const RateLimit&) = default;
};

// "300/min", "5/10min", "20/s", "1000/h", "50/30s", or "off". Errors say what is expected.
std::expected<RateLimit, std::string> parse_rate_limit(std::string_view text);
std::string format_rate_limit(const RateLimit& limit);

struct RateDecision {
  bool allowed = true;
  std::chrono::nanoseconds retry_after{0};  // when refused: how long until one request would pass

  // Whole seconds for a Retry-After header: rounded up, at least 1.
  long retry_after_seconds() const;
};

// Admits one request at `now` for a key whose TAT is `tat`, which moves on when the request is
// admitted. A disabled limit admits everything and leaves `tat` alone.
RateDecision admit(const RateLimit& limit, SteadyTime& tat, SteadyTime now);
// The same decision without spending anything: for limits on outcomes (failed token lookups), where
// the request is checked first and charged once its outcome is known.
RateDecision peek(const RateLimit& limit, SteadyTime tat, SteadyTime now);

// The key a client is limited by: its address as the server saw it (`peer`), unless `peer` is one
// of `trusted_proxies` (addresses, or blocks in CIDR notation such as 172.16.0.0/12), in which case the right-most address of X-Forwarded-For that is not a trusted
// proxy (the left-most entries are the client's own claims, which anyone can forge). IPv6 addresses
// count by their /64 prefix, the block one subscriber gets; IPv4 by the whole address.
std::string client_key(std::string_view peer, std::optional<std::string_view> forwarded_for,
                       const std::vector<std::string>& trusted_proxies);

}  // namespace convene
