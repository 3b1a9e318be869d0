// The names the tz database knows, and which of them are canonical.
//
// Howard Hinnant's date library, built against the OS database (Debian's libdate-tz), loads each
// compiled zone file but cannot tell a zone from a backward-compatible link, and reports its version
// as "unknown". Both facts are in tzdata.zi, the text form of the same database that Debian ships
// next to the compiled files, so the catalogue reads them from there.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "posix_tz_rule.hpp"

namespace convene::detail {

// Lets the maps be searched with a string_view, without building a std::string per lookup.
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
};

struct TzdbCatalog {
  std::string version = "unknown";
  std::vector<std::string> canonical_names;  // sorted
  // Every accepted name (canonical or link) -> the canonical name it stands for.
  std::unordered_map<std::string, std::string_view, NameHash, std::equal_to<>> canonical_of;
  // Canonical name -> the zone's rules.
  std::unordered_map<std::string_view, const date::time_zone*> zone_of;
  // The rule each zone file ends with (its footer), for zones that still change their clocks: it
  // continues the zone past the file's last listed transition. libdate, as Debian builds it
  // (USE_OS_TZDB), reads the list but not the footer.
  std::unordered_map<const date::time_zone*, PosixTzRule> footer_of;
  // zone.tab: ISO 3166-1 alpha-2 code -> the canonical names of the zones the country uses, in the
  // file's order. Countries the file lists no zone for (BV, HM) are absent.
  std::map<std::string, std::vector<std::string_view>, std::less<>> zones_of_country;
};

const TzdbCatalog& tzdb_catalog();

}  // namespace convene::detail
