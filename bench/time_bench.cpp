// Nanoseconds per time-zone conversion: ours (libdate over the system tz database) against glibc
// (localtime_r and mktime with TZ set to the same zone), measured in the same run.
//
//   cmake --build build --target convene_time_bench && ./build/bench/convene_time_bench
//
// "cold": each iteration takes the next of 4096 (zone, instant) pairs drawn at random from every
// canonical zone and 1970-2037, so consecutive conversions touch different zones' transition tables
// far apart. "warm": one zone (America/New_York) and instants a few minutes apart over a week.
// glibc keeps one zone per process (TZ), so it only has a warm case; a cold glibc would be a tzset
// per call, a file read, and no fair comparison. After the runs a summary prints ours/glibc.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "convene/time.hpp"

namespace {

using namespace std::chrono_literals;
using convene::Disambiguation;
using convene::Instant;
using convene::TimeZone;
using convene::WallTime;

constexpr std::size_t kPairs = 4096;  // a power of two: the index wraps with a mask
constexpr const char* kWarmZone = "America/New_York";
const Instant kWarmStart = date::sys_days{date::year{2021} / 11 / 3};  // a week around a transition

struct Pair {
  TimeZone zone;
  Instant instant;
  WallTime wall;  // the instant as the zone's wall clock shows it
};

const std::vector<Pair>& cold_pairs() {
  static const std::vector<Pair> pairs = [] {
    std::mt19937_64 random(20210910);
    const auto& names = convene::canonical_zone_names();
    std::uniform_int_distribution<std::size_t> pick_zone(0, names.size() - 1);
    const auto from = date::sys_days{date::year{1970} / 1 / 1}.time_since_epoch();
    const auto until = date::sys_days{date::year{2037} / 1 / 1}.time_since_epoch();
    std::uniform_int_distribution<std::int64_t> pick_second(std::chrono::seconds{from}.count(),
                                                           std::chrono::seconds{until}.count());
    std::vector<Pair> out;
    out.reserve(kPairs);
    for (std::size_t i = 0; i < kPairs; ++i) {
      const TimeZone zone = *TimeZone::find(names[pick_zone(random)]);
      const Instant instant{std::chrono::seconds{pick_second(random)}};
      out.push_back({zone, instant, convene::to_zoned(instant, zone).local});
    }
    return out;
  }();
  return pairs;
}

// Instants 7 minutes apart from kWarmStart: 4096 of them span 19 days, across 2021-11-07.
Instant warm_instant(std::size_t i) { return kWarmStart + std::chrono::minutes{7 * (i & (kPairs - 1))}; }

// ---------------------------------------------------------------------------------------------
// Ours.

void BM_ToZoned_Cold(benchmark::State& state) {
  const auto& pairs = cold_pairs();
  std::size_t i = 0;
  for (auto _ : state) {
    const Pair& p = pairs[i++ & (kPairs - 1)];
    auto zoned = convene::to_zoned(p.instant, p.zone);
    benchmark::DoNotOptimize(zoned);
  }
}
BENCHMARK(BM_ToZoned_Cold);

void BM_ToZoned_Warm(benchmark::State& state) {
  const TimeZone zone = *TimeZone::find(kWarmZone);
  std::size_t i = 0;
  for (auto _ : state) {
    auto zoned = convene::to_zoned(warm_instant(i++), zone);
    benchmark::DoNotOptimize(zoned);
  }
}
BENCHMARK(BM_ToZoned_Warm);

void BM_ToInstant_Cold(benchmark::State& state) {
  const auto& pairs = cold_pairs();
  std::size_t i = 0;
  for (auto _ : state) {
    const Pair& p = pairs[i++ & (kPairs - 1)];
    auto instant = convene::to_instant(p.wall, p.zone, Disambiguation::compatible);
    benchmark::DoNotOptimize(instant);
  }
}
BENCHMARK(BM_ToInstant_Cold);

void BM_ToInstant_Warm(benchmark::State& state) {
  const TimeZone zone = *TimeZone::find(kWarmZone);
  std::vector<WallTime> walls;
  for (std::size_t i = 0; i < kPairs; ++i) walls.push_back(convene::to_zoned(warm_instant(i), zone).local);
  std::size_t i = 0;
  for (auto _ : state) {
    auto instant = convene::to_instant(walls[i++ & (kPairs - 1)], zone, Disambiguation::compatible);
    benchmark::DoNotOptimize(instant);
  }
}
BENCHMARK(BM_ToInstant_Warm);

// ---------------------------------------------------------------------------------------------
// glibc, TZ set to the warm zone.

void use_glibc_zone() {
  setenv("TZ", (std::string(":") + kWarmZone).c_str(), 1);
  tzset();
}

void BM_Glibc_Localtime_Warm(benchmark::State& state) {
  use_glibc_zone();
  std::size_t i = 0;
  for (auto _ : state) {
    const std::time_t t = warm_instant(i++).time_since_epoch().count();
    std::tm tm{};
    localtime_r(&t, &tm);
    benchmark::DoNotOptimize(tm);
  }
}
BENCHMARK(BM_Glibc_Localtime_Warm);

void BM_Glibc_Mktime_Warm(benchmark::State& state) {
  use_glibc_zone();
  std::vector<std::tm> walls;
  for (std::size_t i = 0; i < kPairs; ++i) {
    const std::time_t t = warm_instant(i).time_since_epoch().count();
    std::tm tm{};
    localtime_r(&t, &tm);
    tm.tm_isdst = -1;  // let mktime decide, as a wall time read from a form would be
    walls.push_back(tm);
  }
  std::size_t i = 0;
  for (auto _ : state) {
    std::tm tm = walls[i++ & (kPairs - 1)];
    const std::time_t t = mktime(&tm);
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_Glibc_Mktime_Warm);

// Records each benchmark's CPU time per iteration for the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  SummaryReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}
  std::map<std::string, double> ns_per_op;
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      ns_per_op[run.benchmark_name()] = run.GetAdjustedCPUTime();  // default unit: ns
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Sanity: glibc and ours agree on the zone before their speeds are compared.
  use_glibc_zone();
  const TimeZone zone = *TimeZone::find(kWarmZone);
  for (std::size_t i = 0; i < kPairs; ++i) {
    const std::time_t t = warm_instant(i).time_since_epoch().count();
    std::tm tm{};
    localtime_r(&t, &tm);
    if (convene::to_zoned(warm_instant(i), zone).offset.count() != tm.tm_gmtoff) {
      std::fprintf(stderr, "glibc and convene disagree on %s at %lld\n", kWarmZone, (long long)t);
      return 1;
    }
  }
  (void)cold_pairs();  // built before timing starts

  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  const auto& ns = reporter.ns_per_op;
  const struct {
    const char* label;
    const char* ours;
    const char* glibc;
  } pairs[] = {
      {"instant->zoned, warm: to_zoned   vs localtime_r", "BM_ToZoned_Warm", "BM_Glibc_Localtime_Warm"},
      {"wall->instant,  warm: to_instant vs mktime     ", "BM_ToInstant_Warm", "BM_Glibc_Mktime_Warm"},
      {"instant->zoned, cold: to_zoned   vs localtime_r (warm)", "BM_ToZoned_Cold",
       "BM_Glibc_Localtime_Warm"},
      {"wall->instant,  cold: to_instant vs mktime (warm)     ", "BM_ToInstant_Cold",
       "BM_Glibc_Mktime_Warm"},
  };
  std::printf("\nSummary (CPU ns per conversion; ratio ours/glibc, below 1 = ours faster)\n");
  for (const auto& p : pairs) {
    const auto ours = ns.find(p.ours), glibc = ns.find(p.glibc);
    if (ours == ns.end() || glibc == ns.end()) continue;  // filtered out with --benchmark_filter
    std::printf("  %s: %7.1f ns vs %7.1f ns  ratio %.2f\n", p.label, ours->second, glibc->second,
                ours->second / glibc->second);
  }
  return 0;
}
