// A sweep over the whole tz database: every canonical zone, every hour from 2015-01-01 to
// 2027-01-01 UTC (and 2036-2045, past the zone files' explicit transitions), and every transition
// from 2015 to 2027.
//
// These are properties rather than tabulated values (time_zones_test.cpp has those, from Python's
// zoneinfo): an instant shown in a zone and read back in the same zone must give the instant back,
// under the disambiguation that the wall time calls for; and a wall time just inside a transition
// must be classified as the transition says. The transitions are found by walking
// date::time_zone::get_info(sys).end, independently of to_instant.
//
// One TEST per property (not one per zone) keeps ctest's list short. The sweep runs on every core
// the machine has; each worker collects its own failures and the test thread reports them.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "convene/time.hpp"

namespace convene {
namespace {

using namespace std::chrono_literals;

const Instant kFrom = date::sys_days{date::year{2015} / 1 / 1};
const Instant kUntil = date::sys_days{date::year{2027} / 1 / 1};
// The round trip also covers 2036-2045: the compiled zone files list transitions up to 2037 and
// the rule in each file's footer takes over after that (see footer_rule in time.cpp).
const Instant kFooterFrom = date::sys_days{date::year{2036} / 1 / 1};
const Instant kFooterUntil = date::sys_days{date::year{2046} / 1 / 1};
constexpr std::size_t kMaxReported = 20;  // failures spelled out; the rest are only counted

struct Tally {
  std::uint64_t checked = 0;
  std::uint64_t repeated = 0;  // of which wall times shown twice
  std::uint64_t gaps = 0;
  std::uint64_t overlaps = 0;
  std::uint64_t failures = 0;
  std::vector<std::string> messages;

  void fail(std::string message) {
    if (failures++ < kMaxReported) messages.push_back(std::move(message));
  }
  void add(const Tally& other) {
    checked += other.checked;
    repeated += other.repeated;
    gaps += other.gaps;
    overlaps += other.overlaps;
    failures += other.failures;
    for (const auto& m : other.messages)
      if (messages.size() < kMaxReported) messages.push_back(m);
  }
};

std::string where(const TimeZone& zone, Instant instant) {
  return std::string(zone.name()) + " at " + format_instant(instant) + ": ";
}

// Runs `body(zone, tally)` for every canonical zone, spread over the machine's cores.
template <class Body>
Tally for_every_zone(Body body) {
  const auto& names = canonical_zone_names();
  const unsigned workers = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::vector<Tally> tallies(workers);
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      for (std::size_t i = next++; i < names.size(); i = next++) {
        const auto zone = TimeZone::find(names[i]);
        if (!zone) {
          tallies[w].fail(names[i] + ": listed but not found");
          continue;
        }
        body(*zone, tallies[w]);
      }
    });
  }
  for (auto& t : threads) t.join();
  Tally total;
  for (const auto& t : tallies) total.add(t);
  return total;
}

void report(const Tally& tally) {
  for (const auto& message : tally.messages) ADD_FAILURE() << message;
  EXPECT_EQ(tally.failures, 0u) << "(only the first " << kMaxReported << " are shown)";
}

// to_zoned(instant) then to_instant(local, zone, d) gives the instant back for the right d.
void round_trip(const TimeZone& zone, Instant t, Tally& tally) {
  ++tally.checked;
  const ZonedTime zoned = to_zoned(t, zone);
  if (zoned.local.time_since_epoch() != t.time_since_epoch() + zoned.offset) {
    tally.fail(where(zone, t) + "local " + format_wall_time(zoned.local) + " is not instant + offset " +
               format_offset(zoned.offset));
    return;
  }
  const auto unique = to_instant(zoned.local, zone, Disambiguation::reject);
  if (unique) {
    if (*unique != t)
      tally.fail(where(zone, t) + "shown as " + format_wall_time(zoned.local) + ", read back as " +
                 format_instant(*unique));
    return;
  }
  const auto* overlap = std::get_if<RepeatedWallTime>(&unique.error());
  if (!overlap) {
    tally.fail(where(zone, t) + "shown as " + format_wall_time(zoned.local) +
               ", which reject calls skipped: " + describe(unique.error(), zoned.local, zone));
    return;
  }
  ++tally.repeated;
  const bool first = t < overlap->transition;
  if (zoned.offset != (first ? overlap->offset_first : overlap->offset_second))
    tally.fail(where(zone, t) + "offset " + format_offset(zoned.offset) + " is not the reported " +
               (first ? "first " : "second ") + "offset: " + describe(unique.error(), zoned.local, zone));
  const auto earlier = to_instant(zoned.local, zone, Disambiguation::earlier);
  const auto later = to_instant(zoned.local, zone, Disambiguation::later);
  const bool via_earlier = earlier && *earlier == t;
  const bool via_later = later && *later == t;
  if (via_earlier == via_later || via_earlier != first)
    tally.fail(where(zone, t) + "repeated wall time " + format_wall_time(zoned.local) + " (" +
               (first ? "first" : "second") + " occurrence): earlier gives " +
               (earlier ? format_instant(*earlier) : "an error") + ", later gives " +
               (later ? format_instant(*later) : "an error"));
}

