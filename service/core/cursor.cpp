#include "convene/cursor.hpp"

#include <charconv>

#include "convene/crypto.hpp"

namespace convene {

namespace {
constexpr std::size_t kSignatureBytes = 12;  // 96 bits: forging one is out of reach
}

std::string CursorCodec::signature(std::string_view list, std::string_view position) const {
  const Sha256 mac = hmac_sha256(secret_, std::string(list) + '\n' + std::string(position));
  return std::string(reinterpret_cast<const char*>(mac.data()), kSignatureBytes);
}

std::string CursorCodec::encode(std::string_view list, std::int64_t after_id) const {
  const std::string position = std::to_string(after_id);
  return base64url(position + '.' + signature(list, position));
}

std::optional<std::int64_t> CursorCodec::decode(std::string_view list, std::string_view cursor) const {
  if (cursor.size() > 64) return std::nullopt;
  auto raw = from_base64url(cursor);
  if (!raw) return std::nullopt;
  const std::size_t dot = raw->find('.');
  if (dot == std::string::npos) return std::nullopt;
  const std::string_view position = std::string_view(*raw).substr(0, dot);
  if (!constant_time_equal(std::string_view(*raw).substr(dot + 1), signature(list, position)))
    return std::nullopt;
  std::int64_t after_id = 0;
  auto [end, error] = std::from_chars(position.data(), position.data() + position.size(), after_id);
  if (error != std::errc() || end != position.data() + position.size()) return std::nullopt;
  return after_id;
}

}  // namespace convene
