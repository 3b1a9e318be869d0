#include "tzdb_catalog.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <date/tz.h>

namespace convene::detail {
namespace {

// Debian's libdate-tz reads this directory (it is compiled in); tzdata.zi lives beside the zone files.
constexpr const char* kZoneInfoDir = "/usr/share/zoneinfo";

// Browsers report "UTC"; IANA's canonical spelling is "Etc/UTC". We answer with the one people read.
constexpr std::string_view kUtc = "UTC";

bool is_excluded(std::string_view name) {
  // "Factory" is a placeholder zone with the abbreviation "-00", not a place anyone lives.
  return name == "Factory";
}

TzdbCatalog load() {
  TzdbCatalog catalog;
  std::set<std::string> zones;
  std::vector<std::pair<std::string, std::string>> links;  // (link, target)

  std::ifstream zi(std::string(kZoneInfoDir) + "/tzdata.zi");
  std::string line;
  while (std::getline(zi, line)) {
    if (line.rfind("# version ", 0) == 0) {
      catalog.version = line.substr(10);
      continue;
    }
    std::istringstream fields(line);
    std::string kind, first, second;
    fields >> kind >> first >> second;
    if (kind == "Z" && !is_excluded(first)) zones.insert(first);
    if (kind == "L" && !is_excluded(second)) links.emplace_back(second, first);
  }
  if (zones.empty()) {
    // No tzdata.zi (not a Debian-like system): every zone file date found is taken as canonical.
    for (const auto& zone : date::get_tzdb().zones) {
      if (!is_excluded(zone.name()) && zone.name() != "localtime") zones.insert(zone.name());
    }
  }
  zones.erase("Etc/UTC");
  zones.insert(std::string(kUtc));

  catalog.canonical_names.assign(zones.begin(), zones.end());
  for (const auto& name : catalog.canonical_names) {
    const std::string_view canonical = name;
    catalog.canonical_of.emplace(name, canonical);
    catalog.zone_of.emplace(canonical, date::locate_zone(canonical == kUtc ? "Etc/UTC" : name));
  }
  auto canonical_view = [&](const std::string& target) -> std::string_view {
    if (target == "Etc/UTC") return catalog.canonical_of.at(std::string(kUtc));
    auto it = catalog.canonical_of.find(target);
    return it == catalog.canonical_of.end() ? std::string_view{} : it->second;
  };
  catalog.canonical_of.emplace("Etc/UTC", canonical_view("Etc/UTC"));
  for (const auto& [link, target] : links) {
    auto canonical = canonical_view(target);
    if (!canonical.empty()) catalog.canonical_of.emplace(link, canonical);
  }
  return catalog;
}

}  // namespace

const TzdbCatalog& tzdb_catalog() {
  static const TzdbCatalog catalog = load();
  return catalog;
}

}  // namespace convene::detail
