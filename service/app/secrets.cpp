#include "app/secrets.hpp"

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
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1)
    throw std::runtime_error("OpenSSL's random generator failed");
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
