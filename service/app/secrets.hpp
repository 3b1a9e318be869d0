// Secrets handed to people (manage tokens, organiser tokens): random, shown once, stored as hashes.
#pragma once

#include <string>
#include <string_view>

#include "convene/crypto.hpp"

namespace convene::app {

// 192 bits from OpenSSL's CSPRNG, base64url: 32 characters. Guessing one among a million live
// tokens at a million tries a second would take about 10^43 years (see README, threat model).
class SecretToken {
 public:
  static SecretToken generate();
  // Whether text presented by a client has the shape of a token we issue (cheap pre-check).
  static bool well_formed(std::string_view text);
  const std::string& text() const { return text_; }
  Sha256 hash() const { return sha256(text_); }

 private:
  explicit SecretToken(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

inline constexpr std::size_t kSecretTokenBytes = 24;
inline constexpr std::size_t kSecretTokenLength = 32;  // base64url of 24 bytes

std::string random_bytes(std::size_t count);

}  // namespace convene::app
