// Hashing and encoding of secrets (pure functions over OpenSSL; randomness lives at the edge).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace convene {

using Sha256 = std::array<std::uint8_t, 32>;

Sha256 sha256(std::string_view data);
Sha256 hmac_sha256(std::string_view key, std::string_view data);
std::string to_hex(const Sha256& digest);
std::string base64url(std::string_view bytes);  // RFC 4648 section 5, no padding
std::optional<std::string> from_base64url(std::string_view text);

// Compares in time that depends only on the lengths, never on where the first difference is.
bool constant_time_equal(std::string_view a, std::string_view b);

// AES-256-GCM. `nonce` must be 12 bytes and never reused with the same key. The sealed form is
// nonce || ciphertext || 16-byte tag; open() returns nullopt when anything was tampered with.
std::string seal(const Sha256& key, std::string_view nonce, std::string_view plaintext);
std::optional<std::string> open(const Sha256& key, std::string_view sealed);

}  // namespace convene
