// Fuzz target: wall times and instants: parsing and formatting, to_instant with each way of reading a
// skipped or repeated wall time, to_zoned, and the /time/convert computation built on them.
//
// Input: fields, one per line (see fuzz_common.hpp):
//   0 a wall time ("2021-03-14T02:30"; anything else picks one of 1900-2200 from its bytes)
//   1 the zone (a name or link of the tz database; anything else picks one of the catalogue's zones)
//   2 an instant ("2021-11-07T06:30:00Z", "...-04:00"; anything else picks one of 1900-2200)
//   3 a second zone, shown by the conversion
//
// Properties:
//  - parse_wall_time / parse_instant: what parses formats back to the canonical text of the input
//    (seconds added, 't' as 'T') and parses again to the same value;
//  - to_instant: earlier, later and compatible always give an instant and earlier <= later. Where
//    reject gives one, all four agree and that instant shows the same wall time. Where the zone
//    skips the wall time (a gap: offset_after > offset_before), earlier reads it with the offset
//    after and later/compatible with the offset before, the transition lies between them, and
//    neither instant shows the wall time (the clock reads before it just before, after it just
//    after). Where the zone repeats it (offset_first > offset_second), earlier/compatible are the
//    first reading and later the second, both show the wall time with those offsets, and the
//    transition lies between them;
//  - to_zoned: the wall time shown minus the offset is the instant; the offset is the one of the
//    period offset_period gives, which holds the instant; reading that wall time back (earlier or
//    later) finds the instant, and reject finds it or reports the wall time as repeated;
//  - convert(): answers with valid JSON; for a wall time, the instant of to_instant (or a 422 on
//    "at" saying skipped or repeated, with the transition); for an instant, that instant.
#include <nlohmann/json.hpp>

#include "convene/time.hpp"
#include "convene/time_conversion.hpp"
#include "fuzz_common.hpp"

using namespace convene;
using std::chrono::seconds;

