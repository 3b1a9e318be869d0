// iCalendar writer: content lines, TEXT and parameter escaping, DATE-TIME forms, VALARM triggers,
// VTIMEZONE from the tz database, and whole documents that typed text must not be able to bend.
//
// Sources: RFC 5545 3.1 (content lines: CRLF, folding at 75 octets, "a CRLF followed immediately by
// a single linear white-space character" is removed when unfolding; folds must not split a UTF-8
// character), 3.1.1 and 3.2 (parameter values: DQUOTE-quoted when they hold ':' ';' ','; no DQUOTE
// or CONTROL inside), 3.3.5 (DATE-TIME forms), 3.3.6 (dur-value), 3.3.11 (TEXT escaping: backslash,
// semicolon, comma, newline), 3.6.5 (VTIMEZONE); docs/api.md "iCalendar rules".
// Transition instants (tzdata 2025b) were read with /usr/bin/python3 zoneinfo, e.g.
//   datetime(2021,3,14,7,0,tzinfo=utc).astimezone(ZoneInfo("America/New_York")) -> 03:00 EDT
//   datetime(2011,12,30,10,0,tzinfo=utc).astimezone(ZoneInfo("Pacific/Apia"))   -> 2011-12-31 00:00 +14
//   datetime(2022,3,27,2,0,tzinfo=utc).astimezone(ZoneInfo("Africa/Casablanca")) -> 02:00 +00
// and each VTIMEZONE is also checked against convene's own conversions (to_zoned) at thousands of
// instants, by expanding its observances here.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convene/icalendar.hpp"

namespace convene::ical {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Instant utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return date::sys_days{date::year{y} / date::month{mo} / date::day{d}} + hours{h} + minutes{mi} + seconds{s};
}
WallTime wall(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return date::local_days{date::year{y} / date::month{mo} / date::day{d}} + hours{h} + minutes{mi} + seconds{s};
}
TimeZone zone(std::string_view name) {
  auto found = TimeZone::find(name);
  EXPECT_TRUE(found.has_value()) << name;
  return found.value_or(TimeZone::utc());
}

// ---------------------------------------------------------------------------------------------
// Reading documents back, independently of the writer.

// Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n;
    char32_t cp;
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      n = 1, cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 2, cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 3, cp = b & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;  // truncated
    for (std::size_t k = 1; k <= n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += n + 1;
  }
  return true;
}

// The physical lines of a document; fails the test on a bare CR or LF or a missing final CRLF.
std::vector<std::string> physical_lines(const std::string& doc) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < doc.size()) {
    const std::size_t end = doc.find("\r\n", start);
    if (end == std::string::npos) {
      ADD_FAILURE() << "document does not end in CRLF";
      break;
    }
    lines.push_back(doc.substr(start, end - start));
    start = end + 2;
  }
  for (const auto& line : lines) {
    EXPECT_EQ(line.find_first_of("\r\n"), std::string::npos) << "bare CR or LF in: " << line;
  }
  return lines;
}

// RFC 5545 3.1 unfolding: remove every CRLF followed by one space or tab; then split on CRLF.
std::vector<std::string> unfolded_lines(const std::string& doc) {
  std::vector<std::string> out;
  for (const auto& line : physical_lines(doc)) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (out.empty()) {
        ADD_FAILURE() << "document starts with a continuation line";
        continue;
      }
      out.back() += line.substr(1);
    } else {
      out.push_back(line);
    }
  }
  return out;
}

struct ContentLine {
  std::string name;
  std::vector<std::pair<std::string, std::string>> params;  // values without their DQUOTEs
  std::string value;
  std::optional<std::string> param(std::string_view key) const {
    for (const auto& [k, v] : params)
      if (k == key) return v;
    return std::nullopt;
  }
};

// name *(";" param) ":" value, with param = name "=" (quoted-string / paramtext); RFC 5545 3.1.
std::optional<ContentLine> parse_line(const std::string& line) {
  ContentLine out;
  std::size_t i = 0;
  const auto is_name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; };
  while (i < line.size() && is_name_char(line[i])) out.name.push_back(line[i++]);
  if (out.name.empty() || i == line.size()) return std::nullopt;
  while (line[i] == ';') {
    ++i;
    std::string key, value;
    while (i < line.size() && is_name_char(line[i])) key.push_back(line[i++]);
    if (key.empty() || i == line.size() || line[i] != '=') return std::nullopt;
    ++i;
    if (i < line.size() && line[i] == '"') {
      const std::size_t close = line.find('"', i + 1);
      if (close == std::string::npos) return std::nullopt;
      value = line.substr(i + 1, close - i - 1);
      i = close + 1;
    } else {
      while (i < line.size() && line[i] != ';' && line[i] != ':' && line[i] != ',') {
        if (line[i] == '"') return std::nullopt;
        value.push_back(line[i++]);
      }
    }
    if (i == line.size()) return std::nullopt;
    for (unsigned char c : value)
      if ((c < 0x20 && c != '\t') || c == 0x7F) return std::nullopt;
    out.params.emplace_back(key, value);
  }
  if (line[i] != ':') return std::nullopt;
  out.value = line.substr(i + 1);
  return out;
}

std::vector<ContentLine> parse_document(const std::string& doc) {
  std::vector<ContentLine> out;
  for (const auto& line : unfolded_lines(doc)) {
    auto parsed = parse_line(line);
    if (!parsed) {
      ADD_FAILURE() << "not a content line: " << line;
      continue;
    }
    out.push_back(std::move(*parsed));
  }
  return out;
}

// RFC 5545 3.3.11, read side.
std::optional<std::string> unescape_text(std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\\') {
      if (value[i] == ';' || value[i] == ',') return std::nullopt;  // must have been escaped
      out.push_back(value[i]);
      continue;
    }
    if (++i == value.size()) return std::nullopt;
    switch (value[i]) {
      case '\\': out.push_back('\\'); break;
      case ';': out.push_back(';'); break;
      case ',': out.push_back(','); break;
      case 'n':
      case 'N': out.push_back('\n'); break;
      default: return std::nullopt;
    }
  }
  return out;
}

std::string describe_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += n + " ";
  return out;
}

// ---------------------------------------------------------------------------------------------
// fold()

struct FoldCase {
  std::string name;
  std::string line;
};

std::ostream& operator<<(std::ostream& os, const FoldCase& c) { return os << c.name; }

constexpr std::string_view kTwoByte = "\xC3\xA9";              // é U+00E9
constexpr std::string_view kThreeByte = "\xE0\xA4\xA8";        // न U+0928 DEVANAGARI LETTER NA
constexpr std::string_view kFourByte = "\xF0\x9F\xA4\x9D";     // 🤝 U+1F91D

