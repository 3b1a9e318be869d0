// CSV (RFC 4180) for spreadsheets people open: every field quoted when it must be, CRLF row ends,
// and text that a spreadsheet would run as a formula (starting with = + - @, or a tab or carriage
// return before one) neutralised with a leading apostrophe, as OWASP recommends.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace convene {

// Appends one row. Fields are UTF-8 text; an absent value is an empty field.
void append_csv_row(std::string& out, const std::vector<std::string_view>& fields);

// The field as it goes into the file (quoted if needed, neutralised if it looks like a formula).
std::string csv_field(std::string_view value);

// A LIKE pattern matching `text` literally anywhere: % _ and \ in it are escaped (ESCAPE '\').
std::string like_contains(std::string_view text);

}  // namespace convene
