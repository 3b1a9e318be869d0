#include "convene/time.hpp"

#include "tzdb_catalog.hpp"

namespace convene {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

// The compiled zone files list transitions up to 2037, and libdate keeps the last period for ever
// after that (New York on EST from November 2037) while the API accepts years up to 2200. Past a
// zone's last listed transition, the rule in the file's footer is asked instead.
constexpr auto kNoLaterTransition = date::sys_days{date::year{9999} / 1 / 1};

const detail::PosixTzRule* footer_rule(const date::time_zone* zone) {
  const auto& footers = detail::tzdb_catalog().footer_of;
  const auto it = footers.find(zone);
  return it == footers.end() ? nullptr : &it->second;
}

}  // namespace

std::optional<TimeZone> TimeZone::find(std::string_view name) {
  const auto& catalog = detail::tzdb_catalog();
  auto it = catalog.canonical_of.find(name);
  if (it == catalog.canonical_of.end()) return std::nullopt;
  return TimeZone(catalog.zone_of.at(it->second), it->second);
}

TimeZone TimeZone::utc() {
  static const TimeZone utc = *find("UTC");
  return utc;
}

std::expected<Instant, WallTimeProblem> to_instant(WallTime wall, const TimeZone& zone,
                                                   Disambiguation how) {
  date::local_info info = zone.zone()->get_info(wall);
  if (info.result == date::local_info::unique && info.first.end > kNoLaterTransition) {
    if (const auto* rule = footer_rule(zone.zone())) info = rule->get_info(wall);
  }
  // local_info: `first` is the period in force before the transition, `second` the one after.
  switch (info.result) {
    case date::local_info::unique:
      return Instant{wall.time_since_epoch() - info.first.offset};
    case date::local_info::nonexistent:
      // Temporal: `earlier` reads the wall time with the offset after the jump (an earlier
      // instant when clocks spring forward), `later` with the offset before it.
      if (how == Disambiguation::earlier)
        return Instant{wall.time_since_epoch() - info.second.offset};
      if (how == Disambiguation::later || how == Disambiguation::compatible)
        return Instant{wall.time_since_epoch() - info.first.offset};
      return std::unexpected(
          SkippedWallTime{info.first.end, info.first.offset, info.second.offset});
    case date::local_info::ambiguous:
      if (how == Disambiguation::earlier || how == Disambiguation::compatible)
        return Instant{wall.time_since_epoch() - info.first.offset};
      if (how == Disambiguation::later)
        return Instant{wall.time_since_epoch() - info.second.offset};
      return std::unexpected(
          RepeatedWallTime{info.first.end, info.first.offset, info.second.offset});
  }
  return Instant{wall.time_since_epoch() - info.first.offset};
}

std::string describe(const WallTimeProblem& problem, WallTime wall, const TimeZone& zone) {
  if (const auto* gap = std::get_if<SkippedWallTime>(&problem)) {
    return format_wall_time(wall) + " does not exist in " + std::string(zone.name()) +
           ": clocks jumped from UTC" + format_offset(gap->offset_before) + " to UTC" +
           format_offset(gap->offset_after) + " at " + format_instant(gap->transition) +
           "; choose disambiguation earlier or later";
  }
  const auto& overlap = std::get<RepeatedWallTime>(problem);
  return format_wall_time(wall) + " happens twice in " + std::string(zone.name()) +
         ": first at UTC" + format_offset(overlap.offset_first) + ", then at UTC" +
         format_offset(overlap.offset_second) + " after clocks went back at " +
         format_instant(overlap.transition) + "; choose disambiguation earlier or later";
}

date::sys_info offset_period(const TimeZone& zone, Instant instant) {
  date::sys_info info = zone.zone()->get_info(instant);
  if (info.end > kNoLaterTransition) {
    if (const auto* rule = footer_rule(zone.zone())) info = rule->get_info(instant);
  }
  return info;
}

ZonedTime to_zoned(Instant instant, const TimeZone& zone) {
  const date::sys_info info = offset_period(zone, instant);
  return ZonedTime{WallTime{instant.time_since_epoch() + info.offset}, info.offset, info.abbrev,
                   zone};
}

