#include "app/secrets.hpp"

#include <stdexcept>

#include <openssl/rand.h>

namespace convene::app {

std::string random_bytes(std::size_t count) {
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1)
    throw std::runtime_error("OpenSSL's random generator failed");
  return bytes;
}

SecretToken SecretToken::generate() { return SecretToken(base64url(random_bytes(kSecretTokenBytes))); }

bool SecretToken::well_formed(std::string_view text) {
  if (text.size() != kSecretTokenLength) return false;
  for (char ch : text) {
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                    ch == '-' || ch == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace convene::app
