// CSV fields as RFC 4180 and OWASP's CSV-injection advice have them.
#include <gtest/gtest.h>

#include "convene/csv.hpp"

namespace convene {
namespace {

struct FieldCase {
  const char* name;
  std::string value;
  std::string written;
};

TEST(Csv, FieldsAreQuotedAndNeutralisedWhenTheyMustBe) {
  const std::vector<FieldCase> cases = {
      {"plain", "Sita Sharma", "Sita Sharma"},
      {"empty", "", ""},
      {"comma", "Ministry, Finance", "\"Ministry, Finance\""},
      {"quote", "The \"Office\"", "\"The \"\"Office\"\"\""},
      {"newline", "line one\nline two", "\"line one\nline two\""},
      {"carriage return inside", "a\rb", "\"a\rb\""},
      {"leading space kept", " padded", "\" padded\""},
      {"formula =", "=1+1", "'=1+1"},
      {"formula +", "+41 22 917 1234", "'+41 22 917 1234"},
      {"formula -", "-2", "'-2"},
      {"formula @", "@SUM(A1)", "'@SUM(A1)"},
      {"formula after tab", "\t=cmd", "'\t=cmd"},
      {"formula with comma is quoted and neutralised", "=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""},
      {"utf-8 untouched", "李小龙 Ağa", "李小龙 Ağa"},
      {"equals inside is fine", "a=b", "a=b"},
  };
  for (const auto& c : cases) EXPECT_EQ(csv_field(c.value), c.written) << c.name;
}

TEST(Csv, RowsEndWithCrlf) {
  std::string out;
  append_csv_row(out, {"1", "a,b", "", "=x"});
  EXPECT_EQ(out, "1,\"a,b\",,'=x\r\n");
}

TEST(Csv, LikeContainsMatchesLiterally) {
  EXPECT_EQ(like_contains("100%"), "%100\\%%");
  EXPECT_EQ(like_contains("a_b"), "%a\\_b%");
  EXPECT_EQ(like_contains("back\\slash"), "%back\\\\slash%");
  EXPECT_EQ(like_contains(""), "%%");
}

}  // namespace
}  // namespace convene
