// Shared by the fuzz targets: property checks that libFuzzer reports as crashes, and the small text
// format the seed corpora are written in.
//
// Input format (every target but http_routes): fields, one per line ('\n' ends a field; a final
// field without one runs to the end of the input). Inside a field, \n \r \t \\ and \xHH stand for
// the bytes they name, so that a seed file stays readable while any byte can still be given; raw CR,
// TAB and every other byte are taken as they are. Fields that are absent are empty.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "convene/time.hpp"

namespace fuzz {

// Where property failures are described. Normally stderr; http_routes runs with -close_fd_mask=2 (the
// server logs every request to stderr) and points this at a copy of stderr made before that.
inline int report_fd = 2;

[[noreturn]] inline void fail(const char* file, int line, const char* condition, const std::string& detail) {
  std::string message = std::string("\n*** property violated: ") + condition + "\n    at " + file + ":" +
                         std::to_string(line) + "\n";
  if (!detail.empty()) message += "    " + detail + "\n";
  [[maybe_unused]] auto written = ::write(report_fd, message.data(), message.size());
  __builtin_trap();  // libFuzzer reports a deadly signal and saves the input as crash-<sha1>
}

// Printable form of a string for failure messages: bytes outside printable ASCII as \xHH.
inline std::string show(std::string_view text, std::size_t limit = 400) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto ch = static_cast<unsigned char>(text[i]);
    if (ch == '\\' || ch == '"') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch >= 0x20 && ch < 0x7F) {
      out += static_cast<char>(ch);
    } else {
      out += "\\x";
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  if (text.size() > limit) out += "...";
  return out + "\"";
}

}  // namespace fuzz

// CHECK(condition) or CHECK(condition, detail-string-expression): the detail is only built on failure.
#define FUZZ_CHECK(condition, ...)                                                  \
  do {                                                                              \
    if (!(condition)) ::fuzz::fail(__FILE__, __LINE__, #condition, std::string{__VA_ARGS__}); \
  } while (0)

namespace fuzz {

inline int hex_value(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

inline std::string unescape_field(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 == raw.size()) {
      out += raw[i];
      continue;
    }
    const char next = raw[i + 1];
    if (next == 'n') out += '\n', ++i;
    else if (next == 'r') out += '\r', ++i;
    else if (next == 't') out += '\t', ++i;
    else if (next == '\\') out += '\\', ++i;
    else if (next == 'x' && i + 3 < raw.size() && hex_value(raw[i + 2]) >= 0 && hex_value(raw[i + 3]) >= 0) {
      out += static_cast<char>(hex_value(raw[i + 2]) * 16 + hex_value(raw[i + 3]));
      i += 3;
    } else {
      out += '\\';
    }
  }
  return out;
}

class Fields {
 public:
  Fields(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    while (!input.empty()) {
      const std::size_t end = input.find('\n');
      fields_.push_back(unescape_field(input.substr(0, end)));
      if (end == std::string_view::npos) break;
      input.remove_prefix(end + 1);
    }
  }
  // The i-th field, or "" when there are fewer.
  const std::string& operator[](std::size_t i) const {
    static const std::string empty;
    return i < fields_.size() ? fields_[i] : empty;
  }
  std::size_t size() const { return fields_.size(); }
  // Fields from `first` on.
  std::vector<std::string> from(std::size_t first) const {
    if (first >= fields_.size()) return {};
    return {fields_.begin() + static_cast<std::ptrdiff_t>(first), fields_.end()};
  }

 private:
  std::vector<std::string> fields_;
};

// FNV-1a: turns any field into a number, so that every mutation of a field still picks something.
inline std::uint64_t hash(std::string_view text) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : text) h = (h ^ ch) * 1099511628211ull;
  return h;
}

// A number from a field: its leading decimal digits (with an optional '-'), else its hash.
inline std::int64_t number(std::string_view text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && text[i] == '-') negative = true, ++i;
  if (i == text.size() || text[i] < '0' || text[i] > '9') return static_cast<std::int64_t>(hash(text) >> 1);
  std::int64_t value = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && value < (std::int64_t{1} << 50); ++i)
    value = value * 10 + (text[i] - '0');
  return negative ? -value : value;
}

// A zone of the catalogue (never an unknown one): the zone or link the field names, else the one at
// index number(field) of the canonical names.
inline convene::TimeZone pick_zone(std::string_view field) {
  if (auto zone = convene::TimeZone::find(field)) return *zone;
  const auto& names = convene::canonical_zone_names();
  const auto n = static_cast<std::uint64_t>(number(field));
  return *convene::TimeZone::find(names[n % names.size()]);
}

// The range of wall times and instants the API accepts: 1900-01-01 to 2200-12-31.
inline constexpr std::int64_t kFirstSecond = -2208988800;  // 1900-01-01T00:00:00
inline constexpr std::int64_t kLastSecond = 7289654399;    // 2200-12-31T23:59:59

// A wall time: the field itself when it parses as one, else a second of 1900-2200 chosen by it.
inline convene::WallTime pick_wall_time(std::string_view field) {
  if (auto wall = convene::parse_wall_time(field)) return *wall;
  const auto span = static_cast<std::uint64_t>(kLastSecond - kFirstSecond + 1);
  return convene::WallTime{std::chrono::seconds{kFirstSecond + static_cast<std::int64_t>(hash(field) % span)}};
}

// An instant: the field when it parses as an RFC 3339 instant, else one of 1900-2200 chosen by it.
inline convene::Instant pick_instant(std::string_view field) {
  if (auto instant = convene::parse_instant(field)) return *instant;
  const auto span = static_cast<std::uint64_t>(kLastSecond - kFirstSecond + 1);
  return convene::Instant{std::chrono::seconds{kFirstSecond + static_cast<std::int64_t>(hash(field) % span)}};
}

}  // namespace fuzz
