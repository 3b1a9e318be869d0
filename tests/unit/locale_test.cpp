// Country codes and language tags a registrant may give.
//
// Sources: ISO 3166-1 alpha-2 assigned codes as listed by Debian iso-codes
// (/usr/share/iso-codes/json/iso_3166-1.json; withdrawn codes in iso_3166-3.json); "UK" is
// exceptionally reserved for the United Kingdom but not assigned (the assigned code is GB), "XX" and
// "XK" are user-assigned. BCP 47 (RFC 5646) for language tag structure; the supported languages are
// the six official UN languages. Right-to-left scripts: Arabic (Unicode CLDR layout
// characterOrder "right-to-left" for ar).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "convene/locale.hpp"

namespace convene {
namespace {

struct CountryCase {
  const char* label;
  std::string_view input;
  std::optional<std::string_view> code;  // nullopt: rejected
};

class CountryCodeParse : public ::testing::TestWithParam<CountryCase> {};

TEST_P(CountryCodeParse, AcceptsAssignedCodesOnly) {
  const auto& c = GetParam();
  const auto parsed = CountryCode::parse(c.input);
  if (c.code) {
    ASSERT_TRUE(parsed.has_value()) << c.label << ": \"" << c.input << "\" should be accepted";
    EXPECT_EQ(parsed->code(), *c.code) << c.label;
  } else {
    EXPECT_FALSE(parsed.has_value()) << c.label << ": \"" << c.input << "\" should be rejected";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Locale, CountryCodeParse,
    ::testing::Values(
        CountryCase{"nepal_upper", "NP", "NP"},
        CountryCase{"nepal_lower_is_upper_cased", "np", "NP"},
        CountryCase{"nepal_mixed_case", "nP", "NP"},
        CountryCase{"peru", "PE", "PE"},
        CountryCase{"samoa", "WS", "WS"},
        CountryCase{"united_kingdom_is_GB", "GB", "GB"},
        CountryCase{"first_in_list_andorra", "AD", "AD"},
        CountryCase{"last_in_list_zimbabwe", "ZW", "ZW"},
        CountryCase{"south_sudan_assigned_2011", "SS", "SS"},
        CountryCase{"user_assigned_XX", "XX", std::nullopt},
        CountryCase{"UK_reserved_not_assigned", "UK", std::nullopt},
        CountryCase{"kosovo_XK_user_assigned", "XK", std::nullopt},
        CountryCase{"netherlands_antilles_withdrawn", "AN", std::nullopt},
        CountryCase{"one_letter", "N", std::nullopt},
        CountryCase{"alpha3", "NPL", std::nullopt},
        CountryCase{"empty", "", std::nullopt},
        CountryCase{"digits", "12", std::nullopt},
        CountryCase{"padded", " NP", std::nullopt},
        CountryCase{"non_ascii_letter", "\xC3\x91P", std::nullopt}),
    [](const auto& info) { return std::string(info.param.label); });

struct LanguageCase {
  const char* label;
  std::string_view tag;
  std::optional<Language> language;  // nullopt: rejected
};

class ParseLanguage : public ::testing::TestWithParam<LanguageCase> {};

TEST_P(ParseLanguage, ReadsThePrimarySubtagOfBcp47) {
  const auto& c = GetParam();
  const auto parsed = parse_language(c.tag);
  if (c.language) {
    ASSERT_TRUE(parsed.has_value()) << c.label << ": \"" << c.tag << "\" should be accepted";
    EXPECT_EQ(to_string(*parsed), to_string(*c.language)) << c.label;
  } else {
    EXPECT_FALSE(parsed.has_value()) << c.label << ": \"" << c.tag << "\" gave "
                                     << to_string(parsed.value_or(Language::en));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Locale, ParseLanguage,
    ::testing::Values(
        LanguageCase{"french", "fr", Language::fr},
        LanguageCase{"french_canada_region", "fr-CA", Language::fr},
        LanguageCase{"chinese_script_and_region", "zh-Hans-CN", Language::zh},
        LanguageCase{"spanish_upper_case", "ES", Language::es},
        LanguageCase{"arabic", "ar", Language::ar},
        LanguageCase{"arabic_egypt_mixed_case", "AR-eg", Language::ar},
        LanguageCase{"russian_region", "ru-RU", Language::ru},
        LanguageCase{"english_un_region_code", "en-001", Language::en},
        LanguageCase{"german_not_supported", "de", std::nullopt},
        LanguageCase{"empty", "", std::nullopt},
        LanguageCase{"trailing_hyphen", "fr-", std::nullopt},
        LanguageCase{"one_letter", "e", std::nullopt},
        LanguageCase{"english_word", "english", std::nullopt},
        LanguageCase{"three_letter_fra", "fra", std::nullopt},
        LanguageCase{"space_inside", "fr CA", std::nullopt},
        LanguageCase{"leading_hyphen", "-fr", std::nullopt}),
    [](const auto& info) { return std::string(info.param.label); });

TEST(LocaleLanguage, ToStringRoundTripsForEveryLanguage) {
  for (Language language : kLanguages) {
    const auto back = parse_language(to_string(language));
    ASSERT_TRUE(back.has_value()) << to_string(language);
    EXPECT_EQ(*back, language) << to_string(language);
  }
}

TEST(LocaleLanguage, OnlyArabicIsRightToLeft) {
  EXPECT_TRUE(is_right_to_left(Language::ar));
  for (Language language : {Language::en, Language::fr, Language::es, Language::zh, Language::ru}) {
    EXPECT_FALSE(is_right_to_left(language)) << to_string(language);
  }
}

}  // namespace
}  // namespace convene
