// Secrets handed to people (manage, join and organiser tokens): random, shown once, stored as hashes.
#pragma once

#include <string>
#include <string_view>

#include "convene/crypto.hpp"

namespace convene::app {

// A token as handed out: 192 random bits from OpenSSL's CSPRNG and a 48-bit tag (HMAC-SHA256 of
// them under the installation's token key), base64url: 40 characters. Only SHA-256 of the whole
// text is stored. Guessing one among a million live tokens at a million tries a second would take
// about 10^43 years (README, threat model), and a guess without the key fails the tag first.
class SecretToken {
 public:
  const std::string& text() const { return text_; }
  Sha256 hash() const { return sha256(text_); }

 private:
  friend class TokenMinter;
  explicit SecretToken(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

// What a token presented by a client is, as far as can be told without the database.
enum class TokenOrigin {
  minted_here,  // carries this installation's tag: worth a lookup, always
  untagged,     // the 32-character form issued before tags (migration 009): still honoured
  unknown,      // neither: a typo, a truncated link or a guess; no lookup can find it
};

// Mints tokens and recognises them. The tag lets the rate limit on unknown tokens slow down
// guessing without refusing anyone who holds a real token (an office behind one address whose
// colleagues mistype links, say). Immutable once made: any thread may use it.
class TokenMinter {
 public:
  explicit TokenMinter(std::string key) : key_(std::move(key)) {}
  SecretToken mint() const;
  TokenOrigin origin(std::string_view text) const;
  // Worth looking up at all (minted here, or untagged from before).
  bool may_exist(std::string_view text) const { return origin(text) != TokenOrigin::unknown; }

 private:
  std::string tag(std::string_view random) const;
  std::string key_;
};

inline constexpr std::size_t kSecretTokenRandomBytes = 24;
inline constexpr std::size_t kSecretTokenTagBytes = 6;
inline constexpr std::size_t kSecretTokenLength = 40;          // base64url of 24 + 6 bytes
inline constexpr std::size_t kUntaggedSecretTokenLength = 32;  // base64url of 24 bytes

std::string random_bytes(std::size_t count);

}  // namespace convene::app
