// Countries and languages a registrant may give.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "convene/enum_names.hpp"

namespace convene {

// What a request is told when a country or a language is not one of these.
inline constexpr std::string_view kCountryExpected = "must be an assigned ISO 3166-1 alpha-2 code such as NP";
inline constexpr std::string_view kLanguageExpected = "must be one of en, fr, es, ar, zh, ru";

// An ISO 3166-1 alpha-2 code that is currently assigned (NP, PE, WS...), upper case.
class CountryCode {
 public:
  // Accepts either letter case; nullopt for anything not assigned.
  static std::optional<CountryCode> parse(std::string_view text);
  std::string_view code() const { return {code_.data(), 2}; }
  friend bool operator==(const CountryCode&, const CountryCode&) = default;

 private:
  explicit CountryCode(std::array<char, 2> code) : code_(code) {}
  std::array<char, 2> code_;
};

// The six official languages of the United Nations: every page and message exists in each.
enum class Language { en, fr, es, ar, zh, ru };
inline constexpr auto kLanguageNames = enum_names<Language>(
    std::pair{Language::en, "en"}, std::pair{Language::fr, "fr"}, std::pair{Language::es, "es"},
    std::pair{Language::ar, "ar"}, std::pair{Language::zh, "zh"}, std::pair{Language::ru, "ru"});
inline constexpr std::array<Language, 6> kLanguages = kLanguageNames.values();

// A BCP 47 tag whose primary language we support ("fr", "fr-CA", "zh-Hans-CN", "ES").
std::optional<Language> parse_language(std::string_view bcp47_tag);
inline std::string_view to_string(Language language) { return kLanguageNames.name(language); }
bool is_right_to_left(Language language);

}  // namespace convene
