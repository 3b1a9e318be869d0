// UTF-8 validity, character counts, trimming and control-character detection.
//
// Sources of expected values:
// - well-formed UTF-8: The Unicode Standard, chapter 3, Table 3-7 "Well-Formed UTF-8 Byte Sequences",
//   and RFC 3629 section 3 (no overlong forms, no surrogates D800-DFFF, nothing above U+10FFFF);
// - code point counts: Python's len() on the decoded str (/usr/bin/python3);
// - white space: the Unicode White_Space property (PropList.txt), plus U+FEFF (byte-order mark),
//   which the header promises to strip;
// - control characters: Unicode general category Cc (C0 U+0000-001F, DEL U+007F, C1 U+0080-009F)
//   and the separators U+2028 (Zl) / U+2029 (Zp).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "convene/text.hpp"

namespace convene {
namespace {

using namespace std::string_view_literals;

struct Utf8Case {
  const char* label;
  std::string_view bytes;
  bool valid;
};

class IsValidUtf8 : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(IsValidUtf8, MatchesUnicodeTable3_7) {
  const auto& c = GetParam();
  EXPECT_EQ(is_valid_utf8(c.bytes), c.valid) << c.label;
}

INSTANTIATE_TEST_SUITE_P(
    Text, IsValidUtf8,
    ::testing::Values(
        Utf8Case{"empty", ""sv, true},
        Utf8Case{"ascii", "hello"sv, true},
        Utf8Case{"nul_byte_is_a_valid_code_point", "a\0b"sv, true},
        Utf8Case{"two_byte_e_acute_U00E9", "\xC3\xA9"sv, true},
        Utf8Case{"two_byte_lowest_U0080", "\xC2\x80"sv, true},
        Utf8Case{"three_byte_euro_U20AC", "\xE2\x82\xAC"sv, true},
        Utf8Case{"three_byte_lowest_U0800", "\xE0\xA0\x80"sv, true},
        Utf8Case{"three_byte_just_below_surrogates_UD7FF", "\xED\x9F\xBF"sv, true},
        Utf8Case{"three_byte_just_above_surrogates_UE000", "\xEE\x80\x80"sv, true},
        Utf8Case{"four_byte_gothic_hwair_U10348", "\xF0\x90\x8D\x88"sv, true},
        Utf8Case{"four_byte_highest_U10FFFF", "\xF4\x8F\xBF\xBF"sv, true},
        Utf8Case{"mixed_scripts", "Nepal \xE0\xA4\xA8\xE0\xA5\x87\xE0\xA4\xAA\xE0\xA4\xBE\xE0\xA4\xB2 \xE6\x97\xA5"sv, true},
        Utf8Case{"overlong_two_byte_slash_C0AF", "\xC0\xAF"sv, false},
        Utf8Case{"overlong_two_byte_C1BF", "\xC1\xBF"sv, false},
        Utf8Case{"overlong_three_byte_slash_E080AF", "\xE0\x80\xAF"sv, false},
        Utf8Case{"overlong_three_byte_U07FF_E09FBF", "\xE0\x9F\xBF"sv, false},
        Utf8Case{"overlong_four_byte_slash_F08080AF", "\xF0\x80\x80\xAF"sv, false},
        Utf8Case{"overlong_four_byte_UFFFF_F08FBFBF", "\xF0\x8F\xBF\xBF"sv, false},
        Utf8Case{"high_surrogate_UD800", "\xED\xA0\x80"sv, false},
        Utf8Case{"low_surrogate_UDFFF", "\xED\xBF\xBF"sv, false},
        Utf8Case{"surrogate_pair_encoded_as_cesu8", "\xED\xA0\xBD\xED\xB8\x80"sv, false},
        Utf8Case{"truncated_two_byte", "\xC3"sv, false},
        Utf8Case{"truncated_three_byte", "\xE2\x82"sv, false},
        Utf8Case{"truncated_four_byte", "\xF0\x90\x8D"sv, false},
        Utf8Case{"truncated_then_ascii", "a\xE2\x82" "b"sv, false},
        Utf8Case{"above_max_U110000", "\xF4\x90\x80\x80"sv, false},
        Utf8Case{"lead_F5_always_above_max", "\xF5\x80\x80\x80"sv, false},
        Utf8Case{"five_byte_form_F8", "\xF8\x88\x80\x80\x80"sv, false},
        Utf8Case{"byte_FF", "\xFF"sv, false},
        Utf8Case{"lone_continuation_byte", "\x80"sv, false},
        Utf8Case{"latin1_e_acute_not_utf8", "caf\xE9"sv, false}),
    [](const auto& info) { return std::string(info.param.label); });

struct CountCase {
  const char* label;
  std::string_view text;
  std::size_t code_points;
};

class CodePointCount : public ::testing::TestWithParam<CountCase> {};

TEST_P(CodePointCount, MatchesPythonLen) {
  const auto& c = GetParam();
  EXPECT_EQ(code_point_count(c.text), c.code_points) << c.label;
}

// Counts from Python: len(s) for each string below.
INSTANTIATE_TEST_SUITE_P(
    Text, CodePointCount,
    ::testing::Values(CountCase{"empty", "", 0},
                      CountCase{"ascii", "Kathmandu", 9},
                      CountCase{"latin_accents_cafe", "caf\xC3\xA9", 4},
                      CountCase{"chinese_nihongo", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 3},
                      // "नमस्ते": न म स ् त े (combining marks are code points of their own)
                      CountCase{"devanagari_namaste", "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87", 6},
                      // "مرحبا"
                      CountCase{"arabic_marhaba", "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7", 5},
                      CountCase{"emoji_four_byte", "\xF0\x9F\x98\x80", 1},
                      CountCase{"mixed", "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 4}),
    [](const auto& info) { return std::string(info.param.label); });

struct TrimCase {
  const char* label;
  std::string_view input;
  std::string_view expected;
};

class Trim : public ::testing::TestWithParam<TrimCase> {};

TEST_P(Trim, StripsUnicodeWhiteSpaceAtBothEndsOnly) {
  const auto& c = GetParam();
  const std::string_view got = trim(c.input);
  // Byte for byte: compare as std::string so a mismatch prints both.
  EXPECT_EQ(std::string(got), std::string(c.expected)) << c.label;
}

// U+00A0 NBSP = C2 A0, U+3000 IDEOGRAPHIC SPACE = E3 80 80, U+FEFF BOM = EF BB BF,
// U+2003 EM SPACE = E2 80 83, U+202F NARROW NBSP = E2 80 AF, U+0085 NEL = C2 85.
constexpr std::string_view kArabic = "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xD8\xA8\xD9\x83\xD9\x85";  // "مرحبا بكم"
constexpr std::string_view kChinese = "\xE5\x8D\x97\xE5\x8D\x97\xE5\x90\x88\xE4\xBD\x9C";  // "南南合作"
// "नमस्ते दुनिया": ends in a combining vowel sign (U+093E), which must not be taken for space.
constexpr std::string_view kDevanagari =
    "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87 "
    "\xE0\xA4\xA6\xE0\xA5\x81\xE0\xA4\xA8\xE0\xA4\xBF\xE0\xA4\xAF\xE0\xA4\xBE";

INSTANTIATE_TEST_SUITE_P(
    Text, Trim,
    ::testing::Values(
        TrimCase{"empty", "", ""},
        TrimCase{"nothing_to_trim", "Ada Lovelace", "Ada Lovelace"},
        TrimCase{"ascii_spaces", "  Ada  ", "Ada"},
        TrimCase{"ascii_tab_cr_lf_vt_ff", "\t\r\n\v\fAda\f\v\n\r\t", "Ada"},
        TrimCase{"only_ascii_spaces", "     ", ""},
        TrimCase{"nbsp_U00A0", "\xC2\xA0" "Ada\xC2\xA0", "Ada"},
        TrimCase{"ideographic_space_U3000", "\xE3\x80\x80\xE5\x8D\x97\xE3\x80\x80", "\xE5\x8D\x97"},
        TrimCase{"bom_UFEFF_leading", "\xEF\xBB\xBF" "Ada", "Ada"},
        TrimCase{"em_space_and_narrow_nbsp", "\xE2\x80\x83" "Ada\xE2\x80\xAF", "Ada"},
        TrimCase{"next_line_U0085", "\xC2\x85" "Ada\xC2\x85", "Ada"},
        TrimCase{"mixed_blanks_both_ends", "\xEF\xBB\xBF \xC2\xA0\t\xE3\x80\x80" "Ada Lovelace\xE3\x80\x80\xC2\xA0 \n", "Ada Lovelace"},
        TrimCase{"only_unicode_blanks", "\xC2\xA0\xE3\x80\x80\xEF\xBB\xBF", ""},
        TrimCase{"inner_spaces_kept", " a  \xC2\xA0 b ", "a  \xC2\xA0 b"},
        TrimCase{"arabic_untouched", kArabic, kArabic},
        TrimCase{"arabic_padded", "\xC2\xA0 \xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xD8\xA8\xD9\x83\xD9\x85 \xE3\x80\x80", kArabic},
        TrimCase{"chinese_untouched", kChinese, kChinese},
        TrimCase{"chinese_padded", "\xE3\x80\x80\xE5\x8D\x97\xE5\x8D\x97\xE5\x90\x88\xE4\xBD\x9C\xE3\x80\x80", kChinese},
        TrimCase{"devanagari_untouched", kDevanagari, kDevanagari},
        TrimCase{"devanagari_padded",
                 "  \xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87 "
                 "\xE0\xA4\xA6\xE0\xA5\x81\xE0\xA4\xA8\xE0\xA4\xBF\xE0\xA4\xAF\xE0\xA4\xBE\xC2\xA0",
                 kDevanagari},
        // A zero-width joiner (U+200D) is format, not white space (Unicode PropList.txt).
        TrimCase{"zero_width_joiner_kept", "a\xE2\x80\x8D", "a\xE2\x80\x8D"}),
    [](const auto& info) { return std::string(info.param.label); });

TEST(TextTrim, ReturnsAViewIntoTheInput) {
  const std::string input = "\xC2\xA0 hello \xE3\x80\x80";
  const std::string_view got = trim(input);
  ASSERT_EQ(got, "hello");
  EXPECT_EQ(got.data(), input.data() + 3);
}

struct ControlCase {
  const char* label;
  std::string_view text;
  bool has_control;
};

class HasLineBreakingOrControl : public ::testing::TestWithParam<ControlCase> {};

TEST_P(HasLineBreakingOrControl, DetectsCcAndLineSeparators) {
  const auto& c = GetParam();
  EXPECT_EQ(has_line_breaking_or_control_characters(c.text), c.has_control) << c.label;
}

INSTANTIATE_TEST_SUITE_P(
    Text, HasLineBreakingOrControl,
    ::testing::Values(
        ControlCase{"empty", "", false},
        ControlCase{"plain_ascii", "Ada Lovelace", false},
        ControlCase{"punctuation", "O'Brien-Smith, Jr. (2021) <x> & \"y\"", false},
        ControlCase{"nbsp_is_not_control", "Ada\xC2\xA0Lovelace", false},
        ControlCase{"devanagari", kDevanagari, false},
        ControlCase{"arabic", kArabic, false},
        ControlCase{"carriage_return", "Ada\rLovelace", true},
        ControlCase{"line_feed", "Ada\nLovelace", true},
        ControlCase{"tab", "Ada\tLovelace", true},
        ControlCase{"nul", "Ada\0Lovelace"sv, true},
        ControlCase{"escape", "Ada\x1B[31m", true},
        ControlCase{"delete_7F", "Ada\x7F", true},
        ControlCase{"c1_next_line_U0085", "Ada\xC2\x85Lovelace", true},
        ControlCase{"c1_U009F", "Ada\xC2\x9F", true},
        ControlCase{"line_separator_U2028", "Ada\xE2\x80\xA8Lovelace", true},
        ControlCase{"paragraph_separator_U2029", "Ada\xE2\x80\xA9Lovelace", true}),
    [](const auto& info) { return std::string(info.param.label); });

TEST(TextAsciiLower, LowersOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lower(""), "");
  EXPECT_EQ(ascii_lower("Ada@Example.ORG"), "ada@example.org");
  EXPECT_EQ(ascii_lower("ABC-xyz_123 [Z]"), "abc-xyz_123 [z]");
  // "ÉCOLE": É (C3 89) is not ASCII and stays as it is.
  EXPECT_EQ(ascii_lower("\xC3\x89" "COLE"), "\xC3\x89" "cole");
  // "Σ" (CE A3): no byte of it is an ASCII letter.
  EXPECT_EQ(ascii_lower("\xCE\xA3"), "\xCE\xA3");
  EXPECT_EQ(ascii_lower("@[`{"), "@[`{");  // just outside A-Z and a-z
}

// Written straight or through the library, the result is what nlohmann-json writes for the same
// text, and always parses back to it (invalid UTF-8 replaced).
TEST(TextAppendJsonString, WritesWhatTheLibraryWouldAndAlwaysParses) {
  for (const std::string_view text :
       {""sv, "ada@example.org"sv, "Asia/Kathmandu"sv, "quote \" and backslash \\"sv, "tab\there"sv, "nul\0byte"sv,
        "delete \x7F"sv, kDevanagari, kArabic, "Jos\xC3\xA9"sv, "line\nbreak"sv, "slash / and ~"sv}) {
    std::string out = "[";
    append_json_string(out, text);
    EXPECT_EQ(out.substr(1), nlohmann::json(std::string(text)).dump()) << text;
    EXPECT_EQ(nlohmann::json::parse(out + "]")[0].get<std::string>(), text) << text;
  }
  std::string invalid;
  append_json_string(invalid, "bad \xC3 byte");
  EXPECT_EQ(nlohmann::json::parse(invalid).get<std::string>(), "bad \xEF\xBF\xBD byte");
}

}  // namespace
}  // namespace convene
