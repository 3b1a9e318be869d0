#include "convene/time_conversion.hpp"

#include "convene/json_views.hpp"
#include "convene/text.hpp"

namespace convene {

Problem wall_time_problem(const std::string& field, const WallTimeProblem& problem, WallTime wall,
                          const TimeZone& zone) {
  Problem p = validation_failed({{field, describe(problem, wall, zone)}});
  if (const auto* gap = std::get_if<SkippedWallTime>(&problem)) {
    p.extensions["wall_time"] = {{"kind", "skipped"},
                                 {"transition", format_instant(gap->transition)},
                                 {"offset_before", format_offset(gap->offset_before)},
                                 {"offset_after", format_offset(gap->offset_after)}};
  } else {
    const auto& overlap = std::get<RepeatedWallTime>(problem);
    p.extensions["wall_time"] = {{"kind", "repeated"},
                                 {"transition", format_instant(overlap.transition)},
                                 {"offset_first", format_offset(overlap.offset_first)},
                                 {"offset_second", format_offset(overlap.offset_second)}};
  }
  p.extensions["wall_time"]["field"] = field;
  // Both readings, as "disambiguation": "earlier" and "later" would give them.
  p.extensions["wall_time"]["earlier"] = format_instant(*to_instant(wall, zone, Disambiguation::earlier));
  p.extensions["wall_time"]["later"] = format_instant(*to_instant(wall, zone, Disambiguation::later));
  return p;
}

std::expected<std::string, Problem> convert(const ConversionQuery& query) {
  FieldErrors errors;
  const auto zone_named = [&](std::string_view name, const std::string& field) -> std::optional<TimeZone> {
    auto zone = TimeZone::find(name);
    if (!zone) errors.push_back({field, std::string(kZoneExpected)});
    return zone;
  };

  std::optional<TimeZone> from;
  if (query.from) from = zone_named(*query.from, "from");
  std::vector<TimeZone> targets;
  if (query.to.size() > kMaxConversionTargets) {
    errors.push_back({"to", "at most 100 zones per request"});
  } else {
    for (std::size_t i = 0; i < query.to.size(); ++i) {
      if (auto zone = zone_named(query.to[i], "to[" + std::to_string(i) + "]")) targets.push_back(*zone);
    }
  }
  std::optional<Disambiguation> how = Disambiguation::reject;
  if (query.disambiguation) {
    how = parse_disambiguation(*query.disambiguation);
    if (!how) errors.push_back({"disambiguation", "must be one of reject, earlier, later, compatible"});
  }

  std::optional<Instant> instant;
  std::optional<WallTime> wall;
  if (!query.at) {
    errors.push_back({"at", "is required: an instant such as 2021-09-10T13:00:00Z or a wall time such as 2021-09-10T09:00"});
  } else if ((instant = parse_instant(*query.at))) {
  } else if ((wall = parse_wall_time(*query.at))) {
    if (!query.from) errors.push_back({"from", "is required when at is a wall time: the zone whose clocks show it"});
  } else {
    errors.push_back({"at", "must be an RFC 3339 instant (2021-09-10T13:00:00Z) or a wall time "
                            "YYYY-MM-DDTHH:MM[:SS], with a year from 1900 to 2200"});
  }
  if (!errors.empty()) return std::unexpected(validation_failed(std::move(errors)));

  const TimeZone source = from.value_or(TimeZone::utc());
  if (wall) {
    auto resolved = to_instant(*wall, source, *how);
    if (!resolved) return std::unexpected(wall_time_problem("at", resolved.error(), *wall, source));
    instant = *resolved;
  }
  std::string out;
  out.reserve(64 + 110 * (targets.size() + 1));
  out += "{\"instant\":";
  append_json_string(out, format_instant(*instant));
  out += ",\"from\":";
  append_zoned_json(out, to_zoned(*instant, source));
  out += ",\"to\":[";
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_zoned_json(out, to_zoned(*instant, targets[i]));
  }
  out += "]}";
  return out;
}

nlohmann::json time_zones_json(Instant now) {
  nlohmann::json zones = nlohmann::json::array();
  for (const auto& name : canonical_zone_names()) {
    const ZonedTime zoned = to_zoned(now, *TimeZone::find(name));
    zones.push_back({{"name", name}, {"offset_now", format_offset(zoned.offset)}, {"abbreviation_now", zoned.abbreviation}});
  }
  return {{"tzdb_version", tzdb_version()}, {"zones", zones}};
}

}  // namespace convene
