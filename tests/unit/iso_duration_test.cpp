// ISO 8601 durations for reminder offsets.
//
// Source: ISO 8601-1:2019 section 5.5.2 and RFC 3339 appendix A ("dur-*" ABNF): designators in the
// order Y M W D T H M S, each at most once, integers only, a T before any time element and at least
// one element after it; one week is 7 days. Here a day counts as 24 hours (fixed-length durations
// only: years and months, whose length varies, are refused by design, see iso_duration.hpp).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

#include "convene/iso_duration.hpp"

namespace convene {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

struct LengthCase {
  const char* label;
  std::string_view text;
  seconds length;
};

class IsoDurationLength : public ::testing::TestWithParam<LengthCase> {};

TEST_P(IsoDurationLength, ParsesToFixedLength) {
  const auto& c = GetParam();
  const auto parsed = IsoDuration::parse(c.text);
  ASSERT_TRUE(parsed.has_value()) << c.label << ": \"" << c.text << "\" should parse";
  EXPECT_EQ(parsed->length().count(), c.length.count()) << c.label;
  EXPECT_EQ(parsed->text(), c.text) << c.label << ": the organiser's spelling is kept";
}

INSTANTIATE_TEST_SUITE_P(
    IsoDuration, IsoDurationLength,
    ::testing::Values(LengthCase{"one_day", "P1D", days{1}},
                      LengthCase{"one_hour", "PT1H", hours{1}},
                      LengthCase{"fifteen_minutes", "PT15M", minutes{15}},
                      LengthCase{"one_week_is_seven_days", "P1W", days{7}},
                      LengthCase{"day_and_a_half", "P1DT12H", days{1} + hours{12}},
                      LengthCase{"ninety_seconds_not_normalised", "PT90S", seconds{90}},
                      LengthCase{"all_time_units", "PT1H2M3S", hours{1} + minutes{2} + seconds{3}},
                      LengthCase{"ninety_days", "P90D", days{90}},
                      LengthCase{"multi_digit", "PT120M", hours{2}}),
    [](const auto& info) { return std::string(info.param.label); });

struct RejectCase {
  const char* label;
  std::string_view text;
};

class IsoDurationRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(IsoDurationRejects, Malformed) {
  const auto& c = GetParam();
  const auto parsed = IsoDuration::parse(c.text);
  EXPECT_FALSE(parsed.has_value()) << c.label << ": \"" << c.text << "\" parsed as "
                                   << (parsed ? parsed->length().count() : 0) << "s";
}

INSTANTIATE_TEST_SUITE_P(
    IsoDuration, IsoDurationRejects,
    ::testing::Values(RejectCase{"empty", ""},
                      RejectCase{"designator_only", "P"},
                      RejectCase{"time_designator_without_element", "PT"},
                      RejectCase{"months_have_no_fixed_length", "P1M"},
                      RejectCase{"years_have_no_fixed_length", "P1Y"},
                      RejectCase{"missing_P", "1D"},
                      RejectCase{"hours_without_T", "P1H"},
                      RejectCase{"days_after_T", "PT1D"},
                      RejectCase{"T_without_time_element", "P1DT"},
                      RejectCase{"negative", "P-1D"},
                      RejectCase{"fraction", "P1.5D"},
                      RejectCase{"repeated_unit", "PT1H1H"},
                      RejectCase{"units_out_of_order", "PT1M1H"},
                      RejectCase{"date_units_out_of_order", "P1D1W"},
                      RejectCase{"number_without_unit", "P1"},
                      RejectCase{"lower_case", "p1d"},
                      RejectCase{"leading_space", " P1D"},
                      RejectCase{"trailing_space", "P1D "}),
    [](const auto& info) { return std::string(info.param.label); });

TEST(IsoDurationEquality, ComparesLengthsNotSpelling) {
  EXPECT_EQ(*IsoDuration::parse("P1D"), *IsoDuration::parse("PT24H"));
  EXPECT_EQ(*IsoDuration::parse("P1W"), *IsoDuration::parse("P7D"));
  EXPECT_FALSE(*IsoDuration::parse("P1D") == *IsoDuration::parse("PT1H"));
}

}  // namespace
}  // namespace convene
