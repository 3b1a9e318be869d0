// GET /api/v1/time/convert: one moment shown in several zones.
#pragma once

#include <expected>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "convene/problem.hpp"
#include "convene/time.hpp"

namespace convene {

struct ConversionQuery {
  std::optional<std::string_view> at;              // an instant ("...Z" or with offset) or a wall time
  std::optional<std::string_view> from;            // zone of a wall time; default UTC for an instant
  std::vector<std::string_view> to;                // zones to show it in, in this order
  std::optional<std::string_view> disambiguation;  // for a wall time: reject (default), earlier, later, compatible
};

inline constexpr std::size_t kMaxConversionTargets = 100;

// {"instant": "...Z", "from": zoned, "to": [zoned, ...]} as JSON text, or a 422 naming each bad
// field. A wall time that does not exist, or exists twice, is a 422 on "at" that says which
// transition is to blame (also as the extension "wall_time" with the offsets and the transition).
// The text is written directly rather than through a JSON tree: a page asking for ten zones is
// this endpoint's whole load, and the tree cost three times the conversions themselves.
std::expected<std::string, Problem> convert(const ConversionQuery& query);

// GET /api/v1/timezones: {"tzdb_version", "zones": [{"name", "offset_now", "abbreviation_now"}]}.
nlohmann::json time_zones_json(Instant now);

// The problem for a wall time a zone skips or repeats, with its details as an extension.
Problem wall_time_problem(const std::string& field, const WallTimeProblem& problem, WallTime wall,
                          const TimeZone& zone);

}  // namespace convene
