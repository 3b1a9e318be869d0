#include "convene/csv.hpp"

namespace convene {

namespace {

// A spreadsheet evaluates a cell that starts with one of these; a leading apostrophe makes it text.
bool looks_like_formula(std::string_view value) {
  return !value.empty() && (value.front() == '=' || value.front() == '+' || value.front() == '-' ||
                            value.front() == '@' || value.front() == '\t' || value.front() == '\r');
}

// Appends one field: the export writes millions of them, so no temporary string per field.
void append_field(std::string& out, std::string_view value) {
  const bool neutralise = looks_like_formula(value);
  const bool quote = value.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (quote) out.push_back('"');
  if (neutralise) out.push_back('\'');
  if (!quote) {
    out.append(value);
    return;
  }
  for (char ch : value) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
}

}  // namespace

std::string csv_field(std::string_view value) {
  std::string out;
  append_field(out, value);
  return out;
}

void append_csv_row(std::string& out, const std::vector<std::string_view>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_field(out, fields[i]);
  }
  out += "\r\n";
}

std::string like_contains(std::string_view text) {
  std::string out = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') out.push_back('\\');
    out.push_back(ch);
  }
  out.push_back('%');
  return out;
}

}  // namespace convene
