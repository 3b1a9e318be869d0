#include "convene/time_fit.hpp"

#include <algorithm>
#include <array>
#include <numeric>
#include <utility>

#include "convene/text.hpp"
#include "tzdb_catalog.hpp"

namespace convene {

using std::chrono::minutes;

namespace {

constexpr minutes kWholeDay = std::chrono::hours(24);

// Countries whose zone.tab rows name several zones, and the zone of the capital that stands for
// each (the capital's own zone where it has one: Canberra and Ottawa keep Sydney's and Toronto's
// clocks; Ramallah, where the Palestinian government sits, is in the West Bank's zone). AQ and UM
// have no capital and so are absent. A unit test holds this list to zone.tab.
constexpr std::array<std::pair<std::string_view, std::string_view>, 29> kCapitalZones = {{
    {"AR", "America/Argentina/Buenos_Aires"}, {"AU", "Australia/Sydney"},   {"BR", "America/Sao_Paulo"},
    {"CA", "America/Toronto"},                {"CD", "Africa/Kinshasa"},    {"CL", "America/Santiago"},
    {"CN", "Asia/Shanghai"},                  {"CY", "Asia/Nicosia"},       {"DE", "Europe/Berlin"},
    {"EC", "America/Guayaquil"},              {"ES", "Europe/Madrid"},      {"FM", "Pacific/Pohnpei"},
    {"GL", "America/Nuuk"},                   {"ID", "Asia/Jakarta"},       {"KI", "Pacific/Tarawa"},
    {"KZ", "Asia/Almaty"},                    {"MH", "Pacific/Majuro"},     {"MN", "Asia/Ulaanbaatar"},
    {"MX", "America/Mexico_City"},            {"MY", "Asia/Kuala_Lumpur"},  {"NZ", "Pacific/Auckland"},
    {"PF", "Pacific/Tahiti"},                 {"PG", "Pacific/Port_Moresby"}, {"PS", "Asia/Hebron"},
    {"PT", "Europe/Lisbon"},                  {"RU", "Europe/Moscow"},      {"UA", "Europe/Kyiv"},
    {"US", "America/New_York"},               {"UZ", "Asia/Tashkent"},
}};

// "HH:MM", 00:00 to 24:00.
std::optional<minutes> parse_time_of_day(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -1; };
  for (const std::size_t i : {0u, 1u, 3u, 4u}) {
    if (digit(i) < 0) return std::nullopt;
  }
  const minutes time{(digit(0) * 10 + digit(1)) * 60 + digit(3) * 10 + digit(4)};
  if (digit(3) > 5 || time > kWholeDay) return std::nullopt;
  return time;
}

std::string format_time_of_day(minutes time) {
  const auto two = [](long n) { return std::string{char('0' + n / 10), char('0' + n % 10)}; };
  return two(time.count() / 60) + ":" + two(time.count() % 60);
}

// "YYYY-MM-DD": a wall time's date part, so that dates share the calendar check and the year range
// of every other time the API reads.
std::optional<date::sys_days> parse_day(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  const auto midnight = parse_wall_time(std::string(text) + "T00:00");
  if (!midnight) return std::nullopt;
  return date::sys_days{date::floor<date::days>(*midnight).time_since_epoch()};
}

std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    items.push_back(text.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

// zones= or countries=: each entry is one person, placed by `place` (which explains a refusal).
template <class Place>
Audience listed_audience(std::string_view list, const std::string& parameter, Place&& place, FieldErrors& errors) {
  Audience audience;
  const auto items = split_list(list);
  if (items.size() > kMaxListedAudience) {
    errors.push_back({parameter, "at most " + std::to_string(kMaxListedAudience) + " entries"});
    return audience;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::expected<TimeZone, std::string> zone = place(items[i]);
    if (zone) audience.add(*zone, 1);
    else errors.push_back({parameter + "[" + std::to_string(i) + "]", zone.error()});
  }
  return audience;
}

std::expected<TimeZone, std::string> zone_named(std::string_view name) {
  if (auto zone = TimeZone::find(name)) return *zone;
  return std::unexpected(std::string(kZoneExpected));
}

std::expected<TimeZone, std::string> zone_of_country_code(std::string_view code) {
  const auto country = CountryCode::parse(code);
  if (!country) return std::unexpected(std::string(kCountryExpected));
  if (auto zone = zone_of_country(*country)) return *zone;
  return std::unexpected(std::string(country->code()) +
                         " has no one time zone to stand for it (no capital, or none in the tz database); "
                         "name zones instead");
}

std::vector<ZoneFit> worst_served(const std::vector<ZoneFit>& by_zone) {
  std::vector<ZoneFit> missed;
  std::copy_if(by_zone.begin(), by_zone.end(), std::back_inserter(missed), [](const ZoneFit& z) { return !z.fits; });
  std::sort(missed.begin(), missed.end(), [](const ZoneFit& a, const ZoneFit& b) {
    return a.people != b.people ? a.people > b.people : a.zone.name() < b.zone.name();
  });
  if (missed.size() > kWorstServedZones) missed.erase(missed.begin() + kWorstServedZones, missed.end());
  return missed;
}

nlohmann::json summary_json(const Candidate& candidate) {
  return {{"starts_at", format_instant(candidate.starts_at)},
          {"ends_at", format_instant(candidate.ends_at)},
          {"fit", candidate.fit},
          {"share", candidate.share}};
}

}  // namespace

bool fits_waking_hours(Instant start, Instant end, const TimeZone& zone, WakingHours hours) {
  const WallTime local_start = to_zoned(start, zone).local;
  const WallTime local_end = to_zoned(end, zone).local;
  const auto day = date::floor<date::days>(local_start);
  return local_start >= day + hours.from && local_end <= day + hours.to;
}

void Audience::add(const TimeZone& zone, int people) {
  people_ += people;
  const auto same = std::find_if(zones_.begin(), zones_.end(), [&](const Zone& z) { return z.zone == zone; });
  if (same != zones_.end()) same->people += people;
  else zones_.push_back({zone, people});
}

TimeFit time_fit(const TimeFitQuestion& question, const Audience& audience) {
  TimeFit fit;
  fit.candidates.reserve(kCandidatesPerDay);
  for (int i = 0; i < kCandidatesPerDay; ++i) {
    Candidate candidate;
    candidate.starts_at = Instant{question.day} + i * kCandidateStep;
    candidate.ends_at = candidate.starts_at + question.duration;
    for (const auto& [zone, people] : audience.zones()) {
      const bool fits = fits_waking_hours(candidate.starts_at, candidate.ends_at, zone, question.hours);
      candidate.by_zone.push_back({zone, people, fits});
      if (fits) candidate.fit += people;
    }
    if (audience.people() > 0) candidate.share = static_cast<double>(candidate.fit) / audience.people();
    candidate.worst_served = worst_served(candidate.by_zone);
    fit.candidates.push_back(std::move(candidate));
  }
  fit.best.resize(fit.candidates.size());
  std::iota(fit.best.begin(), fit.best.end(), std::size_t{0});
  // Stable: of equal counts, the earlier start stays first.
  std::stable_sort(fit.best.begin(), fit.best.end(),
                   [&](std::size_t a, std::size_t b) { return fit.candidates[a].fit > fit.candidates[b].fit; });
  fit.best.resize(kBestCandidates);
  return fit;
}

std::optional<TimeZone> zone_of_country(const CountryCode& country) {
  const auto capital = std::find_if(kCapitalZones.begin(), kCapitalZones.end(),
                                    [&](const auto& entry) { return entry.first == country.code(); });
  if (capital != kCapitalZones.end()) return TimeZone::find(capital->second);
  const auto& listed = detail::tzdb_catalog().zones_of_country;
  const auto zones = listed.find(country.code());
  if (zones == listed.end() || zones->second.size() != 1) return std::nullopt;
  return TimeZone::find(zones->second.front());
}

std::expected<TimeFitRequest, Problem> parse_time_fit_query(const TimeFitQuery& query) {
  FieldErrors errors;
  TimeFitRequest request;
  TimeFitQuestion& question = request.question;

  if (!query.date) errors.push_back({"date", "is required: the day YYYY-MM-DD whose half-hours (UTC) are tried"});
  else if (auto day = parse_day(*query.date)) question.day = *day;
  else errors.push_back({"date", "must be a date YYYY-MM-DD with a year from 1900 to 2200"});

  bool hours_read = true;
  const auto time_of_day = [&](std::optional<std::string_view> text, const char* parameter, minutes fallback) {
    if (!text) return fallback;
    if (auto time = parse_time_of_day(*text)) return *time;
    errors.push_back({parameter, "must be a time of day HH:MM from 00:00 to 24:00"});
    hours_read = false;
    return fallback;
  };
  question.hours.from = time_of_day(query.awake_from, "awake_from", WakingHours{}.from);
  question.hours.to = time_of_day(query.awake_to, "awake_to", WakingHours{}.to);
  if (hours_read && question.hours.from >= question.hours.to) {
    errors.push_back({"awake_to", "must be later than awake_from: waking hours across midnight are not supported"});
    hours_read = false;
  }

  const auto duration = query.duration_minutes ? parse_id(*query.duration_minutes) : std::nullopt;
  const minutes waking = question.hours.to - question.hours.from;
  if (!query.duration_minutes) {
    errors.push_back({"duration_minutes", "is required: the session's length in minutes"});
  } else if (!duration || minutes{*duration} > kWholeDay) {
    errors.push_back({"duration_minutes", "must be a whole number of minutes from 1 to 1440"});
  } else if (hours_read && minutes{*duration} > waking) {
    errors.push_back({"duration_minutes", "is longer than the waking hours (" + format_time_of_day(question.hours.from) +
                                              " to " + format_time_of_day(question.hours.to) +
                                              "): no start could fit anyone"});
  } else {
    question.duration = minutes{*duration};
  }

  if (query.zones && query.countries) {
    errors.push_back({"countries", "give zones or countries, not both"});
  } else if (query.zones) {
    request.source = AudienceSource::zones;
    request.listed = listed_audience(*query.zones, "zones", zone_named, errors);
  } else if (query.countries) {
    request.source = AudienceSource::countries;
    request.listed = listed_audience(*query.countries, "countries", zone_of_country_code, errors);
  }

  if (!errors.empty()) return std::unexpected(validation_failed(std::move(errors)));
  return request;
}

nlohmann::json time_fit_json(const TimeFitQuestion& question, const TimeFit& fit) {
  nlohmann::json candidates = nlohmann::json::array();
  for (const auto& candidate : fit.candidates) {
    nlohmann::json by_zone = nlohmann::json::array();
    for (const auto& z : candidate.by_zone)
      by_zone.push_back({{"zone", z.zone.name()}, {"people", z.people}, {"fits", z.fits}});
    nlohmann::json worst = nlohmann::json::array();
    for (const auto& z : candidate.worst_served) worst.push_back({{"zone", z.zone.name()}, {"people", z.people}});
    nlohmann::json entry = summary_json(candidate);
    entry["by_zone"] = std::move(by_zone);
    entry["worst_served"] = std::move(worst);
    candidates.push_back(std::move(entry));
  }
  nlohmann::json best = nlohmann::json::array();
  for (const auto index : fit.best) best.push_back(summary_json(fit.candidates[index]));
  return {{"date", format_instant(Instant{question.day}).substr(0, 10)},  // "YYYY-MM-DD" of "YYYY-MM-DDT00:00:00Z"
          {"duration_minutes", question.duration.count()},
          {"awake", {{"from", format_time_of_day(question.hours.from)}, {"to", format_time_of_day(question.hours.to)}}},
          {"candidates", std::move(candidates)},
          {"best", std::move(best)}};
}

}  // namespace convene
