// Opaque, signed cursors for keyset pagination. A cursor names the last row a page showed; the
// signature (HMAC-SHA-256 with a secret every server shares) lets a server refuse cursors it did
// not issue, and ties each cursor to one list so it cannot be replayed against another.
// Immutable once made: safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace convene {

class CursorCodec {
 public:
  explicit CursorCodec(std::string secret) : secret_(std::move(secret)) {}
  // `list` names what is paged, including its filters ("events", "roster:12:status=confirmed").
  std::string encode(std::string_view list, std::int64_t after_id) const;
  std::optional<std::int64_t> decode(std::string_view list, std::string_view cursor) const;

 private:
  std::string signature(std::string_view list, std::string_view position) const;
  std::string secret_;
};

}  // namespace convene