TEST(TzSweep, EveryHourInEveryZoneRoundTrips) {
  const auto started = std::chrono::steady_clock::now();
  const Tally tally = for_every_zone([](const TimeZone& zone, Tally& tally) {
    for (Instant t = kFrom; t < kUntil; t += 1h) round_trip(zone, t, tally);
    for (Instant t = kFooterFrom; t < kFooterUntil; t += 1h) round_trip(zone, t, tally);
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "[ sweep    ] " << tally.checked << " instants (hourly, 2015-2026 and 2036-2045) round-tripped in "
            << canonical_zone_names().size() << " zones (" << tally.repeated
            << " shown at a repeated wall time) in " << seconds << " s" << std::endl;
  EXPECT_EQ(tally.checked, canonical_zone_names().size() *
                               std::uint64_t((kUntil - kFrom + kFooterUntil - kFooterFrom) / 1h));
  EXPECT_GT(tally.repeated, 0u);  // the range has overlaps, so that branch ran
  report(tally);
}

// Each transition in range, found from the zone's own periods: a wall time one second into a gap is
// skipped, one second into an overlap repeated, each naming the transition and both offsets; the
// wall times one second before are unique.
TEST(TzSweep, EveryTransitionInEveryZoneIsClassified) {
  const auto started = std::chrono::steady_clock::now();
  const Tally tally = for_every_zone([](const TimeZone& zone, Tally& tally) {
    for (date::sys_info before = zone.zone()->get_info(kFrom), after; before.end < kUntil;
         before = after) {
      const Instant transition = before.end;
      after = zone.zone()->get_info(transition);
      const Offset ob = before.offset, oa = after.offset;
      ++tally.checked;
      // Just before the transition (by wall time on either side), nothing is ambiguous.
      const WallTime last_before = WallTime{transition.time_since_epoch() + std::min(ob, oa)} - 1s;
      const auto plain = to_instant(last_before, zone, Disambiguation::reject);
      if (!plain || *plain != Instant{last_before.time_since_epoch() - ob})
        tally.fail(where(zone, transition) + format_wall_time(last_before) + " (just before) is " +
                   (plain ? "read as " + format_instant(*plain) : describe(plain.error(), last_before, zone)));

      if (oa > ob) {  // gap: walls [T + ob, T + oa) do not exist
        ++tally.gaps;
        const WallTime wall = WallTime{transition.time_since_epoch() + ob} + 1s;
        const auto r = to_instant(wall, zone, Disambiguation::reject);
        const auto* gap = r ? nullptr : std::get_if<SkippedWallTime>(&r.error());
        if (!gap || gap->transition != transition || gap->offset_before != ob || gap->offset_after != oa) {
          tally.fail(where(zone, transition) + format_wall_time(wall) + " should be skipped (" +
                     format_offset(ob) + " -> " + format_offset(oa) + "), got " +
                     (r ? format_instant(*r) : describe(r.error(), wall, zone)));
          continue;
        }
        const auto earlier = to_instant(wall, zone, Disambiguation::earlier);
        const auto later = to_instant(wall, zone, Disambiguation::later);
        const auto compatible = to_instant(wall, zone, Disambiguation::compatible);
        if (!earlier || *earlier != Instant{wall.time_since_epoch() - oa} || !later ||
            *later != transition + 1s || !compatible || *compatible != *later)
          tally.fail(where(zone, transition) + "gap at " + format_wall_time(wall) +
                     " resolved wrongly (earlier should be " +
                     format_instant(Instant{wall.time_since_epoch() - oa}) + ", later " +
                     format_instant(transition + 1s) + ")");
      } else if (oa < ob) {  // overlap: walls [T + oa, T + ob) happen twice
        ++tally.overlaps;
        const WallTime wall = WallTime{transition.time_since_epoch() + oa} + 1s;
        const auto r = to_instant(wall, zone, Disambiguation::reject);
        const auto* overlap = r ? nullptr : std::get_if<RepeatedWallTime>(&r.error());
        if (!overlap || overlap->transition != transition || overlap->offset_first != ob ||
            overlap->offset_second != oa) {
          tally.fail(where(zone, transition) + format_wall_time(wall) + " should be repeated (" +
                     format_offset(ob) + " -> " + format_offset(oa) + "), got " +
                     (r ? format_instant(*r) : describe(r.error(), wall, zone)));
          continue;
        }
        const auto earlier = to_instant(wall, zone, Disambiguation::earlier);
        const auto later = to_instant(wall, zone, Disambiguation::later);
        const auto compatible = to_instant(wall, zone, Disambiguation::compatible);
        if (!earlier || *earlier != Instant{wall.time_since_epoch() - ob} || !later ||
            *later != transition + 1s || !compatible || *compatible != *earlier)
          tally.fail(where(zone, transition) + "overlap at " + format_wall_time(wall) +
                     " resolved wrongly");
      } else {  // only the abbreviation (or the DST flag) changed: every wall time is unique
        const WallTime wall = WallTime{transition.time_since_epoch() + ob};
        const auto r = to_instant(wall, zone, Disambiguation::reject);
        if (!r || *r != transition)
          tally.fail(where(zone, transition) + format_wall_time(wall) + " should be unique");
      }
    }
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "[ sweep    ] " << tally.checked << " transitions checked (" << tally.gaps << " gaps, "
            << tally.overlaps << " overlaps) in " << canonical_zone_names().size() << " zones in "
            << seconds << " s" << std::endl;
  EXPECT_GT(tally.gaps, 1000u);  // two a year in dozens of zones: the walk found them
  EXPECT_GT(tally.overlaps, 1000u);
  report(tally);
}

}  // namespace
}  // namespace convene
