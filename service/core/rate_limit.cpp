#include "convene/rate_limit.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace convene {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<std::uint32_t> whole_number(std::string_view text) {
  std::uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// An address as the key: IPv6 cut to its /64 (so a subscriber cannot multiply its allowance by
// rotating through its own block), IPv4-mapped IPv6 written as IPv4; anything unparsable as given.
std::string address_key(std::string_view address) {
  const std::string text(trim(address));
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      char v4[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &v6.s6_addr[12], v4, sizeof v4);
      return v4;
    }
    std::fill(std::begin(v6.s6_addr) + 8, std::end(v6.s6_addr), 0);
    char out[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &v6, out, sizeof out);
    return std::string(out) + "/64";
  }
  return text;
}

// An address as 16 bytes (IPv4 as IPv4-mapped IPv6), or nothing when it is not an address.
std::optional<std::array<std::uint8_t, 16>> address_bytes(std::string_view address) {
  const std::string text(trim(address));
  std::array<std::uint8_t, 16> bytes{};
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    bytes[10] = bytes[11] = 0xff;
    std::memcpy(bytes.data() + 12, &v4, 4);
    return bytes;
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) return bytes;
  return std::nullopt;
}

// Whether `address` is `entry`: one address, or a block in CIDR notation ("172.16.0.0/12", "fd00::/8").
bool matches(std::string_view entry, std::string_view address) {
  const std::size_t slash = entry.find('/');
  const auto block = address_bytes(entry.substr(0, slash));
  const auto candidate = address_bytes(address);
  if (!block || !candidate) return trim(entry) == trim(address);
  int bits = 128;
  if (slash != std::string_view::npos) {
    const auto prefix = whole_number(trim(entry.substr(slash + 1)));
    const bool v4 = entry.find(':') == std::string_view::npos;
    if (!prefix || *prefix > (v4 ? 32u : 128u)) return false;
    bits = static_cast<int>(*prefix) + (v4 ? 96 : 0);
  }
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if (((*block)[i] ^ (*candidate)[i]) & mask) return false;
  }
  return true;
}

}  // namespace

std::expected<RateLimit, std::string> parse_rate_limit(std::string_view text) {
  text = trim(text);
  if (text == "off" || text == "0") return RateLimit{};
  const auto expected = [&] {
    return std::unexpected("expected COUNT/PERIOD such as 300/min, 5/10min, 20/s or 1000/h, or off; got '" +
                           std::string(text) + "'");
  };
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return expected();
  const auto count = whole_number(text.substr(0, slash));
  if (!count || *count == 0 || *count > 1'000'000) return expected();
  std::string_view period = text.substr(slash + 1);
  std::size_t digits = 0;
  while (digits < period.size() && period[digits] >= '0' && period[digits] <= '9') ++digits;
  std::uint32_t multiple = 1;
  if (digits > 0) {
    const auto parsed = whole_number(period.substr(0, digits));
    if (!parsed || *parsed == 0 || *parsed > 100'000) return expected();
    multiple = *parsed;
  }
  const std::string_view unit = period.substr(digits);
  std::int64_t seconds = 0;
  if (unit == "s") seconds = 1;
  else if (unit == "min") seconds = 60;
  else if (unit == "h") seconds = 3600;
  else return expected();
  return RateLimit{*count, std::chrono::seconds(seconds * multiple)};
}

std::string format_rate_limit(const RateLimit& limit) {
  if (!limit.enabled()) return "off";
  const auto seconds = limit.period.count();
  std::string period;
  if (seconds % 3600 == 0) period = (seconds == 3600 ? "" : std::to_string(seconds / 3600)) + "h";
  else if (seconds % 60 == 0) period = (seconds == 60 ? "" : std::to_string(seconds / 60)) + "min";
  else period = (seconds == 1 ? "" : std::to_string(seconds)) + "s";
  return std::to_string(limit.count) + "/" + period;
}

long RateDecision::retry_after_seconds() const {
  const auto whole = std::chrono::ceil<std::chrono::seconds>(retry_after).count();
  return std::max<long>(1, static_cast<long>(whole));
}

RateDecision peek(const RateLimit& limit, SteadyTime tat, SteadyTime now) {
  if (!limit.enabled()) return {};
  // The burst tolerance: how far the TAT may run ahead of now, so that `count` requests fit at once.
  const auto tolerance = std::chrono::nanoseconds(limit.period) - limit.interval();
  const auto ahead = std::max(tat, now) - now;
  if (ahead > tolerance) return {false, ahead - tolerance};
  return {};
}

RateDecision admit(const RateLimit& limit, SteadyTime& tat, SteadyTime now) {
  const RateDecision decision = peek(limit, tat, now);
  if (limit.enabled() && decision.allowed) tat = std::max(tat, now) + limit.interval();
  return decision;
}

std::string client_key(std::string_view peer, std::optional<std::string_view> forwarded_for,
                       const std::vector<std::string>& trusted_proxies) {
  const auto trusted = [&](std::string_view address) {
    return std::any_of(trusted_proxies.begin(), trusted_proxies.end(),
                       [&](const std::string& entry) { return matches(entry, address); });
  };
  if (!forwarded_for || !trusted(peer)) return address_key(peer);
  // Walk X-Forwarded-For from the right (the hop nearest to us) past our own proxies.
  std::string_view hops = *forwarded_for;
  std::string_view client = peer;
  while (!hops.empty()) {
    const std::size_t comma = hops.rfind(',');
    const std::string_view hop = trim(comma == std::string_view::npos ? hops : hops.substr(comma + 1));
    hops = comma == std::string_view::npos ? std::string_view{} : hops.substr(0, comma);
    if (hop.empty()) continue;
    client = hop;
    if (!trusted(hop)) break;
  }
  return address_key(client);
}

}  // namespace convene
