// E-mail messages as RFC 5322 + MIME text: multipart/mixed holding multipart/alternative (plain
// text and HTML) and, per iMIP (RFC 6047), the invitation as text/calendar whose method= always
// matches the METHOD inside it. Headers a person's name or a title reaches are RFC 2047-encoded, so
// nothing anyone typed can add a header or end one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "convene/time.hpp"

namespace convene::mail {

struct Address {
  std::string email;
  std::optional<std::string> name;
};

struct CalendarPart {
  std::string method;  // REQUEST, CANCEL, PUBLISH: the METHOD of `body`
  std::string body;    // the iCalendar document
};

struct Message {
  Address from;
  Address to;
  std::string subject;
  std::string text;  // text/plain
  std::string html;  // text/html
  std::optional<CalendarPart> calendar;
  std::string message_id;  // "<...@...>"
  Instant date;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. X-Convene-Kind
};

std::string render(const Message& message);

// RFC 2047 encoded words (UTF-8, base64) for a header value, or the text itself when it is plain
// printable ASCII. Control characters are dropped first, so a value cannot break a header line.
std::string encode_header_text(std::string_view text);
// "Name <address>" with the name quoted or encoded as needed.
std::string format_address(const Address& address);
// RFC 5322 date: "Fri, 10 Sep 2021 13:00:00 +0000".
std::string format_date(Instant instant);
// Base64 in lines of 76 characters, CRLF-terminated (RFC 2045).
std::string base64_lines(std::string_view bytes);
// Text safe inside HTML.
std::string html_escape(std::string_view text);

}  // namespace convene::mail
