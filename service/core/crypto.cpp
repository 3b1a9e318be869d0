#include "convene/crypto.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

namespace convene {

Sha256 sha256(std::string_view data) {
  Sha256 digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return digest;
}

namespace {

// OpenSSL 3's one-shot HMAC() looks up the MAC and its digest by name on every call (EVP_Q_mac),
// which costs more than the MAC of a short input itself: a token minted or checked on every
// registration paid it. Instead each thread keeps a context keyed once for each key it uses (a
// process has two: tokens and cursors), and re-initialises it, which keeps the key.
struct MacContextDeleter {
  void operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }
};
struct KeyedMac {
  std::string key;
  std::unique_ptr<EVP_MAC_CTX, MacContextDeleter> context;
};
constexpr std::size_t kKeyedMacsPerThread = 4;

EVP_MAC_CTX* keyed_hmac_sha256(std::string_view key) {
  thread_local std::vector<KeyedMac> kept;
  for (const KeyedMac& keyed : kept) {
    if (keyed.key == key) return keyed.context.get();
  }
  static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // for the whole process, never freed
  if (hmac == nullptr) return nullptr;
  std::unique_ptr<EVP_MAC_CTX, MacContextDeleter> context(EVP_MAC_CTX_new(hmac));
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  if (!context ||
      EVP_MAC_init(context.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1)
    return nullptr;
  if (kept.size() == kKeyedMacsPerThread) kept.erase(kept.begin());
  kept.push_back({std::string(key), std::move(context)});
  return kept.back().context.get();
}

}  // namespace

Sha256 hmac_sha256(std::string_view key, std::string_view data) {
  Sha256 digest{};
  std::size_t length = 0;
  EVP_MAC_CTX* context = keyed_hmac_sha256(key);
  // A null key re-initialises the context with the key it holds.
  if (context == nullptr || EVP_MAC_init(context, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(context, digest.data(), &length, digest.size()) != 1 || length != digest.size())
    throw std::runtime_error("OpenSSL's HMAC-SHA256 failed");
  return digest;
}

std::string to_hex(const Sha256& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (auto byte : digest) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 15]);
  }
  return out;
}

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
}

std::string base64url(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 63]);
  return out;
}

std::optional<std::string> from_base64url(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char ch : text) {
    int value;
    if (ch >= 'A' && ch <= 'Z') value = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') value = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') value = ch - '0' + 52;
    else if (ch == '-') value = 62;
    else if (ch == '_') value = 63;
    else return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  if (bits >= 6) return std::nullopt;  // a lone trailing character cannot come from encoding
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {
struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;
constexpr std::size_t kNonceLength = 12;
constexpr std::size_t kTagLength = 16;
}  // namespace

std::string seal(const Sha256& key, std::string_view nonce, std::string_view plaintext) {
  CipherContext context(EVP_CIPHER_CTX_new());
  std::string out(nonce.substr(0, kNonceLength));
  out.resize(kNonceLength + plaintext.size() + kTagLength);
  auto* cipher = reinterpret_cast<unsigned char*>(out.data() + kNonceLength);
  int length = 0;
  EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key.data(),
                     reinterpret_cast<const unsigned char*>(nonce.data()));
  EVP_EncryptUpdate(context.get(), cipher, &length,
                    reinterpret_cast<const unsigned char*>(plaintext.data()),
                    static_cast<int>(plaintext.size()));
  EVP_EncryptFinal_ex(context.get(), cipher + length, &length);
  EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, kTagLength, cipher + plaintext.size());
  return out;
}

std::optional<std::string> open(const Sha256& key, std::string_view sealed) {
  if (sealed.size() < kNonceLength + kTagLength) return std::nullopt;
  const std::string_view nonce = sealed.substr(0, kNonceLength);
  const std::string_view cipher = sealed.substr(kNonceLength, sealed.size() - kNonceLength - kTagLength);
  std::string tag(sealed.substr(sealed.size() - kTagLength));
  CipherContext context(EVP_CIPHER_CTX_new());
  std::string plain(cipher.size(), '\0');
  int length = 0;
  EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key.data(),
                     reinterpret_cast<const unsigned char*>(nonce.data()));
  EVP_DecryptUpdate(context.get(), reinterpret_cast<unsigned char*>(plain.data()), &length,
                    reinterpret_cast<const unsigned char*>(cipher.data()),
                    static_cast<int>(cipher.size()));
  EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, kTagLength, tag.data());
  if (EVP_DecryptFinal_ex(context.get(), reinterpret_cast<unsigned char*>(plain.data()) + length,
                          &length) != 1)
    return std::nullopt;
  return plain;
}

}  // namespace convene