namespace {

void append_two_digits(std::string& out, long value) {
  out.push_back(static_cast<char>('0' + value / 10));
  out.push_back(static_cast<char>('0' + value % 10));
}

// "YYYY-MM-DDTHH:MM:SS" for a count of seconds since 1970-01-01 00:00 (UTC or wall, same shape).
// Written digit by digit: every time in every reply goes through here.
std::string format_date_time(seconds since_epoch) {
  const auto day = date::floor<date::days>(date::sys_seconds{since_epoch});
  const date::year_month_day ymd{day};
  const long of_day = (since_epoch - day.time_since_epoch()).count();
  std::string out;
  out.reserve(20);
  const int year = int(ymd.year());
  append_two_digits(out, year / 100);
  append_two_digits(out, year % 100);
  out.push_back('-');
  append_two_digits(out, unsigned(ymd.month()));
  out.push_back('-');
  append_two_digits(out, unsigned(ymd.day()));
  out.push_back('T');
  append_two_digits(out, of_day / 3600);
  out.push_back(':');
  append_two_digits(out, of_day / 60 % 60);
  out.push_back(':');
  append_two_digits(out, of_day % 60);
  return out;
}

// Reads exactly `width` ASCII digits at text[pos].
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// "YYYY-MM-DDTHH:MM[:SS]" at the start of `text`; `consumed` is how much was read.
// Years are limited to 1900-2200: earlier or later dates are typing errors for an event.
std::optional<seconds> parse_date_time_prefix(std::string_view text, std::size_t& consumed) {
  auto year = digits(text, 0, 4);
  auto month = digits(text, 5, 2);
  auto day = digits(text, 8, 2);
  auto hour = digits(text, 11, 2);
  auto minute = digits(text, 14, 2);
  if (!year || !month || !day || !hour || !minute) return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':')
    return std::nullopt;
  int second = 0;
  consumed = 16;
  if (text.size() > 16 && text[16] == ':') {
    auto s = digits(text, 17, 2);
    if (!s) return std::nullopt;
    second = *s;
    consumed = 19;
  }
  if (*year < 1900 || *year > 2200 || *hour > 23 || *minute > 59 || second > 59)
    return std::nullopt;
  const date::year_month_day ymd{date::year{*year}, date::month{unsigned(*month)},
                                 date::day{unsigned(*day)}};
  if (!ymd.ok()) return std::nullopt;
  return date::sys_days{ymd}.time_since_epoch() + hours{*hour} + minutes{*minute} +
         seconds{second};
}

}  // namespace

std::string format_offset(Offset offset) {
  std::string out;
  out.push_back(offset < Offset::zero() ? '-' : '+');
  const long total = std::abs(offset.count());
  append_two_digits(out, total / 3600);
  out.push_back(':');
  append_two_digits(out, total / 60 % 60);
  if (total % 60 != 0) {
    out.push_back(':');
    append_two_digits(out, total % 60);
  }
  return out;
}

std::string format_instant(Instant instant) {
  return format_date_time(instant.time_since_epoch()) + "Z";
}

std::string format_wall_time(WallTime wall) { return format_date_time(wall.time_since_epoch()); }

std::optional<WallTime> parse_wall_time(std::string_view text) {
  std::size_t consumed = 0;
  auto value = parse_date_time_prefix(text, consumed);
  if (!value || consumed != text.size()) return std::nullopt;
  return WallTime{*value};
}

std::optional<Instant> parse_instant(std::string_view text) {
  std::size_t consumed = 0;
  auto value = parse_date_time_prefix(text, consumed);
  if (!value || consumed < 19) return std::nullopt;  // an instant names its seconds
  std::string_view rest = text.substr(consumed);
  if (!rest.empty() && rest.front() == '.') {  // fractional seconds: accepted, truncated
    std::size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    if (n == 1) return std::nullopt;
    rest.remove_prefix(n);
  }
  if (rest == "Z" || rest == "z") return Instant{*value};
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    auto h = digits(rest, 1, 2);
    auto m = digits(rest, 4, 2);
    if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
    const seconds offset = hours{*h} + minutes{*m};
    const Instant instant{rest[0] == '+' ? *value - offset : *value + offset};
    // The range holds for the instant, not for the digits written: "1900-01-01T00:00:00+05:00" is
    // in 1899, which the API could then show but never take back.
    const auto range_begins = date::sys_days{date::year{1900} / 1 / 1};
    const auto range_ends = date::sys_days{date::year{2201} / 1 / 1};
    if (instant < range_begins || instant >= range_ends) return std::nullopt;
    return instant;
  }
  return std::nullopt;
}

std::string tzdb_version() { return detail::tzdb_catalog().version; }

const std::vector<std::string>& canonical_zone_names() {
  return detail::tzdb_catalog().canonical_names;
}

}  // namespace convene
