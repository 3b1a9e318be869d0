// UTF-8 text as people type it into forms: validity, trimming, length in characters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace convene {

bool is_valid_utf8(std::string_view text);

// Number of Unicode code points (what a person would count as characters, near enough for limits).
// Precondition: valid UTF-8.
std::size_t code_point_count(std::string_view text);

// Strips leading and trailing white space of any script: ASCII blanks, no-break spaces, the
// ideographic space (U+3000), the other Unicode space separators and the byte-order mark.
std::string_view trim(std::string_view text);

// True for C0 and C1 control characters and DEL, and for the Unicode line and paragraph separators:
// none belongs in a one-line field, and each could break a line of an e-mail or a calendar file.
bool has_line_breaking_or_control_characters(std::string_view text);

// Lower-cases ASCII letters only (e-mail domains, language tags); other bytes are kept.
std::string ascii_lower(std::string_view text);

// Appends `text` as a JSON string: quoted and escaped as nlohmann-json writes it, invalid UTF-8
// replaced (U+FFFD), so the result always parses. For JSON written without building a tree of it.
void append_json_string(std::string& out, std::string_view text);

// The id in a path ("/sessions/12"): a whole number from 1 up, nothing else around it.
std::optional<std::int64_t> parse_id(std::string_view text);

}  // namespace convene