std::vector<FoldCase> fold_cases() {
  std::vector<FoldCase> cases = {
      {"ascii_short", "SUMMARY:Panel"},
      {"empty_value", "DESCRIPTION:"},
      {"ascii_74_octets", "X:" + std::string(72, 'a')},
      {"ascii_75_octets_fits", "X:" + std::string(73, 'a')},
      {"ascii_76_octets_folds_once", "X:" + std::string(74, 'a')},
      {"ascii_149_octets_two_lines", "X:" + std::string(147, 'a')},
      {"ascii_150_octets_three_lines", "X:" + std::string(148, 'a')},
      {"ascii_1000_octets", "DESCRIPTION:" + std::string(988, 'z')},
      {"spaces_at_the_folds", "X:" + std::string(300, ' ')},
  };
  const std::vector<std::pair<std::string, std::string_view>> widths = {
      {"2byte", kTwoByte}, {"3byte", kThreeByte}, {"4byte", kFourByte}};
  for (const auto& [label, ch] : widths) {
    const std::size_t w = ch.size();
    // First line: a character starting at octet offset p, for every p where it ends at, straddles
    // or starts right after the 75-octet boundary.
    for (std::size_t p = 75 - w; p <= 75; ++p) {
      std::string line = "X:" + std::string(p - 2, 'a') + std::string(ch) + std::string(100, 'b');
      cases.push_back({label + "_at_octet_" + std::to_string(p) + "_of_first_line", line});
    }
    // Continuation line: 75 ASCII octets fill the first line; the second holds 74 after its space.
    for (std::size_t q = 74 - w; q <= 74; ++q) {
      std::string line = "X:" + std::string(73, 'a') + std::string(q, 'c') + std::string(ch) + std::string(100, 'd');
      cases.push_back({label + "_at_octet_" + std::to_string(q) + "_of_continuation", line});
    }
    // Nothing but this character, long enough for many folds, with every phase against 74.
    for (std::size_t lead = 0; lead < w; ++lead) {
      std::string line = "X:" + std::string(lead, 'a');
      for (int i = 0; i < 120; ++i) line += ch;
      cases.push_back({label + "_only_lead_" + std::to_string(lead), line});
    }
  }
  std::string mixed = "DESCRIPTION:";
  for (int i = 0; i < 40; ++i)
    mixed += std::string(kTwoByte) + "a" + std::string(kThreeByte) + std::string(kFourByte) + "\xD8\xB9";  // ع
  cases.push_back({"mixed_widths", mixed});
  // Escape pairs (as escape_text writes them) with their backslash at every octet around the
  // boundaries of the first and second lines; a run of escaped backslashes; the seeded panel.
  const std::vector<std::pair<std::string, std::string_view>> pairs = {
      {"comma", "\\,"}, {"semicolon", "\\;"}, {"newline", "\\n"}, {"backslash", "\\\\"}};
  for (const auto& [label, pair] : pairs) {
    for (std::size_t p = 72; p <= 76; ++p) {
      cases.push_back({"escaped_" + label + "_at_octet_" + std::to_string(p),
                       "X:" + std::string(p - 2, 'a') + std::string(pair) + std::string(90, 'b')});
      cases.push_back({"escaped_" + label + "_at_octet_" + std::to_string(p) + "_of_continuation",
                       "X:" + std::string(73, 'a') + std::string(p - 2, 'c') + std::string(pair) + std::string(90, 'd')});
    }
  }
  cases.push_back({"escaped_backslashes_only", "X:" + escape_text(std::string(200, '\\'))});
  cases.push_back({"escaped_commas_only", "X:" + escape_text(std::string(200, ','))});
  cases.push_back({"south_south_summary",
                   "SUMMARY:" + escape_text("South-South cooperation: solidarity in support of a more inclusive, "
                                            "resilient and sustainable future \u2014 Virtual high-level panel discussion")});
  return cases;
}

class IcalFold : public ::testing::TestWithParam<FoldCase> {};

TEST_P(IcalFold, LinesFitStayValidUtf8AndUnfoldToTheInput) {
  const std::string& input = GetParam().line;
  ASSERT_TRUE(valid_utf8(input));
  const std::string folded = fold(input);
  ASSERT_TRUE(folded.ends_with("\r\n"));
  const auto lines = physical_lines(folded);
  ASSERT_FALSE(lines.empty());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE("physical line " + std::to_string(i));
    EXPECT_LE(lines[i].size(), 75u);
    if (i > 0) {
      ASSERT_FALSE(lines[i].empty());
      EXPECT_EQ(lines[i][0], ' ');
    }
    const std::string_view content = i == 0 ? std::string_view(lines[i]) : std::string_view(lines[i]).substr(1);
    EXPECT_TRUE(valid_utf8(content)) << "a fold split a UTF-8 character";
    EXPECT_FALSE(content.empty()) << "an empty continuation line";
    // Greedy: a line is cut short only by the width of a character that would not fit (at most 3)
    // and by an escape pair that would be split (one more).
    if (i + 1 < lines.size()) {
      EXPECT_GE(lines[i].size(), 71u);
      // Never between a backslash and the character it escapes (Outlook shows the backslash): a
      // line starts at a pair boundary, so it must end after an even run of backslashes.
      std::size_t run = 0;
      while (run < content.size() && content[content.size() - 1 - run] == '\\') ++run;
      EXPECT_EQ(run % 2, 0u) << "a fold split an escape pair: " << content;
    }
  }
  // Unfolding, as RFC 5545 3.1 does it: remove each CRLF followed by one space.
  std::string unfolded = folded.substr(0, folded.size() - 2);
  for (std::size_t at; (at = unfolded.find("\r\n ")) != std::string::npos;) unfolded.erase(at, 3);
  EXPECT_EQ(unfolded, input);
  if (input.size() <= 75) {
    EXPECT_EQ(lines.size(), 1u);
  } else {
    EXPECT_GT(lines.size(), 1u);
  }
}

