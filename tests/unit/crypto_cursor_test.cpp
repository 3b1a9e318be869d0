// Hashing, encoding, sealing and signed pagination cursors.
//
// Sources of expected values:
// - SHA-256: FIPS 180-2, appendix B.1 ("abc") and B.2 (the 448-bit message); the empty-string digest
//   as printed by Python's hashlib.sha256(b"").hexdigest();
// - HMAC-SHA-256: RFC 4231 section 4.2 (test case 1), 4.3 (test case 2, key "Jefe") and 4.7 (case 6);
// - base64url: RFC 4648 section 10 vectors with "+/" replaced by "-_" and padding dropped (section 5
//   and section 3.2), and Python's base64.urlsafe_b64encode for the "-_" vector;
// - AES-256-GCM: McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 13 and 14
//   (zero key and IV), cross-checked with Python's cryptography AESGCM.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "convene/crypto.hpp"
#include "convene/cursor.hpp"

namespace convene {
namespace {

using namespace std::string_literals;

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

Sha256 digest_from_hex(std::string_view hex) {
  const std::string bytes = from_hex(hex);
  Sha256 digest{};
  EXPECT_EQ(bytes.size(), digest.size());
  std::copy(bytes.begin(), bytes.end(), digest.begin());
  return digest;
}

// ---------------------------------------------------------------------------------------------
// SHA-256 and HMAC-SHA-256

struct DigestCase {
  const char* label;
  std::string key;  // unused for plain SHA-256
  std::string data;
  const char* hex;
};

TEST(Sha256, Fips180_2Vectors) {
  const DigestCase cases[] = {
      {"fips_b1_abc", "", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"fips_b2_448_bits", "", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"empty", "", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(sha256(c.data), digest_from_hex(c.hex)) << c.label;
    EXPECT_EQ(to_hex(sha256(c.data)), c.hex) << c.label;
  }
}

TEST(HmacSha256, Rfc4231Vectors) {
  const DigestCase cases[] = {
      {"rfc4231_case_1", std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"rfc4231_case_2_jefe", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"rfc4231_case_6_key_longer_than_block", std::string(131, '\xaa'),
       "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(to_hex(hmac_sha256(c.key, c.data)), c.hex) << c.label;
  }
  // Again, with a kept context for each key (re-initialised, never carrying the last input over),
  // and after more keys than a thread keeps, so that the first ones were let go and keyed afresh.
  for (int round = 0; round < 2; ++round) {
    for (const auto& c : cases) EXPECT_EQ(to_hex(hmac_sha256(c.key, c.data)), c.hex) << c.label << " round " << round;
    for (char other = 'a'; other < 'f'; ++other) hmac_sha256(std::string(8, other), "other keys");
  }
}

// ---------------------------------------------------------------------------------------------
// base64url

TEST(Base64Url, Rfc4648Vectors) {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},         {"f", "Zg"},         {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"hello", "aGVsbG8"},
      {"\xfb\xff\xbf", "-_-_"},  // "+/+/" in standard base64: the URL-safe alphabet differs here
  };
  for (const auto& [bytes, text] : cases) {
    EXPECT_EQ(base64url(bytes), text) << "encoding \"" << bytes << "\"";
    EXPECT_EQ(from_base64url(text), bytes) << "decoding \"" << text << "\"";
  }
}

TEST(Base64Url, RoundTripsEveryLengthFrom0To40) {
  for (std::size_t length = 0; length <= 40; ++length) {
    std::string bytes;
    for (std::size_t i = 0; i < length; ++i) bytes.push_back(static_cast<char>((i * 97 + length * 31 + 250) % 256));
    const std::string text = base64url(bytes);
    // Unpadded: ceil(8n / 6) characters, all from the URL-safe alphabet.
    EXPECT_EQ(text.size(), (length * 8 + 5) / 6) << "length " << length;
    EXPECT_EQ(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << "length " << length << ": " << text;
    EXPECT_EQ(from_base64url(text), bytes) << "length " << length;
  }
}

TEST(Base64Url, RejectsWhatEncodingNeverProduces) {
  for (std::string_view text : {"+", "/", "=", "Zg==", "Zm9v+", "ab/c", "Z", "Zm9vY", " Zg", "Zg\n"}) {
    EXPECT_FALSE(from_base64url(text).has_value()) << "\"" << text << "\"";
  }
  EXPECT_FALSE(from_base64url("Zm9v\0"s).has_value()) << "embedded NUL";
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_TRUE(constant_time_equal("a\0b"s, "a\0b"s));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "Secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secre"));
  EXPECT_FALSE(constant_time_equal("secret", "secrets"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_FALSE(constant_time_equal("a\0b"s, "a\0c"s));
}

// ---------------------------------------------------------------------------------------------
// seal / open (AES-256-GCM)

const Sha256 kKey = sha256("unit-test key");
const std::string kNonce = "0123456789ab";  // 12 bytes

TEST(Seal, GcmSpecTestCases13And14) {
  const Sha256 zero_key{};
  const std::string zero_nonce(12, '\0');
  EXPECT_EQ(seal(zero_key, zero_nonce, ""), zero_nonce + from_hex("530f8afbc74536b9a963b4f1c4cb738b"));
  EXPECT_EQ(seal(zero_key, zero_nonce, std::string(16, '\0')),
            zero_nonce + from_hex("cea7403d4d606b6e074ec5d3baf39d18") + from_hex("d0d1c8a799996bf0265b98b5d48ab919"));
}

TEST(Seal, LayoutIsNonceCiphertextTag) {
  const std::string sealed = seal(kKey, kNonce, "hello");
  EXPECT_EQ(sealed.size(), 12u + 5u + 16u);
  EXPECT_EQ(sealed.substr(0, 12), kNonce);
  EXPECT_EQ(sealed.find("hello"), std::string::npos) << "the plaintext must not appear in the sealed form";
}

TEST(Seal, OpenRoundTrips) {
  for (const std::string& plain : {""s, "x"s, "manage-token:abc"s, std::string(1000, '\xff'), "a\0b"s}) {
    const auto opened = open(kKey, seal(kKey, kNonce, plain));
    ASSERT_TRUE(opened.has_value()) << "plaintext of " << plain.size() << " bytes";
    EXPECT_EQ(*opened, plain);
  }
}

TEST(Seal, OpenFailsOnAnyFlippedByte) {
  const std::string sealed = seal(kKey, kNonce, "registration 42");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (unsigned char mask : {0x01, 0x80}) {
      std::string tampered = sealed;
      tampered[i] = static_cast<char>(tampered[i] ^ mask);
      EXPECT_FALSE(open(kKey, tampered).has_value()) << "byte " << i << " xor " << int(mask);
    }
  }
}

TEST(Seal, OpenFailsOnTruncationOrExtension) {
  const std::string sealed = seal(kKey, kNonce, "registration 42");
  EXPECT_FALSE(open(kKey, sealed.substr(0, sealed.size() - 1)).has_value());
  EXPECT_FALSE(open(kKey, sealed + "x").has_value());
  EXPECT_FALSE(open(kKey, "").has_value());
  EXPECT_FALSE(open(kKey, std::string(27, 'a')).has_value());  // shorter than nonce + tag
}

TEST(Seal, OpenFailsWithAnotherKey) {
  const std::string sealed = seal(kKey, kNonce, "registration 42");
  EXPECT_FALSE(open(sha256("another key"), sealed).has_value());
  Sha256 one_bit_off = kKey;
  one_bit_off[31] ^= 1;
  EXPECT_FALSE(open(one_bit_off, sealed).has_value());
}

// ---------------------------------------------------------------------------------------------
// CursorCodec

TEST(Cursor, RoundTrips) {
  const CursorCodec codec("cursor secret");
  for (std::int64_t id : {std::int64_t{0}, std::int64_t{1}, std::int64_t{42}, std::int64_t{1'000'000'007},
                          std::numeric_limits<std::int64_t>::max()}) {
    const std::string cursor = codec.encode("events", id);
    EXPECT_EQ(cursor.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << "a cursor must be safe in a URL: " << cursor;
    EXPECT_EQ(codec.decode("events", cursor), id) << cursor;
  }
}

TEST(Cursor, IsTiedToItsList) {
  const CursorCodec codec("cursor secret");
  const std::string cursor = codec.encode("events", 42);
  EXPECT_FALSE(codec.decode("roster:1", cursor).has_value());
  EXPECT_FALSE(codec.decode("events:status=draft", cursor).has_value());
  EXPECT_FALSE(codec.decode("", cursor).has_value());
  EXPECT_FALSE(codec.decode("roster:1", codec.encode("roster:2", 42)).has_value());
}

TEST(Cursor, IsTiedToTheSecret) {
  const std::string cursor = CursorCodec("cursor secret").encode("events", 42);
  EXPECT_FALSE(CursorCodec("another secret").decode("events", cursor).has_value());
}

TEST(Cursor, TamperedCursorFails) {
  const CursorCodec codec("cursor secret");
  const std::string cursor = codec.encode("roster:1", 123);
  const auto raw = from_base64url(cursor);
  ASSERT_TRUE(raw.has_value());
  // Any changed byte of what the cursor carries (position, separator, signature).
  for (std::size_t i = 0; i < raw->size(); ++i) {
    std::string tampered = *raw;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    EXPECT_FALSE(codec.decode("roster:1", base64url(tampered)).has_value()) << "byte " << i;
  }
  // Another position with the signature of the first.
  const std::string signature = raw->substr(raw->find('.'));
  EXPECT_FALSE(codec.decode("roster:1", base64url("124" + signature)).has_value());
  EXPECT_FALSE(codec.decode("roster:1", base64url("0" + signature)).has_value());
  // Truncated signature.
  EXPECT_FALSE(codec.decode("roster:1", base64url(raw->substr(0, raw->size() - 1))).has_value());
}

TEST(Cursor, GarbageFails) {
  const CursorCodec codec("cursor secret");
  for (const std::string& garbage :
       {""s, "!!!"s, std::string(100, 'A'), "AAAA"s, base64url("123"), base64url("123."), base64url("abc.def"),
        "MTIz.abc"s, codec.encode("events", 42) + "="}) {
    EXPECT_FALSE(codec.decode("events", garbage).has_value()) << "\"" << garbage << "\"";
  }
}

}  // namespace
}  // namespace convene