namespace {

std::string at(WallTime wall, const TimeZone& zone) {
  return format_wall_time(wall) + " in " + std::string(zone.name());
}

void check_parsing(const std::string& wall_text, const std::string& instant_text) {
  if (const auto wall = parse_wall_time(wall_text)) {
    std::string canonical = wall_text;
    if (canonical.size() > 10 && canonical[10] == 't') canonical[10] = 'T';
    if (canonical.size() == 16) canonical += ":00";
    FUZZ_CHECK(format_wall_time(*wall) == canonical, fuzz::show(wall_text) + " formats as " + format_wall_time(*wall));
    FUZZ_CHECK(parse_wall_time(format_wall_time(*wall)) == wall);
  }
  if (const auto instant = parse_instant(instant_text)) {
    const std::string text = format_instant(*instant);
    FUZZ_CHECK(text.size() == 20 && text.back() == 'Z', text);
    // An offset can carry 1900-01-01 into 1899 (and 2200-12-31 into 2201): outside the range the API
    // parses, so only instants inside it must come back.
    const auto s = instant->time_since_epoch().count();
    if (s >= fuzz::kFirstSecond && s <= fuzz::kLastSecond)
      FUZZ_CHECK(parse_instant(text) == instant, fuzz::show(instant_text) + " formats as " + text);
  }
}

void check_to_instant(WallTime wall, const TimeZone& zone) {
  const auto reject = to_instant(wall, zone, Disambiguation::reject);
  const auto earlier = to_instant(wall, zone, Disambiguation::earlier);
  const auto later = to_instant(wall, zone, Disambiguation::later);
  const auto compatible = to_instant(wall, zone, Disambiguation::compatible);
  FUZZ_CHECK(earlier && later && compatible, "no instant for " + at(wall, zone));
  FUZZ_CHECK(*earlier <= *later, at(wall, zone));
  const auto shown = [&](Instant instant) { return to_zoned(instant, zone); };

  if (reject) {
    FUZZ_CHECK(*earlier == *reject && *later == *reject && *compatible == *reject, at(wall, zone));
    FUZZ_CHECK(shown(*reject).local == wall,
               at(wall, zone) + " -> " + format_instant(*reject) + " shows " + format_wall_time(shown(*reject).local));
    return;
  }
  const std::string description = describe(reject.error(), wall, zone);
  FUZZ_CHECK(description.find(zone.name()) != std::string::npos, description);
  if (const auto* gap = std::get_if<SkippedWallTime>(&reject.error())) {
    FUZZ_CHECK(gap->offset_after > gap->offset_before, description);
    FUZZ_CHECK(*earlier == Instant{wall.time_since_epoch() - gap->offset_after}, description);
    FUZZ_CHECK(*later == Instant{wall.time_since_epoch() - gap->offset_before}, description);
    FUZZ_CHECK(*compatible == *later, description);
    FUZZ_CHECK(*earlier < gap->transition && gap->transition <= *later,
               description + "; earlier " + format_instant(*earlier) + ", later " + format_instant(*later));
    const ZonedTime before = shown(*earlier), after = shown(*later);
    FUZZ_CHECK(before.local < wall && wall < after.local,
               description + ": but " + format_instant(*earlier) + " shows " + format_wall_time(before.local) + " and " +
                   format_instant(*later) + " shows " + format_wall_time(after.local));
    FUZZ_CHECK(before.offset == gap->offset_before && after.offset == gap->offset_after,
               description + ": to_zoned gives offsets " + format_offset(before.offset) + " and " + format_offset(after.offset));
  } else {
    const auto& overlap = std::get<RepeatedWallTime>(reject.error());
    FUZZ_CHECK(overlap.offset_first > overlap.offset_second, description);
    FUZZ_CHECK(*earlier == Instant{wall.time_since_epoch() - overlap.offset_first}, description);
    FUZZ_CHECK(*later == Instant{wall.time_since_epoch() - overlap.offset_second}, description);
    FUZZ_CHECK(*compatible == *earlier, description);
    FUZZ_CHECK(*earlier < overlap.transition && overlap.transition <= *later, description);
    const ZonedTime first = shown(*earlier), second = shown(*later);
    FUZZ_CHECK(first.local == wall && second.local == wall,
               description + ": but the readings show " + format_wall_time(first.local) + " and " +
                   format_wall_time(second.local));
    FUZZ_CHECK(first.offset == overlap.offset_first && second.offset == overlap.offset_second, description);
  }
}

void check_to_zoned(Instant instant, const TimeZone& zone) {
  const ZonedTime zoned = to_zoned(instant, zone);
  const std::string where = format_instant(instant) + " in " + std::string(zone.name());
  FUZZ_CHECK(zoned.zone == zone, where);
  FUZZ_CHECK(zoned.local.time_since_epoch() - zoned.offset == instant.time_since_epoch(), where);
  FUZZ_CHECK(zoned.offset > -std::chrono::hours(25) && zoned.offset < std::chrono::hours(25), where);
  const date::sys_info period = offset_period(zone, instant);
  FUZZ_CHECK(period.begin <= instant && instant < period.end, where + ": period does not hold the instant");
  FUZZ_CHECK(period.offset == zoned.offset && period.abbrev == zoned.abbreviation, where);
  const auto earlier = to_instant(zoned.local, zone, Disambiguation::earlier);
  const auto later = to_instant(zoned.local, zone, Disambiguation::later);
  FUZZ_CHECK(earlier && later && (*earlier == instant || *later == instant),
             where + " shows " + format_wall_time(zoned.local) + ", read back as " + format_instant(*earlier) + " / " +
                 format_instant(*later));
  const auto reject = to_instant(zoned.local, zone, Disambiguation::reject);
  FUZZ_CHECK(reject ? *reject == instant : std::holds_alternative<RepeatedWallTime>(reject.error()),
             where + ": the wall time it shows is called skipped");
}

void check_convert(WallTime wall, const TimeZone& zone, Instant instant, const TimeZone& other) {
  static constexpr const char* kHow[] = {"reject", "earlier", "later", "compatible"};
  const std::string wall_text = format_wall_time(wall);
  for (const char* how : kHow) {
    const ConversionQuery query{wall_text, zone.name(), {other.name(), zone.name()}, std::string_view(how)};
    const auto converted = convert(query);
    const auto expected = to_instant(wall, zone, *parse_disambiguation(how));
    if (expected) {
      FUZZ_CHECK(converted.has_value(), "convert refused " + at(wall, zone) + " " + how);
      const auto body = nlohmann::json::parse(*converted, nullptr, false);
      FUZZ_CHECK(!body.is_discarded(), "convert wrote invalid JSON: " + *converted);
      FUZZ_CHECK(body["instant"] == format_instant(*expected), *converted);
      FUZZ_CHECK(body["to"].size() == 2 && body["to"][0]["zone"] == other.name(), *converted);
      FUZZ_CHECK(body["to"][1]["local"] == format_wall_time(to_zoned(*expected, zone).local), *converted);
    } else {
      FUZZ_CHECK(!converted.has_value() && converted.error().type == ProblemType::validation_failed, "convert accepted " + at(wall, zone));
      const nlohmann::json problem = converted.error();
      FUZZ_CHECK(problem["errors"].size() == 1 && problem["errors"][0]["field"] == "at", problem.dump());
      const bool skipped = std::holds_alternative<SkippedWallTime>(expected.error());
      FUZZ_CHECK(problem["wall_time"]["kind"] == (skipped ? "skipped" : "repeated"), problem.dump());
    }
  }
  // An instant outside 1900-2200 (an offset can carry one there) is not one the API reads back.
  const auto s = instant.time_since_epoch().count();
  if (s < fuzz::kFirstSecond || s > fuzz::kLastSecond) return;
  const std::string instant_text = format_instant(instant);
  const auto converted = convert(ConversionQuery{instant_text, std::nullopt, {zone.name()}, std::nullopt});
  FUZZ_CHECK(converted.has_value(), "convert refused the instant " + instant_text);
  const auto body = nlohmann::json::parse(*converted, nullptr, false);
  FUZZ_CHECK(!body.is_discarded() && body["instant"] == instant_text, *converted);
  FUZZ_CHECK(body["to"][0]["local"] == format_wall_time(to_zoned(instant, zone).local), *converted);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::Fields f(data, size);
  check_parsing(f[0], f[2]);
  const TimeZone zone = fuzz::pick_zone(f[1]);
  const TimeZone other = fuzz::pick_zone(f[3]);
  const WallTime wall = fuzz::pick_wall_time(f[0]);
  const Instant instant = fuzz::pick_instant(f[2]);
  check_to_instant(wall, zone);
  check_to_zoned(instant, zone);
  // The instants on either side of the wall time's readings, where transitions are.
  if (const auto earlier = to_instant(wall, zone, Disambiguation::earlier)) {
    check_to_zoned(*earlier - seconds{1}, zone);
    check_to_zoned(*earlier, zone);
  }
  check_convert(wall, zone, instant, other);
  return 0;
}
