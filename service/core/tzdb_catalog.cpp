#include "tzdb_catalog.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
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

// The footer of a compiled zone file (RFC 8536 section 3.3): version 2 and later files end in
// "\n<rule>\n". Only rules that change clocks (with a comma) are kept; a fixed offset needs none.
std::optional<PosixTzRule> footer_rule(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (data.size() < 6 || data.compare(0, 4, "TZif") != 0 || data[4] < '2' || data.back() != '\n')
    return std::nullopt;
  const auto start = data.rfind('\n', data.size() - 2);
  if (start == std::string::npos) return std::nullopt;
  const std::string footer = data.substr(start + 1, data.size() - start - 2);
  if (footer.find(',') == std::string::npos) return std::nullopt;
  return PosixTzRule::parse(footer);
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
    const date::time_zone* zone = date::locate_zone(canonical == kUtc ? "Etc/UTC" : name);
    catalog.zone_of.emplace(canonical, zone);
    // zone->name() is the file's path under the directory libdate reads.
    if (auto rule = footer_rule(std::string(kZoneInfoDir) + "/" + std::string(zone->name())))
      catalog.footer_of.emplace(zone, *std::move(rule));
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

  // zone.tab rows: country code, coordinates, zone (or link) name, comments; tab-separated.
  std::ifstream countries(std::string(kZoneInfoDir) + "/zone.tab");
  while (std::getline(countries, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string country, coordinates, zone;
    fields >> country >> coordinates >> zone;
    const auto canonical = catalog.canonical_of.find(zone);
    if (canonical != catalog.canonical_of.end()) catalog.zones_of_country[country].push_back(canonical->second);
  }
  return catalog;
}

}  // namespace

const TzdbCatalog& tzdb_catalog() {
  static const TzdbCatalog catalog = load();
  return catalog;
}

}  // namespace convene::detail
