// Time in convene: instants, wall-clock times and the zones that relate them.
//
// An Instant is a point on the UTC time line (what the database stores, what calendars exchange).
// A WallTime is what a clock on a wall in some zone shows; it means nothing without a zone. They are
// distinct types (Howard Hinnant's sys_time and local_time), so one can never be passed for the other.
// A TimeZone can only hold a zone the tz database knows; parsing a name is the only way to get one.
#pragma once

#include <chrono>
#include <compare>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <date/date.h>
#include <date/tz.h>

#include "convene/enum_names.hpp"

namespace convene {

using Instant = date::sys_seconds;   // UTC, to the second
using WallTime = date::local_seconds;  // a reading of a wall clock, zone unknown to the type
using Offset = std::chrono::seconds;   // UTC offset, east positive

// What a request is told when it names no zone the tz database knows.
inline constexpr std::string_view kZoneExpected = "must be an IANA time zone name such as Asia/Kathmandu";

// A zone of the tz database, under its canonical name (links such as Asia/Katmandu resolve to
// Asia/Kathmandu). Cheap to copy: it points into the process-wide tz database.
class TimeZone {
 public:
  // Any zone or link name the tz database knows; nullopt otherwise (so a TimeZone is always valid).
  static std::optional<TimeZone> find(std::string_view name);
  static TimeZone utc();

  std::string_view name() const { return name_; }
  const date::time_zone* zone() const { return zone_; }

  friend bool operator==(const TimeZone& a, const TimeZone& b) { return a.zone_ == b.zone_; }

 private:
  TimeZone(const date::time_zone* zone, std::string_view name) : zone_(zone), name_(name) {}
  const date::time_zone* zone_;
  std::string_view name_;  // canonical; storage owned by the catalogue, lives as long as the process
};

// How to read a wall time that a zone skips (spring-forward gap) or shows twice (fall-back overlap).
// Meanings follow TC39 Temporal; `compatible` is what RFC 5545 prescribes.
enum class Disambiguation { reject, earlier, later, compatible };
inline constexpr auto kDisambiguationNames = enum_names<Disambiguation>(
    std::pair{Disambiguation::reject, "reject"}, std::pair{Disambiguation::earlier, "earlier"},
    std::pair{Disambiguation::later, "later"}, std::pair{Disambiguation::compatible, "compatible"});
inline std::optional<Disambiguation> parse_disambiguation(std::string_view text) {
  return kDisambiguationNames.parse(text);
}
inline std::string_view to_string(Disambiguation d) { return kDisambiguationNames.name(d); }

// The wall time falls in a gap: clocks jumped from offset_before to offset_after at `transition`.
struct SkippedWallTime {
  Instant transition;
  Offset offset_before;
  Offset offset_after;
};
// The wall time happens twice: once at offset_first (ending at `transition`), once at offset_second.
struct RepeatedWallTime {
  Instant transition;
  Offset offset_first;
  Offset offset_second;
};
using WallTimeProblem = std::variant<SkippedWallTime, RepeatedWallTime>;
std::string describe(const WallTimeProblem& problem, WallTime wall, const TimeZone& zone);

// Wall time in a zone -> the instant it denotes. With `reject`, a skipped or repeated wall time is
// an error that says exactly which transition made it so.
std::expected<Instant, WallTimeProblem> to_instant(WallTime wall, const TimeZone& zone,
                                                   Disambiguation how);

// An instant as seen in a zone: the wall time, the offset in force and its abbreviation.
struct ZonedTime {
  WallTime local;
  Offset offset;
  std::string abbreviation;
  TimeZone zone;
};
ZonedTime to_zoned(Instant instant, const TimeZone& zone);

// The offset in force at `instant` and the period it holds for (begin, end, offset, DST or not,
// abbreviation): the compiled transitions, continued past their end (2037) by the zone's own rule.
date::sys_info offset_period(const TimeZone& zone, Instant instant);

// Text forms used across the API.
// Instants: RFC 3339 in UTC with Z ("2021-09-10T13:00:00Z"); parsing also accepts an explicit
// numeric offset ("2021-09-10T09:00:00-04:00") and fractional seconds (truncated).
std::string format_instant(Instant instant);
std::optional<Instant> parse_instant(std::string_view text);
// Wall times: "YYYY-MM-DDTHH:MM[:SS]" with no offset; the date must exist in the calendar.
std::string format_wall_time(WallTime wall);
std::optional<WallTime> parse_wall_time(std::string_view text);
// Offsets: "+05:45", "-04:00", and "+hh:mm:ss" for the odd historical offset with seconds.
std::string format_offset(Offset offset);

// The tz database this process reads, and its version (e.g. "2025b").
std::string tzdb_version();
// Every canonical zone name (no links), sorted.
const std::vector<std::string>& canonical_zone_names();

}  // namespace convene
