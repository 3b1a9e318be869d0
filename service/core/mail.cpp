#include "convene/mail.hpp"

#include "convene/crypto.hpp"

namespace convene::mail {
namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += {kBase64[n >> 18], kBase64[(n >> 12) & 63], kBase64[(n >> 6) & 63], kBase64[n & 63]};
  }
  if (i + 1 == bytes.size()) {
    const unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    out += {kBase64[n >> 18], kBase64[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {kBase64[n >> 18], kBase64[(n >> 12) & 63], kBase64[(n >> 6) & 63], '='};
  }
  return out;
}

std::string without_controls(std::string_view text) {
  std::string out;
  for (unsigned char ch : text) {
    if (ch >= 0x20 && ch != 0x7F) out.push_back(static_cast<char>(ch));
    else if (ch == '\t' || ch == '\n' || ch == '\r') out.push_back(' ');
  }
  return out;
}

bool is_plain_ascii(std::string_view text) {
  for (unsigned char ch : text) {
    if (ch < 0x20 || ch >= 0x7F) return false;
  }
  return true;
}

// "Name: value", folded at spaces so that lines stay within 78 characters (RFC 5322 section 2.2.3).
void header(std::string& out, std::string_view name, std::string_view value) {
  std::string line = std::string(name) + ": ";
  std::size_t column = line.size();
  std::size_t start = 0;
  while (start < value.size()) {
    std::size_t end = value.find(' ', start + 1);
    if (end == std::string_view::npos) end = value.size();
    const std::string_view word = value.substr(start, end - start);  // starts with its space, if any
    const bool folds_already = word.find('\n') != std::string_view::npos;
    if (column + word.size() > 78 && start > 0 && word.front() == ' ' && !folds_already) {
      line += "\r\n";
      column = 0;
    }
    line.append(word);
    const std::size_t last_break = word.rfind('\n');
    column = last_break == std::string_view::npos ? column + word.size() : word.size() - last_break - 1;
    start = end;
  }
  out.append(line).append("\r\n");
}

// A deterministic boundary per message and part: it cannot occur in base64 text (it has '=_').
std::string boundary(const Message& message, std::string_view part) {
  return "=_convene_" + to_hex(sha256(message.message_id + std::string(part))).substr(0, 24);
}

void text_part(std::string& out, std::string_view type, std::string_view body) {
  header(out, "Content-Type", std::string(type) + "; charset=UTF-8");
  header(out, "Content-Transfer-Encoding", "base64");
  out += "\r\n";
  out += base64_lines(body);
}

}  // namespace

std::string encode_header_text(std::string_view text) {
  const std::string clean = without_controls(text);
  if (is_plain_ascii(clean)) return clean;
  // Encoded words of at most 75 characters: 45 bytes of text per word (60 base64 characters plus
  // "=?UTF-8?B?" and "?="), cut at a character boundary; words are joined by folding whitespace.
  std::string out;
  std::size_t start = 0;
  while (start < clean.size()) {
    std::size_t end = std::min(clean.size(), start + 45);
    while (end < clean.size() && end > start && (static_cast<unsigned char>(clean[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(std::string_view(clean).substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string format_address(const Address& address) {
  const std::string email = without_controls(address.email);
  if (!address.name || address.name->empty()) return "<" + email + ">";
  const std::string name = without_controls(*address.name);
  if (!is_plain_ascii(name)) return encode_header_text(name) + " <" + email + ">";
  std::string quoted = "\"";
  for (char ch : name) {
    if (ch == '"' || ch == '\\') quoted.push_back('\\');
    quoted.push_back(ch);
  }
  return quoted + "\" <" + email + ">";
}

std::string format_date(Instant instant) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = date::floor<date::days>(instant);
  const date::year_month_day ymd{day};
  const std::string iso = format_instant(instant);  // 2021-09-10T13:00:00Z
  return std::string(kDays[date::weekday{day}.c_encoding()]) + ", " + std::to_string(unsigned(ymd.day())) + " " +
         kMonths[unsigned(ymd.month()) - 1] + " " + std::to_string(int(ymd.year())) + " " + iso.substr(11, 8) +
         " +0000";
}

std::string base64_lines(std::string_view bytes) {
  const std::string encoded = base64(bytes);
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); i += 76) out.append(encoded, i, 76).append("\r\n");
  return out;
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(ch);
    }
  }
  return out;
}

std::string render(const Message& m) {
  const std::string mixed = boundary(m, "mixed");
  const std::string alternative = boundary(m, "alternative");
  std::string out;
  header(out, "From", format_address(m.from));
  header(out, "To", format_address(m.to));
  header(out, "Subject", encode_header_text(m.subject));
  header(out, "Date", format_date(m.date));
  header(out, "Message-ID", without_controls(m.message_id));
  header(out, "MIME-Version", "1.0");
  for (const auto& [name, value] : m.headers) header(out, without_controls(name), without_controls(value));
  header(out, "Content-Type", "multipart/mixed; boundary=\"" + mixed + "\"");
  out += "\r\nThis is a MIME message.\r\n";

  out += "--" + mixed + "\r\n";
  header(out, "Content-Type", "multipart/alternative; boundary=\"" + alternative + "\"");
  out += "\r\n--" + alternative + "\r\n";
  text_part(out, "text/plain", m.text);
  out += "--" + alternative + "\r\n";
  text_part(out, "text/html", m.html);
  out += "--" + alternative + "--\r\n";

  if (m.calendar) {
    // iMIP: the part's method parameter must equal the METHOD inside, or clients ignore it.
    out += "--" + mixed + "\r\n";
    header(out, "Content-Type", "text/calendar; charset=UTF-8; method=" + m.calendar->method);
    header(out, "Content-Disposition", "attachment; filename=\"invite.ics\"");
    header(out, "Content-Transfer-Encoding", "base64");
    out += "\r\n";
    out += base64_lines(m.calendar->body);
  }
  out += "--" + mixed + "--\r\n";
  return out;
}

}  // namespace convene::mail
