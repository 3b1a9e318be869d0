#include <algorithm>

#include "convene/locale.hpp"

#include "convene/text.hpp"

namespace convene {
namespace {

// ISO 3166-1 alpha-2, officially assigned codes (from Debian iso-codes 4.15.0, 249 entries).
// Kept in the binary: the set changes once in some years, and validation must not depend on a file.
constexpr std::array<std::string_view, 249> kAssignedCountries = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD", "BE",
    "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD",
    "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
    "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU",
    "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
    "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME",
    "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
    "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI",
    "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK",
    "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",};

}  // namespace

std::optional<CountryCode> CountryCode::parse(std::string_view text) {
  if (text.size() != 2) return std::nullopt;
  std::array<char, 2> upper{};
  for (std::size_t i = 0; i < 2; ++i) {
    const char ch = text[i];
    if (ch >= 'a' && ch <= 'z') upper[i] = static_cast<char>(ch - 'a' + 'A');
    else if (ch >= 'A' && ch <= 'Z') upper[i] = ch;
    else return std::nullopt;
  }
  const std::string_view code{upper.data(), 2};
  if (!std::binary_search(kAssignedCountries.begin(), kAssignedCountries.end(), code))
    return std::nullopt;
  return CountryCode(upper);
}

std::optional<Language> parse_language(std::string_view tag) {
  if (tag.empty() || tag.size() > 35) return std::nullopt;
  for (char ch : tag) {
    const bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    if (!alnum && ch != '-' && ch != '_') return std::nullopt;
  }
  const std::string_view primary = tag.substr(0, tag.find_first_of("-_"));
  if (primary.size() != 2 || primary.size() == tag.size() - 1) return std::nullopt;
  return kLanguageNames.parse(ascii_lower(primary));
}

bool is_right_to_left(Language language) { return language == Language::ar; }

}  // namespace convene
