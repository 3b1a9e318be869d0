#include "app/secrets.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <stdexcept>

#include <openssl/rand.h>

namespace convene::app {
namespace {

bool is_base64url(std::string_view text) {
  for (char ch : text) {
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                    ch == '-' || ch == '_';
    if (!ok) return false;
  }
  return true;
}

// Forks of this process so far, as the child sees it: pthread_atfork bumps it in every child, so a
// thread holding a block drawn before the fork notices without asking the kernel for its process id
// on every draw (a system call per token).
std::atomic<std::uint64_t> g_forks{0};

std::uint64_t forks_so_far() {
  static const bool counting = [] {
    return ::pthread_atfork(nullptr, nullptr, [] { g_forks.fetch_add(1, std::memory_order_relaxed); }) == 0;
  }();
  if (!counting) throw std::runtime_error("could not register the fork handler that keeps random blocks apart");
  return g_forks.load(std::memory_order_relaxed);
}

}  // namespace

std::string random_bytes(std::size_t count) {
  // Each call to OpenSSL's generator has a fixed cost well above that of 24 bytes (measured: 3% of
  // the server's CPU in a rush, one token per registration), so each thread draws a block at a time
  // and hands it out, every byte once. A block is never shared by two processes: one forked after
  // the draw (which convene does not do, but a library might) draws its own.
  constexpr std::size_t kBlock = 1024;
  struct Drawn {
    std::array<unsigned char, kBlock> bytes;
    std::size_t used = kBlock;
    std::uint64_t forks = 0;
  };
  thread_local Drawn drawn;
  std::string bytes;
  bytes.reserve(count);
  while (bytes.size() < count) {
    if (drawn.used == kBlock || drawn.forks != forks_so_far()) {
      if (RAND_bytes(drawn.bytes.data(), static_cast<int>(kBlock)) != 1)
        throw std::runtime_error("OpenSSL's random generator failed");
      drawn.used = 0;
      drawn.forks = forks_so_far();
    }
    const std::size_t take = std::min(count - bytes.size(), kBlock - drawn.used);
    bytes.append(reinterpret_cast<const char*>(drawn.bytes.data() + drawn.used), take);
    // Handed out once: not kept where a later draw could repeat it.
    std::fill_n(drawn.bytes.data() + drawn.used, take, 0);
    drawn.used += take;
  }
  return bytes;
}

std::string TokenMinter::tag(std::string_view random) const {
  const Sha256 mac = hmac_sha256(key_, random);
  return std::string(reinterpret_cast<const char*>(mac.data()), kSecretTokenTagBytes);
}

SecretToken TokenMinter::mint() const {
  const std::string random = random_bytes(kSecretTokenRandomBytes);
  return SecretToken(base64url(random + tag(random)));
}

TokenOrigin TokenMinter::origin(std::string_view text) const {
  if (!is_base64url(text)) return TokenOrigin::unknown;
  if (text.size() == kUntaggedSecretTokenLength) return TokenOrigin::untagged;
  if (text.size() != kSecretTokenLength) return TokenOrigin::unknown;
  const auto bytes = from_base64url(text);
  if (!bytes || bytes->size() != kSecretTokenRandomBytes + kSecretTokenTagBytes) return TokenOrigin::unknown;
  const std::string_view random = std::string_view(*bytes).substr(0, kSecretTokenRandomBytes);
  const std::string_view presented = std::string_view(*bytes).substr(kSecretTokenRandomBytes);
  return constant_time_equal(presented, tag(random)) ? TokenOrigin::minted_here : TokenOrigin::unknown;
}

}  // namespace convene::app
