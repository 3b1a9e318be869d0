#include "convene/text.hpp"

#include <algorithm>
#include <charconv>

#include <cstdint>

#include <nlohmann/json.hpp>

namespace convene {
namespace {

// Decodes one code point at text[i]; returns its length in bytes, or 0 if the bytes there are not
// well-formed UTF-8 (overlong forms, surrogates and values past U+10FFFF are not).
std::size_t decode(std::string_view text, std::size_t i, char32_t& out) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t lead = byte(i);
  std::size_t length;
  char32_t min;
  if (lead < 0x80) {
    out = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, out = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, out = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, out = lead & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    out = (out << 6) | (byte(i + k) & 0x3F);
  }
  if (out < min || out > 0x10FFFF || (out >= 0xD800 && out <= 0xDFFF)) return 0;
  return length;
}

bool is_space(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  char32_t c;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = decode(text, i, c);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::size_t code_point_count(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char byte : text) count += (byte & 0xC0) != 0x80;
  return count;
}

std::string_view trim(std::string_view text) {
  char32_t c;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t n = decode(text, begin, c);
    if (n == 0 || !is_space(c)) break;
    begin += n;
  }
  std::size_t end = text.size();
  while (end > begin) {
    // Step back to the start of the last code point.
    std::size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    const std::size_t n = decode(text, start, c);
    if (n == 0 || start + n != end || !is_space(c)) break;
    end = start;
  }
  return text.substr(begin, end - begin);
}

bool has_line_breaking_or_control_characters(std::string_view text) {
  char32_t c;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = decode(text, i, c);
    if (n == 0) return true;
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029) return true;
    i += n;
  }
  return false;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

void append_json_string(std::string& out, std::string_view text) {
  // Most text (addresses, zones, tokens, routes) needs no escaping: printable ASCII without a quote
  // or a backslash goes in as it is. Anything else is the library's to escape and check.
  const bool plain = std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (plain) {
    out += '"';
    out += text;
    out += '"';
    return;
  }
  out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace convene
