// Fuzz target: the CSV writer of the roster export (append_csv_row, csv_field) and the LIKE pattern
// of the roster search (like_contains).
//
// Input: fields, one per line (see fuzz_common.hpp). The fields are the cells of one row; a second
// row holds them in reverse order.
//
// Properties:
//  - the output is strict RFC 4180: a minimal parser (quoted fields with "" for a quote; unquoted
//    fields without quotes, CR or LF; CRLF after every row) reads it without error and gives back
//    two rows, each cell equal to the value written, except that a value a spreadsheet would take
//    for a formula (starting with = + - @, a tab or a carriage return) comes back with an
//    apostrophe in front (OWASP's CSV-injection advice); so no cell starts with one of those;
//  - csv_field(v) is exactly what append_csv_row writes for v;
//  - like_contains(t), read as a LIKE pattern with ESCAPE '\', matches exactly the strings that
//    contain t (checked against t itself, t with text around it, and the other fields).
#include "convene/csv.hpp"
#include "fuzz_common.hpp"

using namespace convene;

namespace {

bool looks_like_formula(std::string_view v) {
  return !v.empty() && std::string_view("=+-@\t\r").find(v.front()) != std::string_view::npos;
}

// RFC 4180, strictly. Any departure is a property violation.
std::vector<std::vector<std::string>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::vector<std::string> row;
    while (true) {
      std::string field;
      if (pos < text.size() && text[pos] == '"') {
        ++pos;
        while (true) {
          FUZZ_CHECK(pos < text.size(), "unterminated quoted field in " + fuzz::show(text));
          if (text[pos] == '"') {
            if (pos + 1 < text.size() && text[pos + 1] == '"') {
              field += '"';
              pos += 2;
            } else {
              ++pos;
              break;
            }
          } else {
            field += text[pos++];
          }
        }
      } else {
        while (pos < text.size() && text[pos] != ',' && text[pos] != '\r' && text[pos] != '\n') {
          FUZZ_CHECK(text[pos] != '"', "quote inside an unquoted field in " + fuzz::show(text));
          field += text[pos++];
        }
      }
      row.push_back(std::move(field));
      FUZZ_CHECK(pos < text.size(), "row without CRLF at the end in " + fuzz::show(text));
      if (text[pos] == ',') {
        ++pos;
        continue;
      }
      FUZZ_CHECK(text.substr(pos, 2) == "\r\n", "field followed by something other than , or CRLF in " + fuzz::show(text));
      pos += 2;
      break;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// LIKE with ESCAPE '\' (PostgreSQL): % any run, _ any one character, \x the character x.
bool like(std::string_view pattern, std::string_view text) {
  struct Token {
    enum { literal, any_one, any_run } kind;
    char ch;
  };
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      FUZZ_CHECK(i + 1 < pattern.size(), "pattern ends in an escape: " + fuzz::show(pattern));
      tokens.push_back({Token::literal, pattern[++i]});
    } else if (pattern[i] == '%') {
      tokens.push_back({Token::any_run, 0});
    } else if (pattern[i] == '_') {
      tokens.push_back({Token::any_one, 0});
    } else {
      tokens.push_back({Token::literal, pattern[i]});
    }
  }
  // Classic wildcard matching with one backtrack point per %.
  std::size_t t = 0, s = 0, star = std::string_view::npos, mark = 0;
  while (s < text.size()) {
    if (t < tokens.size() && tokens[t].kind != Token::any_run &&
        (tokens[t].kind == Token::any_one || tokens[t].ch == text[s])) {
      ++t, ++s;
    } else if (t < tokens.size() && tokens[t].kind == Token::any_run) {
      star = t++, mark = s;
    } else if (star != std::string_view::npos) {
      t = star + 1, s = ++mark;
    } else {
      return false;
    }
  }
  while (t < tokens.size() && tokens[t].kind == Token::any_run) ++t;
  return t == tokens.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::Fields f(data, size);
  const std::vector<std::string> values = f.from(0);
  std::vector<std::string_view> row(values.begin(), values.end());
  std::vector<std::string_view> reversed(row.rbegin(), row.rend());

  std::string out;
  append_csv_row(out, row);
  const std::size_t first_row_end = out.size();
  append_csv_row(out, reversed);

  std::string joined;
  for (std::size_t i = 0; i < row.size(); ++i) joined += (i ? "," : "") + csv_field(row[i]);
  FUZZ_CHECK(out.substr(0, first_row_end) == joined + "\r\n", "csv_field differs from append_csv_row");

  const auto rows = parse_csv(out);
  FUZZ_CHECK(rows.size() == 2, std::to_string(rows.size()) + " rows read back from " + fuzz::show(out));
  for (std::size_t r = 0; r < 2; ++r) {
    const auto& written = r == 0 ? row : reversed;
    // An empty row is written as an empty line, which reads back as one empty cell.
    const std::size_t cells = written.empty() ? 1 : written.size();
    FUZZ_CHECK(rows[r].size() == cells,
               std::to_string(rows[r].size()) + " cells read back for " + std::to_string(cells) + " in " + fuzz::show(out));
    for (std::size_t i = 0; i < written.size(); ++i) {
      const std::string expected = looks_like_formula(written[i]) ? "'" + std::string(written[i]) : std::string(written[i]);
      FUZZ_CHECK(rows[r][i] == expected, "cell " + fuzz::show(rows[r][i]) + " for " + fuzz::show(written[i]));
    }
    for (const auto& cell : rows[r])
      FUZZ_CHECK(!looks_like_formula(cell), "a spreadsheet would run " + fuzz::show(cell));
  }

  // The roster search: like_contains(t) finds exactly what contains t.
  if (!values.empty()) {
    const std::string& needle = values[0];
    const std::string pattern = like_contains(needle);
    FUZZ_CHECK(like(pattern, needle), fuzz::show(pattern) + " does not match " + fuzz::show(needle));
    FUZZ_CHECK(like(pattern, "ab" + needle + "cd"), fuzz::show(pattern));
    for (std::size_t i = 1; i < values.size() && i < 4; ++i) {
      FUZZ_CHECK(like(pattern, values[i]) == (values[i].find(needle) != std::string::npos),
                 fuzz::show(pattern) + " against " + fuzz::show(values[i]));
    }
  }
  return 0;
}
