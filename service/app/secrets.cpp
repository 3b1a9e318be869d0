#include "app/secrets.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
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
    pid_t process = 0;
  };
  thread_local Drawn drawn;
  std::string bytes;
  bytes.reserve(count);
  while (bytes.size() < count) {
    if (drawn.used == kBlock || drawn.process != ::getpid()) {
      if (RAND_bytes(drawn.bytes.data(), static_cast<int>(kBlock)) != 1)
        throw std::runtime_error("OpenSSL's random generator failed");
      drawn.used = 0;
      drawn.process = ::getpid();
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
