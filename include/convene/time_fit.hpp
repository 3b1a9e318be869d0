// A time that suits the audience (GET /api/v1/events/{slug}/time-fit): for each half-hour start on
// one UTC day, how many of an audience spread over time zones would have the whole session inside
// their waking hours.
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "convene/locale.hpp"
#include "convene/problem.hpp"
#include "convene/time.hpp"

namespace convene {

// The part of a local day in which people will attend: from `from` to `to` on one wall-clock day, in
// time after local midnight (0h = 00:00, 24h = 24:00). A window across midnight (22:00 to 02:00) is
// not supported: `from` < `to` always.
struct WakingHours {
  std::chrono::minutes from{7 * 60};
  std::chrono::minutes to{22 * 60};
};

// A session [start, end) fits someone in `zone` when, D being the local date of its start, its local
// start is at or after D + from and its local end at or before D + to (both ends inclusive, so 07:00
// to 22:00 fits the default window; a session running past local midnight never fits). The local
// times are read with the tz database at those very instants: a change of clocks during the session
// counts.
bool fits_waking_hours(Instant start, Instant end, const TimeZone& zone, WakingHours hours);

// How many people are in each zone; each zone appears once, under its canonical name.
class Audience {
 public:
  struct Zone {
    TimeZone zone;
    int people;
  };
  void add(const TimeZone& zone, int people);
  const std::vector<Zone>& zones() const { return zones_; }
  int people() const { return people_; }

 private:
  std::vector<Zone> zones_;  // in the order first added
  int people_ = 0;
};

// The candidates: every half hour of the UTC day, 00:00Z to 23:30Z.
inline constexpr std::chrono::minutes kCandidateStep{30};
inline constexpr int kCandidatesPerDay = std::chrono::hours(24) / kCandidateStep;
inline constexpr std::size_t kBestCandidates = 3;
inline constexpr std::size_t kWorstServedZones = 3;
// At most this many entries in zones= or countries=.
inline constexpr std::size_t kMaxListedAudience = 200;

struct TimeFitQuestion {
  date::sys_days day;  // the UTC day whose half-hours are the candidate starts
  std::chrono::minutes duration;
  WakingHours hours;
};

struct ZoneFit {
  TimeZone zone;
  int people;
  bool fits;
};

struct Candidate {
  Instant starts_at, ends_at;
  int fit = 0;       // people for whom the whole session lies in their waking hours
  double share = 0;  // fit / the audience's people (0 for an empty audience)
  std::vector<ZoneFit> by_zone;       // in the audience's order
  std::vector<ZoneFit> worst_served;  // zones it does not fit, most people first (ties by zone
                                      // name), at most kWorstServedZones
};

struct TimeFit {
  std::vector<Candidate> candidates;  // kCandidatesPerDay, in start order
  // Indices into `candidates` of the kBestCandidates with the highest share; of equal shares, the
  // earlier start.
  std::vector<std::size_t> best;
};

TimeFit time_fit(const TimeFitQuestion& question, const Audience& audience);

// The zone that stands for a country in countries=: the only zone the tz database's zone.tab lists
// for it, or, for a country with several, the zone of its capital (America/New_York for US,
// Europe/Moscow for RU...). nullopt for a country with no zone in zone.tab (BV, HM) and for
// Antarctica (AQ) and the US Minor Outlying Islands (UM), which have no capital.
std::optional<TimeZone> zone_of_country(const CountryCode& country);

// The query parameters as they came; absent ones are nullopt.
struct TimeFitQuery {
  std::optional<std::string_view> date, duration_minutes, awake_from, awake_to, zones, countries;
};
enum class AudienceSource { registrants, zones, countries };
inline constexpr auto kAudienceSourceNames = enum_names<AudienceSource>(
    std::pair{AudienceSource::registrants, "registrants"}, std::pair{AudienceSource::zones, "zones"},
    std::pair{AudienceSource::countries, "countries"});

struct TimeFitRequest {
  TimeFitQuestion question;
  AudienceSource source = AudienceSource::registrants;
  Audience listed;  // from zones= or countries=, each entry one person; empty for the registrants
};
// The request, or a 422 naming each bad parameter (zones= and countries= together are refused).
std::expected<TimeFitRequest, Problem> parse_time_fit_query(const TimeFitQuery& query);

// {"date", "duration_minutes", "awake": {"from", "to"}, "candidates": [...], "best": [...]}.
nlohmann::json time_fit_json(const TimeFitQuestion& question, const TimeFit& fit);

}  // namespace convene