INSTANTIATE_TEST_SUITE_P(Lines, IcalFold, ::testing::ValuesIn(fold_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(IcalFoldExact, SeventySixAsciiOctetsMoveOneOctetToTheNextLine) {
  EXPECT_EQ(fold("X:" + std::string(74, 'a')), "X:" + std::string(73, 'a') + "\r\n a\r\n");
}

TEST(IcalFoldExact, ATwoByteCharacterAcrossOctet75MovesWhole) {
  // 74 octets, then é (octets 75 and 76): the first line ends after 74 octets.
  EXPECT_EQ(fold("X:" + std::string(72, 'a') + "\xC3\xA9" + "b"),
            "X:" + std::string(72, 'a') + "\r\n \xC3\xA9" + "b\r\n");
}

// ---------------------------------------------------------------------------------------------
// escape_text()

struct TextCase {
  std::string name;
  std::string input;
  std::string expected;
};
std::ostream& operator<<(std::ostream& os, const TextCase& c) { return os << c.name; }

class IcalEscapeText : public ::testing::TestWithParam<TextCase> {};

TEST_P(IcalEscapeText, EscapesAsRfc5545Text) {
  EXPECT_EQ(escape_text(GetParam().input), GetParam().expected);
  // And a reader gets the text back, line breaks as LF and dropped controls aside.
  const auto back = unescape_text(escape_text(GetParam().input));
  ASSERT_TRUE(back.has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Values, IcalEscapeText,
    ::testing::Values(TextCase{"plain", "Panel discussion", "Panel discussion"},
                      TextCase{"empty", "", ""},
                      TextCase{"backslash", "C:\\path\\x", "C:\\\\path\\\\x"},
                      TextCase{"semicolon", "a;b", "a\\;b"},
                      TextCase{"comma", "Kathmandu, Nepal", "Kathmandu\\, Nepal"},
                      TextCase{"colon_is_not_escaped", "Room: 1", "Room: 1"},
                      TextCase{"dquote_is_not_escaped", "say \"hi\"", "say \"hi\""},
                      TextCase{"lf", "line1\nline2", "line1\\nline2"},
                      TextCase{"crlf_is_one_break", "line1\r\nline2", "line1\\nline2"},
                      TextCase{"lone_cr", "line1\rline2", "line1\\nline2"},
                      TextCase{"cr_cr_lf_is_two_breaks", "a\r\r\nb", "a\\n\\nb"},
                      TextCase{"lf_cr_is_two_breaks", "a\n\rb", "a\\n\\nb"},
                      TextCase{"trailing_crlf", "a\r\n", "a\\n"},
                      TextCase{"tab_kept", "a\tb", "a\tb"},
                      TextCase{"controls_dropped", "a\x01\x02\x1b\x1f\x7f" "b"s, "ab"},
                      TextCase{"nul_dropped", "a\0b"s, "ab"},
                      TextCase{"backslash_n_literal", "\\n", "\\\\n"},
                      TextCase{"utf8_kept", "सहयोग — التعاون — 南南合作 🌏", "सहयोग — التعاون — 南南合作 🌏"},
                      TextCase{"everything", "a\\b;c,d\r\ne\tf\x01g", "a\\\\b\\;c\\,d\\ne\tfg"}),
    [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// parameter_value()

class IcalParameterValue : public ::testing::TestWithParam<TextCase> {};

TEST_P(IcalParameterValue, QuotesOrCleansSoThatTheParameterCannotEndEarly) {
  const std::string out = parameter_value(GetParam().input);
  EXPECT_EQ(out, GetParam().expected);
  // Whatever came in, the result is one param-value (RFC 5545 3.1): a quoted-string holding no
  // DQUOTE or control, or paramtext holding none of DQUOTE ; : , or controls.
  const bool quoted = out.size() >= 2 && out.front() == '"' && out.back() == '"';
  const std::string_view inner = quoted ? std::string_view(out).substr(1, out.size() - 2) : std::string_view(out);
  for (unsigned char c : inner) {
    EXPECT_FALSE(c < 0x20 || c == 0x7F || c == '"') << int(c);
    if (!quoted) {
      EXPECT_FALSE(c == ';' || c == ':' || c == ',') << c;
    }
  }
  const auto line = parse_line("ATTENDEE;CN=" + out + ";RSVP=FALSE:mailto:a@example.org");
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->params.size(), 2u);
  EXPECT_EQ(line->value, "mailto:a@example.org");
}

INSTANTIATE_TEST_SUITE_P(
    Values, IcalParameterValue,
    ::testing::Values(TextCase{"plain", "Sita Sharma", "Sita Sharma"},
                      TextCase{"empty", "", ""},
                      TextCase{"colon_quoted", "Protocol: Nepal", "\"Protocol: Nepal\""},
                      TextCase{"semicolon_quoted", "a;b", "\"a;b\""},
                      TextCase{"comma_quoted", "Sharma, Sita", "\"Sharma, Sita\""},
                      TextCase{"dquote_replaced", "Sita \"Sunny\" Sharma", "Sita 'Sunny' Sharma"},
                      TextCase{"dquote_replaced_inside_quotes", "\"x\";y", "\"'x';y\""},
                      TextCase{"only_dquote", "\"", "'"},
                      TextCase{"crlf_removed", "Org\r\nATTENDEE:mailto:evil@x", "\"OrgATTENDEE:mailto:evil@x\""},
                      TextCase{"controls_removed", "a\x01\x1b\x7f" "b\tc\0d"s, "abcd"},
                      TextCase{"injection_attempt", "x\";ROLE=CHAIR:mailto:evil@x", "\"x';ROLE=CHAIR:mailto:evil@x\""},
                      TextCase{"devanagari", "सीता शर्मा", "सीता शर्मा"},
                      TextCase{"arabic", "فاطمة الزهراء", "فاطمة الزهراء"},
                      TextCase{"chinese", "王小明", "王小明"},
                      TextCase{"tzid_with_slash", "America/New_York", "America/New_York"}),
    [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// trigger_before(), utc_date_time(), local_date_time()

struct TriggerCase {
  std::string name;
  seconds before;
  std::string expected;
};
std::ostream& operator<<(std::ostream& os, const TriggerCase& c) { return os << c.name; }

class IcalTrigger : public ::testing::TestWithParam<TriggerCase> {};

TEST_P(IcalTrigger, WritesAnRfc5545Duration) { EXPECT_EQ(trigger_before(GetParam().before), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    Values, IcalTrigger,
    ::testing::Values(TriggerCase{"one_hour", 1h, "-PT1H"},
                      TriggerCase{"one_day", 24h, "-P1D"},
                      TriggerCase{"fifteen_minutes", 15min, "-PT15M"},
                      TriggerCase{"day_two_hours_thirty_minutes", 24h + 2h + 30min, "-P1DT2H30M"},
                      TriggerCase{"seven_days", 7 * 24h, "-P7D"},
                      TriggerCase{"ninety_seconds", 90s, "-PT1M30S"},
                      TriggerCase{"one_second", 1s, "-PT1S"},
                      TriggerCase{"day_and_one_second", 24h + 1s, "-P1DT1S"},
                      // Zero is written without a sign: RFC 5545 3.3.6 makes the sign optional
                      // and -PT0S and PT0S mean the same; libical and python3-icalendar read 0
                      // (tests/ical: the request-i18n sample carries such an alarm).
                      TriggerCase{"zero", 0s, "PT0S"},
                      TriggerCase{"after_the_start", -30min, "PT30M"}),
    [](const auto& info) { return info.param.name; });

struct DateTimeCase {
  std::string name;
  Instant instant;
  std::string expected;
};
std::ostream& operator<<(std::ostream& os, const DateTimeCase& c) { return os << c.name; }

class IcalUtcDateTime : public ::testing::TestWithParam<DateTimeCase> {};
TEST_P(IcalUtcDateTime, IsTheFormWithZ) { EXPECT_EQ(utc_date_time(GetParam().instant), GetParam().expected); }
INSTANTIATE_TEST_SUITE_P(
    Values, IcalUtcDateTime,
    ::testing::Values(DateTimeCase{"panel", utc(2021, 9, 10, 13), "20210910T130000Z"},
                      DateTimeCase{"epoch", utc(1970, 1, 1), "19700101T000000Z"},
                      DateTimeCase{"seconds", utc(2021, 11, 7, 6, 30, 5), "20211107T063005Z"},
                      DateTimeCase{"past_2038", utc(2040, 7, 4, 16), "20400704T160000Z"},
                      DateTimeCase{"last_second_of_2200", utc(2200, 12, 31, 23, 59, 59), "22001231T235959Z"},
                      DateTimeCase{"leap_day", utc(2024, 2, 29, 0, 0, 1), "20240229T000001Z"}),
    [](const auto& info) { return info.param.name; });

struct WallCase {
  std::string name;
  WallTime wall;
  std::string expected;
};
std::ostream& operator<<(std::ostream& os, const WallCase& c) { return os << c.name; }

class IcalLocalDateTime : public ::testing::TestWithParam<WallCase> {};
TEST_P(IcalLocalDateTime, IsTheFormWithoutZ) { EXPECT_EQ(local_date_time(GetParam().wall), GetParam().expected); }
INSTANTIATE_TEST_SUITE_P(
    Values, IcalLocalDateTime,
    ::testing::Values(WallCase{"panel_in_new_york", wall(2021, 9, 10, 9), "20210910T090000"},
                      WallCase{"kathmandu_quarter", wall(2021, 9, 10, 18, 45), "20210910T184500"},
                      WallCase{"midnight", wall(2011, 12, 31), "20111231T000000"},
                      WallCase{"seconds", wall(2021, 11, 7, 1, 30, 59), "20211107T013059"},
                      WallCase{"far_future", wall(2200, 1, 1, 23, 59), "22000101T235900"}),
    [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// vtimezone()

struct Observance {
  bool daylight = false;
  std::map<std::string, std::string> props;  // DTSTART, TZOFFSETFROM, TZOFFSETTO, TZNAME, RRULE
  std::string get(const std::string& key) const {
    auto it = props.find(key);
    return it == props.end() ? "" : it->second;
  }
};

struct ParsedVTimezone {
  std::string tzid;
  std::vector<Observance> observances;
};

ParsedVTimezone parse_vtimezone(const std::string& text) {
  ParsedVTimezone out;
  const auto lines = parse_document(text);
  std::vector<std::string> stack;
  for (const auto& line : lines) {
    if (line.name == "BEGIN") {
      if (stack.empty()) {
        EXPECT_EQ(line.value, "VTIMEZONE");
      } else {
        EXPECT_EQ(stack, std::vector<std::string>{"VTIMEZONE"}) << "nested " << line.value;
        EXPECT_TRUE(line.value == "STANDARD" || line.value == "DAYLIGHT") << line.value;
        out.observances.push_back({line.value == "DAYLIGHT", {}});
      }
      stack.push_back(line.value);
    } else if (line.name == "END") {
      EXPECT_FALSE(stack.empty());
      if (stack.empty()) continue;
      EXPECT_EQ(stack.back(), line.value) << "END does not match BEGIN";
      stack.pop_back();
    } else if (stack.size() == 1) {
      EXPECT_EQ(line.name, "TZID");
      out.tzid = line.value;
    } else if (stack.size() == 2) {
      EXPECT_TRUE(line.params.empty()) << line.name;
      EXPECT_EQ(out.observances.back().props.count(line.name), 0u) << "repeated " << line.name;
      out.observances.back().props[line.name] = line.value;
    } else {
      ADD_FAILURE() << "property outside VTIMEZONE: " << line.name;
    }
  }
  EXPECT_TRUE(stack.empty()) << "unbalanced BEGIN/END";
  for (const auto& o : out.observances) {
    for (const auto& [key, value] : o.props)
      EXPECT_TRUE(key == "DTSTART" || key == "TZOFFSETFROM" || key == "TZOFFSETTO" || key == "TZNAME" || key == "RRULE")
          << key;
    for (const char* key : {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME"})
      EXPECT_EQ(o.props.count(key), 1u) << key;
  }
  return out;
}

std::optional<Offset> parse_utc_offset(const std::string& text) {
  if ((text.size() != 5 && text.size() != 7) || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  for (std::size_t i = 1; i < text.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  const int h = std::stoi(text.substr(1, 2)), m = std::stoi(text.substr(3, 2));
  const int s = text.size() == 7 ? std::stoi(text.substr(5, 2)) : 0;
  const Offset off{h * 3600 + m * 60 + s};
  return text[0] == '-' ? -off : off;
}

std::optional<WallTime> parse_local(const std::string& text) {
  if (text.size() != 15 || text[8] != 'T') return std::nullopt;
  const auto num = [&](int from, int len) { return std::stoi(text.substr(from, len)); };
  return wall(num(0, 4), unsigned(num(4, 2)), unsigned(num(6, 2)), num(9, 2), num(11, 2), num(13, 2));
}

std::optional<Instant> parse_utc(const std::string& text) {
  if (text.size() != 16 || text.back() != 'Z') return std::nullopt;
  auto local = parse_local(text.substr(0, 15));
  if (!local) return std::nullopt;
  return Instant{local->time_since_epoch()};
}

struct YearlyByDay {
  unsigned month;
  int ordinal;       // 1..4 or -1
  unsigned weekday;  // 0 = SU
  std::optional<Instant> until;
};

// The only RRULE form a VTIMEZONE of ours may hold: FREQ=YEARLY;BYMONTH=m;BYDAY=(n|-1)DD[;UNTIL=..Z].
std::optional<YearlyByDay> parse_rrule(const std::string& text) {
  YearlyByDay rule{};
  bool freq = false, month = false, day = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(';', start), text.size());
    const std::string part = text.substr(start, end - start);
    const auto eq = part.find('=');
    if (eq == std::string::npos) return std::nullopt;
    const std::string key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "FREQ") {
      if (value != "YEARLY") return std::nullopt;
      freq = true;
    } else if (key == "BYMONTH") {
      rule.month = unsigned(std::stoi(value));
      month = rule.month >= 1 && rule.month <= 12;
    } else if (key == "BYDAY") {
      static const std::vector<std::string> days = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
      if (value.size() < 3) return std::nullopt;
      const auto it = std::find(days.begin(), days.end(), value.substr(value.size() - 2));
      if (it == days.end()) return std::nullopt;
      rule.weekday = unsigned(it - days.begin());
      rule.ordinal = std::stoi(value.substr(0, value.size() - 2));
      day = rule.ordinal == -1 || (rule.ordinal >= 1 && rule.ordinal <= 4);
    } else if (key == "UNTIL") {
      rule.until = parse_utc(value);
      if (!rule.until) return std::nullopt;
    } else {
      return std::nullopt;
    }
    start = end + 1;
  }
  if (!(freq && month && day)) return std::nullopt;
  return rule;
}

WallTime nth_weekday(int year, const YearlyByDay& rule, seconds time_of_day) {
  const date::weekday wd{rule.weekday};
  date::sys_days day;
  if (rule.ordinal == -1)
    day = date::sys_days{date::year{year} / date::month{rule.month} / wd[date::last]};
  else
    day = date::sys_days{date::year{year} / date::month{rule.month} / wd[unsigned(rule.ordinal)]};
  return WallTime{day.time_since_epoch()} + time_of_day;
}

struct Onset {
  Instant at;
  Offset from;
  Offset to;
};

// Every onset the VTIMEZONE describes up to `horizon`, sorted; RRULEs expanded here.
std::vector<Onset> expand(const ParsedVTimezone& vtz, Instant horizon) {
  std::vector<Onset> onsets;
  for (const auto& o : vtz.observances) {
    const auto start = parse_local(o.get("DTSTART"));
    const auto from = parse_utc_offset(o.get("TZOFFSETFROM"));
    const auto to = parse_utc_offset(o.get("TZOFFSETTO"));
    if (!start || !from || !to) {
      ADD_FAILURE() << "bad observance DTSTART=" << o.get("DTSTART") << " FROM=" << o.get("TZOFFSETFROM")
                    << " TO=" << o.get("TZOFFSETTO");
      continue;
    }
    const auto at = [&](WallTime local) { return Instant{local.time_since_epoch() - *from}; };
    onsets.push_back({at(*start), *from, *to});
    if (o.props.count("RRULE")) {
      const auto rule = parse_rrule(o.get("RRULE"));
      if (!rule) {
        ADD_FAILURE() << "unexpected RRULE " << o.get("RRULE");
        continue;
      }
      const auto start_day = date::floor<date::days>(*start);
      const date::year_month_day ymd{start_day};
      EXPECT_EQ(nth_weekday(int(ymd.year()), *rule, *start - start_day), *start)
          << "DTSTART is not an occurrence of its RRULE " << o.get("RRULE");
      if (rule->until) {
        // UNTIL is inclusive and names the last onset exactly.
        const date::year_month_day until_ymd{date::floor<date::days>(*rule->until + *from)};
        EXPECT_EQ(at(nth_weekday(int(until_ymd.year()), *rule, *start - start_day)), *rule->until)
            << "UNTIL is not the last onset";
      }
      for (int y = int(ymd.year()) + 1;; ++y) {
        const Instant next = at(nth_weekday(y, *rule, *start - start_day));
        if (next > horizon || (rule->until && next > *rule->until)) break;
        onsets.push_back({next, *from, *to});
      }
    }
  }
  std::sort(onsets.begin(), onsets.end(), [](const Onset& a, const Onset& b) { return a.at < b.at; });
  return onsets;
}

// The VTIMEZONE gives the same offset as convene's conversions everywhere in [from, to]: every six
// hours, and a second either side of every transition.
void expect_same_offsets_as_the_tz_database(const std::string& text, const TimeZone& z, Instant from, Instant to) {
  const auto vtz = parse_vtimezone(text);
  EXPECT_EQ(vtz.tzid, z.name());
  // Only [from, to] is promised: a rule without UNTIL may go on past `to` although the zone did not.
  const auto onsets = expand(vtz, to);
  ASSERT_FALSE(onsets.empty());
  EXPECT_LE(onsets.front().at, from) << "the first observance starts after the period";
  for (std::size_t i = 1; i < onsets.size(); ++i) {
    EXPECT_LT(onsets[i - 1].at, onsets[i].at) << "two onsets at " << format_instant(onsets[i].at);
    EXPECT_EQ(onsets[i].from, onsets[i - 1].to) << "TZOFFSETFROM at " << format_instant(onsets[i].at)
                                                << " is not the offset in force before it";
  }
  const auto offset_in_vtimezone = [&](Instant t) {
    Offset offset = onsets.front().from;
    for (const auto& o : onsets) {
      if (o.at > t) break;
      offset = o.to;
    }
    return offset;
  };
  std::vector<Instant> probes;
  for (Instant t = from; t <= to; t += hours(6)) probes.push_back(t);
  for (Instant t = from; t <= to;) {
    const auto period = offset_period(z, t);
    if (period.end > to) break;
    probes.push_back(period.end - seconds(1));
    probes.push_back(period.end);
    t = period.end;
  }
  int mismatches = 0;
  for (Instant t : probes) {
    const Offset expected = to_zoned(t, z).offset;
    if (offset_in_vtimezone(t) != expected && ++mismatches <= 5) {
      ADD_FAILURE() << z.name() << " at " << format_instant(t) << ": VTIMEZONE says "
                    << format_offset(offset_in_vtimezone(t)) << ", tz database " << format_offset(expected);
    }
  }
  EXPECT_EQ(mismatches, 0);
}

struct VTimezoneCase {
  std::string name;
  std::string zone;
  Instant from;
  Instant to;
};
std::ostream& operator<<(std::ostream& os, const VTimezoneCase& c) { return os << c.name; }

// The span ical::write uses for an event: a year either side (366 days).
VTimezoneCase around(std::string name, std::string zone_name, Instant event) {
  return {std::move(name), std::move(zone_name), event - hours(24 * 366), event + hours(24 * 366)};
}

std::vector<VTimezoneCase> vtimezone_cases() {
  return {
      around("new_york_panel", "America/New_York", utc(2021, 9, 10, 13)),
      {"new_york_one_year", "America/New_York", utc(2021, 1, 1), utc(2021, 12, 31)},
      around("new_york_2040", "America/New_York", utc(2040, 7, 4, 16)),
      around("dublin", "Europe/Dublin", utc(2021, 7, 15, 10)),
      around("lord_howe", "Australia/Lord_Howe", utc(2021, 4, 3, 15)),
      around("chatham", "Pacific/Chatham", utc(2021, 9, 25, 14)),
      around("casablanca_2022", "Africa/Casablanca", utc(2022, 4, 15, 12)),
      around("sao_paulo_2018", "America/Sao_Paulo", utc(2018, 11, 4, 3)),
      around("sao_paulo_2030", "America/Sao_Paulo", utc(2030, 2, 10, 13)),
      {"sao_paulo_2018_to_2030", "America/Sao_Paulo", utc(2017, 12, 10), utc(2031, 2, 10)},
      around("kathmandu", "Asia/Kathmandu", utc(2021, 9, 10, 13)),
      around("apia_skipped_day", "Pacific/Apia", utc(2011, 12, 30, 10)),
      around("tehran_2021", "Asia/Tehran", utc(2021, 7, 1)),
      {"tehran_2023", "Asia/Tehran", utc(2023, 1, 1), utc(2023, 12, 31)},
      {"moscow_2008_to_2013", "Europe/Moscow", utc(2008, 7, 1), utc(2013, 7, 1)},
      around("fixed_etc_zone", "Etc/GMT-14", utc(2021, 9, 10)),
  };
}

class IcalVTimezone : public ::testing::TestWithParam<VTimezoneCase> {};

TEST_P(IcalVTimezone, AgreesWithTheTzDatabaseOverThePeriod) {
  const auto& c = GetParam();
  const TimeZone z = zone(c.zone);
  const std::string text = vtimezone(z, c.from, c.to);
  for (const auto& line : physical_lines(text)) EXPECT_LE(line.size(), 75u);
  expect_same_offsets_as_the_tz_database(text, z, c.from, c.to);
}

INSTANTIATE_TEST_SUITE_P(Zones, IcalVTimezone, ::testing::ValuesIn(vtimezone_cases()),
                         [](const auto& info) { return info.param.name; });

ParsedVTimezone vtimezone_of(const char* name, Instant from, Instant to) {
  return parse_vtimezone(vtimezone(zone(name), from, to));
}

std::vector<const Observance*> of_kind(const ParsedVTimezone& vtz, bool daylight) {
  std::vector<const Observance*> out;
  for (const auto& o : vtz.observances)
    if (o.daylight == daylight) out.push_back(&o);
  return out;
}

TEST(IcalVTimezoneShape, NewYorkIsTwoRules) {
  const auto vtz = vtimezone_of("America/New_York", utc(2020, 9, 9), utc(2022, 9, 11));
  ASSERT_EQ(vtz.observances.size(), 2u);
  const auto daylight = of_kind(vtz, true), standard = of_kind(vtz, false);
  ASSERT_EQ(daylight.size(), 1u);
  ASSERT_EQ(standard.size(), 1u);
  EXPECT_EQ(daylight[0]->get("RRULE"), "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU");
  EXPECT_EQ(daylight[0]->get("TZOFFSETFROM"), "-0500");
  EXPECT_EQ(daylight[0]->get("TZOFFSETTO"), "-0400");
  EXPECT_EQ(daylight[0]->get("TZNAME"), "EDT");
  EXPECT_EQ(daylight[0]->get("DTSTART"), "20200308T020000");
  EXPECT_EQ(standard[0]->get("RRULE"), "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU");
  EXPECT_EQ(standard[0]->get("TZOFFSETTO"), "-0500");
  EXPECT_EQ(standard[0]->get("TZNAME"), "EST");
  EXPECT_EQ(standard[0]->get("DTSTART"), "20201101T020000");
}

TEST(IcalVTimezoneShape, NewYorkPast2037FollowsTheSameRules) {
  const auto vtz = vtimezone_of("America/New_York", utc(2039, 7, 4), utc(2041, 7, 4));
  const auto daylight = of_kind(vtz, true), standard = of_kind(vtz, false);
  ASSERT_EQ(daylight.size(), 1u);
  ASSERT_EQ(standard.size(), 1u);
  EXPECT_EQ(daylight[0]->get("RRULE"), "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU");
  EXPECT_EQ(standard[0]->get("RRULE"), "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU");
}

TEST(IcalVTimezoneShape, DublinIsLastSundaysWithSummerAsDaylight) {
  // The tz database marks Irish winter as the "negative DST" side; calendars expect DAYLIGHT to be
  // the larger offset, summer (IST, +01:00).
  const auto vtz = vtimezone_of("Europe/Dublin", utc(2020, 7, 15), utc(2022, 7, 15));
  const auto daylight = of_kind(vtz, true), standard = of_kind(vtz, false);
  ASSERT_EQ(daylight.size(), 1u);
  ASSERT_EQ(standard.size(), 1u);
  EXPECT_EQ(daylight[0]->get("RRULE"), "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU");
  EXPECT_EQ(daylight[0]->get("TZOFFSETTO"), "+0100");
  EXPECT_EQ(daylight[0]->get("TZNAME"), "IST");
  EXPECT_EQ(standard[0]->get("RRULE"), "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU");
  EXPECT_EQ(standard[0]->get("TZOFFSETTO"), "+0000");
  EXPECT_EQ(standard[0]->get("TZNAME"), "GMT");
}

TEST(IcalVTimezoneShape, LordHoweShiftsByHalfAnHour) {
  const auto vtz = vtimezone_of("Australia/Lord_Howe", utc(2020, 4, 3), utc(2022, 4, 3));
  const auto daylight = of_kind(vtz, true), standard = of_kind(vtz, false);
  ASSERT_EQ(daylight.size(), 1u);
  ASSERT_EQ(standard.size(), 1u);
  EXPECT_EQ(daylight[0]->get("TZOFFSETFROM"), "+1030");
  EXPECT_EQ(daylight[0]->get("TZOFFSETTO"), "+1100");
  EXPECT_EQ(daylight[0]->get("RRULE"), "FREQ=YEARLY;BYMONTH=10;BYDAY=1SU");
  EXPECT_EQ(standard[0]->get("TZOFFSETTO"), "+1030");
  EXPECT_EQ(standard[0]->get("RRULE"), "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU");
  EXPECT_TRUE(daylight[0]->get("DTSTART").ends_with("T020000"));
}

TEST(IcalVTimezoneShape, ChathamQuarterHourOffsets) {
  const auto vtz = vtimezone_of("Pacific/Chatham", utc(2020, 9, 25), utc(2022, 9, 25));
  const auto daylight = of_kind(vtz, true), standard = of_kind(vtz, false);
  ASSERT_EQ(daylight.size(), 1u);
  ASSERT_EQ(standard.size(), 1u);
  EXPECT_EQ(daylight[0]->get("TZOFFSETTO"), "+1345");
  EXPECT_EQ(daylight[0]->get("RRULE"), "FREQ=YEARLY;BYMONTH=9;BYDAY=-1SU");
  EXPECT_TRUE(daylight[0]->get("DTSTART").ends_with("T024500"));
  EXPECT_EQ(standard[0]->get("TZOFFSETTO"), "+1245");
  EXPECT_EQ(standard[0]->get("RRULE"), "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU");
  EXPECT_TRUE(standard[0]->get("DTSTART").ends_with("T034500"));
}

TEST(IcalVTimezoneShape, CasablancaRamadanIsDatedObservances) {
  const auto vtz = vtimezone_of("Africa/Casablanca", utc(2021, 4, 15), utc(2023, 4, 15));
  EXPECT_GE(vtz.observances.size(), 4u);
  for (const auto& o : vtz.observances) EXPECT_EQ(o.props.count("RRULE"), 0u) << o.get("DTSTART");
  bool ramadan_start = false, ramadan_end = false;
  for (const auto& o : vtz.observances) {
    if (o.get("DTSTART") == "20220327T030000") {
      ramadan_start = true;
      EXPECT_FALSE(o.daylight);
      EXPECT_EQ(o.get("TZOFFSETFROM"), "+0100");
      EXPECT_EQ(o.get("TZOFFSETTO"), "+0000");
    }
    if (o.get("DTSTART") == "20220508T020000") {
      ramadan_end = true;
      EXPECT_EQ(o.get("TZOFFSETFROM"), "+0000");
      EXPECT_EQ(o.get("TZOFFSETTO"), "+0100");
    }
  }
  EXPECT_TRUE(ramadan_start);
  EXPECT_TRUE(ramadan_end);
}

TEST(IcalVTimezoneShape, SaoPaulo2018HasItsLastDaylightPeriod) {
  const auto vtz = vtimezone_of("America/Sao_Paulo", utc(2017, 11, 4), utc(2019, 11, 4));
  bool november_2018 = false;
  for (const auto* o : of_kind(vtz, true)) {
    if (o->get("DTSTART") == "20181104T000000") {
      november_2018 = true;
      EXPECT_EQ(o->get("TZOFFSETFROM"), "-0300");
      EXPECT_EQ(o->get("TZOFFSETTO"), "-0200");
    }
  }
  EXPECT_TRUE(november_2018);
}

TEST(IcalVTimezoneShape, AStoppedRuleEndsWithUntil) {
  // Brazil's third-Sunday-of-February rule ended with DST in 2019: UNTIL is its last onset.
  const auto vtz = vtimezone_of("America/Sao_Paulo", utc(2017, 12, 10), utc(2031, 2, 10));
  const auto standard = of_kind(vtz, false);
  ASSERT_EQ(standard.size(), 1u);
  EXPECT_EQ(standard[0]->get("RRULE"), "FREQ=YEARLY;BYMONTH=2;BYDAY=3SU;UNTIL=20190217T020000Z");
}

// Periods with one offset throughout: exactly one STANDARD observance, no DAYLIGHT, no RRULE,
// TZOFFSETTO the offset in force. Its TZOFFSETFROM is the offset before that observance's own
// DTSTART (RFC 5545 3.8.3.3), so it equals TZOFFSETTO only for a zone that never changed.
struct FixedCase {
  std::string name;
  std::string zone;
  Instant from;
  Instant to;
  std::string offset_to;
  std::string offset_from;
  std::string dtstart;
};
std::ostream& operator<<(std::ostream& os, const FixedCase& c) { return os << c.name; }

class IcalVTimezoneFixed : public ::testing::TestWithParam<FixedCase> {};

TEST_P(IcalVTimezoneFixed, IsOneStandardObservance) {
  const auto& c = GetParam();
  const auto vtz = parse_vtimezone(vtimezone(zone(c.zone), c.from, c.to));
  ASSERT_EQ(vtz.observances.size(), 1u);
  const Observance& only = vtz.observances[0];
  EXPECT_FALSE(only.daylight);
  EXPECT_EQ(only.props.count("RRULE"), 0u);
  EXPECT_EQ(only.get("TZOFFSETTO"), c.offset_to);
  EXPECT_EQ(only.get("TZOFFSETFROM"), c.offset_from);
  EXPECT_EQ(only.get("DTSTART"), c.dtstart);
}

INSTANTIATE_TEST_SUITE_P(
    Zones, IcalVTimezoneFixed,
    ::testing::Values(
        FixedCase{"etc_gmt_minus_14_never_changed", "Etc/GMT-14", utc(2021, 1, 1), utc(2022, 1, 1), "+1400", "+1400",
                  "19700101T000000"},
        FixedCase{"utc_never_changed", "UTC", utc(2021, 1, 1), utc(2022, 1, 1), "+0000", "+0000", "19700101T000000"},
        // +05:45 since 1986-01-01 00:00 local (+05:30 before).
        FixedCase{"kathmandu", "Asia/Kathmandu", utc(2020, 9, 9), utc(2022, 9, 11), "+0545", "+0530", "19860101T000000"},
        // No DST since 2019-02-17 00:00 (-02:00 before).
        FixedCase{"sao_paulo_2030", "America/Sao_Paulo", utc(2029, 2, 10), utc(2031, 2, 10), "-0300", "-0200",
                  "20190217T000000"},
        // Iran's last change of clocks: 2022-09-22 00:00 (+04:30 before).
        FixedCase{"tehran_2023", "Asia/Tehran", utc(2023, 1, 1), utc(2023, 12, 31), "+0330", "+0430",
                  "20220922T000000"}),
    [](const auto& info) { return info.param.name; });

TEST(IcalVTimezoneShape, TehranWhileItHadDstIsDatedObservances) {
  // Iran moved its clocks on fixed dates of its own calendar (21 or 22 March and September), which
  // no "n-th weekday" rule describes.
  const auto vtz = vtimezone_of("Asia/Tehran", utc(2020, 7, 1), utc(2022, 7, 1));
  const auto daylight = of_kind(vtz, true);
  EXPECT_GE(daylight.size(), 2u);
  for (const auto& o : vtz.observances) EXPECT_EQ(o.props.count("RRULE"), 0u);
  bool march_2021 = false;
  for (const auto* o : daylight) {
    EXPECT_EQ(o->get("TZOFFSETTO"), "+0430");
    march_2021 = march_2021 || o->get("DTSTART") == "20210322T000000";
  }
  EXPECT_TRUE(march_2021);
}

TEST(IcalVTimezoneShape, ApiaSkipsTheThirtiethOfDecember2011) {
  const auto vtz = vtimezone_of("Pacific/Apia", utc(2011, 6, 1), utc(2012, 6, 1));
  bool skip = false;
  for (const auto& o : vtz.observances) {
    if (o.get("DTSTART") == "20111230T000000") {
      skip = true;
      EXPECT_EQ(o.get("TZOFFSETFROM"), "-1000");
      EXPECT_EQ(o.get("TZOFFSETTO"), "+1400");
      EXPECT_EQ(o.props.count("RRULE"), 0u);
    }
  }
  EXPECT_TRUE(skip);
}

// ---------------------------------------------------------------------------------------------
// write(): whole documents

Event plain_event(std::string uid, const TimeZone& z, Instant start, Instant end) {
  Event e;
  e.uid = std::move(uid);
  e.stamp = utc(2021, 8, 1);
  e.starts_at = start;
  e.ends_at = end;
  e.zone = z;
  e.summary = "Panel";
  return e;
}

std::vector<std::string> names_of(const std::vector<ContentLine>& lines) {
  std::vector<std::string> names;
  for (const auto& l : lines) names.push_back(l.name == "BEGIN" || l.name == "END" ? l.name + ":" + l.value : l.name);
  return names;
}

const ContentLine* find_line(const std::vector<ContentLine>& lines, std::string_view name) {
  for (const auto& l : lines)
    if (l.name == name) return &l;
  return nullptr;
}

TEST(IcalWrite, ThePanelInNewYork) {
  Calendar c;
  c.method = Method::publish;
  c.events = {plain_event("panel@convene.test", zone("America/New_York"), utc(2021, 9, 10, 13), utc(2021, 9, 10, 15))};
  const std::string doc = write(c);
  for (const auto& line : physical_lines(doc)) EXPECT_LE(line.size(), 75u);
  const auto lines = parse_document(doc);
  const auto names = names_of(lines);
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(names.back(), "END:VCALENDAR");
  EXPECT_EQ(find_line(lines, "METHOD")->value, "PUBLISH");
  // The first DTSTART is the VTIMEZONE observance's; the event's carries the TZID.
  std::vector<const ContentLine*> event_starts;
  for (const auto& l : lines)
    if ((l.name == "DTSTART" || l.name == "DTEND") && l.param("TZID")) event_starts.push_back(&l);
  ASSERT_EQ(event_starts.size(), 2u);
  EXPECT_EQ(event_starts[0]->value, "20210910T090000");
  EXPECT_EQ(event_starts[1]->value, "20210910T110000");
  EXPECT_EQ(*event_starts[0]->param("TZID"), "America/New_York");
  EXPECT_EQ(std::count(doc.begin(), doc.end(), '\n'), std::count(doc.begin(), doc.end(), '\r'));
  EXPECT_NE(doc.find("\r\nMETHOD:PUBLISH\r\n"), std::string::npos);
  EXPECT_NE(doc.find("\r\nVERSION:2.0\r\n"), std::string::npos);
  EXPECT_NE(doc.find("\r\nDTSTAMP:20210801T000000Z\r\n"), std::string::npos);
  EXPECT_EQ(std::count(names.begin(), names.end(), "BEGIN:VTIMEZONE"), 1);
  EXPECT_EQ(std::count(names.begin(), names.end(), "BEGIN:VEVENT"), 1);
}

TEST(IcalWrite, OneVTimezonePerZoneInUse) {
  Calendar c;
  c.events = {plain_event("a@t", zone("America/New_York"), utc(2021, 9, 10, 13), utc(2021, 9, 10, 15)),
              plain_event("b@t", zone("Asia/Kathmandu"), utc(2021, 9, 11, 4), utc(2021, 9, 11, 5)),
              plain_event("c@t", zone("America/New_York"), utc(2022, 1, 10, 13), utc(2022, 1, 10, 15)),
              plain_event("d@t", TimeZone::utc(), utc(2021, 9, 10, 13), utc(2021, 9, 10, 15))};
  const auto lines = parse_document(write(c));
  std::vector<std::string> tzids;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i)
    if (lines[i].name == "BEGIN" && lines[i].value == "VTIMEZONE") tzids.push_back(lines[i + 1].value);
  std::sort(tzids.begin(), tzids.end());
  EXPECT_EQ(tzids, (std::vector<std::string>{"America/New_York", "Asia/Kathmandu"}));
  int utc_starts = 0;
  for (const auto& l : lines)
    if (l.name == "DTSTART" && !l.param("TZID") && l.value.ends_with("Z")) ++utc_starts;
  EXPECT_EQ(utc_starts, 1);
}

// A wall time shown twice (the hour after clocks go back) cannot tell a reader which of the two it
// is: RFC 5545 3.3.5 takes the first, libical 3.0 and pytz the second. Such sessions are written in
// UTC; their neighbours keep the zone's wall time.
struct RepeatedCase {
  std::string name;
  std::string zone;
  Instant start;
  Instant end;
  bool written_in_utc;
};
std::ostream& operator<<(std::ostream& os, const RepeatedCase& c) { return os << c.name; }

class IcalWriteRepeatedWallTime : public ::testing::TestWithParam<RepeatedCase> {};

TEST_P(IcalWriteRepeatedWallTime, IsWrittenInUtc) {
  const auto& c = GetParam();
  Calendar cal;
  cal.events = {plain_event("x@t", zone(c.zone), c.start, c.end)};
  const auto lines = parse_document(write(cal));
  std::vector<const ContentLine*> times;
  bool in_event = false;
  for (const auto& l : lines) {
    if (l.name == "BEGIN") in_event = l.value == "VEVENT";
    if (in_event && (l.name == "DTSTART" || l.name == "DTEND")) times.push_back(&l);
  }
  ASSERT_EQ(times.size(), 2u);
  if (c.written_in_utc) {
    EXPECT_EQ(times[0]->value, utc_date_time(c.start));
    EXPECT_EQ(times[1]->value, utc_date_time(c.end));
    EXPECT_FALSE(times[0]->param("TZID").has_value());
    EXPECT_FALSE(times[1]->param("TZID").has_value());
  } else {
    EXPECT_EQ(times[0]->param("TZID").value_or(""), c.zone);
    EXPECT_EQ(times[0]->value, local_date_time(to_zoned(c.start, zone(c.zone)).local));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, IcalWriteRepeatedWallTime,
    ::testing::Values(
        RepeatedCase{"new_york_first_0130", "America/New_York", utc(2021, 11, 7, 5, 30), utc(2021, 11, 7, 5, 45), true},
        RepeatedCase{"new_york_second_0130", "America/New_York", utc(2021, 11, 7, 6, 30), utc(2021, 11, 7, 6, 45), true},
        RepeatedCase{"new_york_ends_in_overlap", "America/New_York", utc(2021, 11, 7, 4), utc(2021, 11, 7, 5, 30), true},
        RepeatedCase{"new_york_just_after_overlap", "America/New_York", utc(2021, 11, 7, 7), utc(2021, 11, 7, 8), false},
        RepeatedCase{"new_york_just_before_overlap", "America/New_York", utc(2021, 11, 7, 4), utc(2021, 11, 7, 4, 59), false},
        RepeatedCase{"new_york_spring_gap_side", "America/New_York", utc(2021, 3, 14, 7), utc(2021, 3, 14, 8), false},
        RepeatedCase{"lord_howe_half_hour_overlap", "Australia/Lord_Howe", utc(2021, 4, 3, 15, 15), utc(2021, 4, 3, 16), true},
        RepeatedCase{"kathmandu_never", "Asia/Kathmandu", utc(2021, 9, 10, 13), utc(2021, 9, 10, 15), false}),
    [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// Injection: typed text in every field, and the document still has exactly its own lines.

struct InjectionCase {
  std::string name;
  std::string field;  // summary, description, location, organizer_name, attendee_name, calendar_name, uid, url, email
  std::string payload;
};
std::ostream& operator<<(std::ostream& os, const InjectionCase& c) { return os << c.name; }

std::vector<InjectionCase> injection_cases() {
  const std::vector<std::pair<std::string, std::string>> payloads = {
      {"crlf_attendee", "\r\nATTENDEE:mailto:evil@x"},
      {"lf_end_vevent", "\nEND:VEVENT\nBEGIN:VEVENT"},
      {"cr_property", "\rX-EVIL:1"},
      {"colon", "a:b"},
      {"semicolon", "a;b"},
      {"quote_then_param", "x\";ROLE=CHAIR:mailto:evil@x"},
      {"crlf_space_fold", "\r\n METHOD:CANCEL"},
      {"backslash_n", "\\nATTENDEE:mailto:evil@x"},
  };
  std::vector<InjectionCase> cases;
  for (const char* field : {"summary", "description", "location", "organizer_name", "attendee_name", "calendar_name",
                            "uid", "url", "email"}) {
    for (const auto& [label, payload] : payloads)
      cases.push_back({std::string(field) + "_" + label, field, "Name" + payload + " end"});
  }
  return cases;
}

class IcalInjection : public ::testing::TestWithParam<InjectionCase> {};

TEST_P(IcalInjection, CreatesNoPropertyOrComponent) {
  const auto& c = GetParam();
  Calendar cal;
  cal.method = Method::request;
  cal.name = "Calendar";
  Event e = plain_event("uid@convene.test", TimeZone::utc(), utc(2021, 9, 10, 13), utc(2021, 9, 10, 15));
  e.description = "Description";
  e.location = "Location";
  e.url = "https://convene.example/r/x";
  e.organizer = Person{"org@example.org", "Organiser"};
  e.attendees = {{{"a@example.org", "Attendee"}, ParticipationStatus::accepted, false}};
  e.alarms = {{1h, "Soon"}};
  std::string* text = nullptr;
  if (c.field == "summary") text = &e.summary;
  if (c.field == "description") text = &e.description;
  if (c.field == "location") text = &*e.location;
  if (c.field == "organizer_name") text = &*e.organizer->name;
  if (c.field == "attendee_name") text = &*e.attendees[0].person.name;
  if (c.field == "calendar_name") text = &*cal.name;
  if (c.field == "uid") text = &e.uid;
  if (c.field == "url") text = &*e.url;
  if (c.field == "email") text = &e.attendees[0].person.email;
  ASSERT_NE(text, nullptr);
  *text = c.payload;
  cal.events = {e};

  const std::string doc = write(cal);
  for (const auto& line : physical_lines(doc)) EXPECT_LE(line.size(), 75u);
  const auto lines = parse_document(doc);
  const std::vector<std::string> expected = {
      "BEGIN:VCALENDAR", "VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-CALNAME", "BEGIN:VEVENT", "UID", "SEQUENCE",
      "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "LOCATION", "URL", "STATUS", "TRANSP", "ORGANIZER",
      "ATTENDEE", "BEGIN:VALARM", "ACTION", "DESCRIPTION", "TRIGGER", "END:VALARM", "END:VEVENT", "END:VCALENDAR"};
  EXPECT_EQ(names_of(lines), expected) << describe_names(names_of(lines));
  ASSERT_EQ(lines.size(), expected.size());

  // The values say what was typed: TEXT unescapes to it (line breaks as LF, CR LF as one), names
  // come back without DQUOTE or controls, addresses stay one mailto: URI.
  const auto text_of = [&](std::size_t index) {
    auto value = unescape_text(lines[index].value);
    EXPECT_TRUE(value.has_value()) << lines[index].name << ": " << lines[index].value;
    return value.value_or("");
  };
  std::string typed_text;
  for (std::size_t i = 0; i < c.payload.size(); ++i) {
    const unsigned char ch = c.payload[i];
    if (ch == '\r') {
      if (i + 1 < c.payload.size() && c.payload[i + 1] == '\n') ++i;
      typed_text.push_back('\n');
    } else if (ch >= 0x20 || ch == '\n' || ch == '\t') {
      typed_text.push_back(static_cast<char>(ch));
    }
  }
  std::string typed_name;
  for (unsigned char ch : c.payload)
    if (ch >= 0x20 && ch != 0x7F) typed_name.push_back(ch == '"' ? '\'' : static_cast<char>(ch));

  EXPECT_EQ(lines[4].value, "REQUEST");
  EXPECT_EQ(text_of(5), c.field == "calendar_name" ? typed_text : "Calendar");
  EXPECT_EQ(text_of(7), c.field == "uid" ? typed_text : "uid@convene.test");
  EXPECT_EQ(text_of(12), c.field == "summary" ? typed_text : "Panel");
  EXPECT_EQ(text_of(13), c.field == "description" ? typed_text : "Description");
  EXPECT_EQ(text_of(14), c.field == "location" ? typed_text : "Location");
  const ContentLine& organizer = lines[18];
  EXPECT_EQ(organizer.param("CN").value_or("(none)"), c.field == "organizer_name" ? typed_name : "Organiser");
  EXPECT_EQ(organizer.value, "mailto:org@example.org");
  const ContentLine& attendee = lines[19];
  EXPECT_EQ(attendee.param("CN").value_or("(none)"), c.field == "attendee_name" ? typed_name : "Attendee");
  std::vector<std::string> keys;
  for (const auto& [k, v] : attendee.params) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"CN", "CUTYPE", "ROLE", "PARTSTAT", "RSVP"}));
  EXPECT_EQ(attendee.param("ROLE").value_or(""), "REQ-PARTICIPANT");
  EXPECT_TRUE(attendee.value.starts_with("mailto:"));
  for (const auto& line : {attendee.value, lines[15].value}) {  // the address and the URL: one token each
    for (unsigned char ch : line) EXPECT_FALSE(ch <= 0x20 || ch == 0x7F) << line;
  }
  if (c.field == "email") {
    EXPECT_EQ(attendee.value.find(':', 7), std::string::npos) << attendee.value;
  }
}

INSTANTIATE_TEST_SUITE_P(Fields, IcalInjection, ::testing::ValuesIn(injection_cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace convene::ical
