// VTIMEZONE from the tz database in use.
//
// The compiled zone files Debian ships (and date/tz reads) hold transitions, not the rules that
// produced them, so the rules are recovered: transitions of the same kind (same offsets, same name)
// that fall on the same "n-th (or last) weekday of a month at a wall-clock time" year after year
// become one observance with an RRULE; any others are written as dated observances. Only the
// transitions around the calendar's dates are used, so a zone whose rules changed (Sao Paulo gave
// up DST in 2019) carries only the rules in force for those dates.
#include <algorithm>
#include <map>
#include <tuple>

#include "convene/icalendar.hpp"

namespace convene::ical {
namespace {

using std::chrono::seconds;

// The wall-clock moment a transition happens, on the clock that was running before it.
struct Onset {
  Instant at;          // the transition instant
  WallTime local;      // `at` in the offset before
  Offset from;
  Offset to;
  std::string name;    // TZNAME after the transition
  bool daylight;
};

// "The n-th (1..4) or last (-1) such weekday of the month at this time of day", or nothing.
struct YearlyRule {
  unsigned month;
  unsigned weekday;  // 0 = Sunday
  int ordinal;       // 1..5, or -1 for the last
  seconds time_of_day;
  friend bool operator==(const YearlyRule&, const YearlyRule&) = default;
};

YearlyRule nth_rule(WallTime local) {
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::weekday wd{day};
  return {unsigned(ymd.month()), wd.c_encoding(), int((unsigned(ymd.day()) - 1) / 7 + 1), local - day};
}

YearlyRule last_rule(WallTime local) {
  YearlyRule rule = nth_rule(local);
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const auto last_day = date::year_month_day_last{ymd.year(), date::month_day_last{ymd.month()}}.day();
  rule.ordinal = unsigned(ymd.day()) + 7 > unsigned(last_day) ? -1 : 0;  // 0: not the last of the month
  return rule;
}

bool one_per_year(const std::vector<const Onset*>& onsets) {
  for (std::size_t i = 1; i < onsets.size(); ++i) {
    const int previous = int(date::year_month_day{date::floor<date::days>(onsets[i - 1]->local)}.year());
    const int current = int(date::year_month_day{date::floor<date::days>(onsets[i]->local)}.year());
    if (current != previous + 1) return false;
  }
  return true;
}

// The RRULE that produces every onset of the group, if one does.
std::optional<YearlyRule> recurring_rule(const std::vector<const Onset*>& onsets) {
  if (onsets.size() < 2 || !one_per_year(onsets)) return std::nullopt;
  const auto all_match = [&](auto rule_of) {
    const YearlyRule first = rule_of(onsets.front()->local);
    for (const Onset* onset : onsets) {
      if (!(rule_of(onset->local) == first)) return std::optional<YearlyRule>{};
    }
    return std::optional<YearlyRule>{first};
  };
  if (auto last = all_match(last_rule); last && last->ordinal == -1) return last;
  if (auto nth = all_match(nth_rule); nth && nth->ordinal <= 4) return nth;
  return std::nullopt;
}

std::string offset_text(Offset offset) {
  std::string text = format_offset(offset);  // +05:45 or -00:25:21
  std::erase(text, ':');
  return text;
}

void write_observance(std::string& out, const Onset& first, const std::optional<YearlyRule>& rule,
                      const std::optional<Instant>& until) {
  const char* kind = first.daylight ? "DAYLIGHT" : "STANDARD";
  out += fold(std::string("BEGIN:") + kind);
  out += fold("DTSTART:" + local_date_time(first.local));
  out += fold("TZOFFSETFROM:" + offset_text(first.from));
  out += fold("TZOFFSETTO:" + offset_text(first.to));
  out += fold("TZNAME:" + escape_text(first.name));
  if (rule) {
    static constexpr const char* kDays[] = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
    std::string rrule = "RRULE:FREQ=YEARLY;BYMONTH=" + std::to_string(rule->month) +
                        ";BYDAY=" + std::to_string(rule->ordinal) + kDays[rule->weekday];
    if (until) rrule += ";UNTIL=" + utc_date_time(*until);
    out += fold(rrule);
  }
  out += fold(std::string("END:") + kind);
}

}  // namespace

std::string vtimezone(const TimeZone& zone, Instant from, Instant to) {
  // The periods (offset, name) in force from `from` to `to`, and the one before the first.
  std::vector<date::sys_info> periods{offset_period(zone, from)};
  while (periods.back().end <= to) periods.push_back(offset_period(zone, periods.back().end));
  const bool has_start = periods.front().begin > date::sys_seconds{date::sys_days{date::year{1800} / 1 / 1}};
  const date::sys_info before_first = has_start ? offset_period(zone, periods.front().begin - seconds{1}) : periods.front();

  std::vector<Onset> onsets;
  for (std::size_t i = 0; i < periods.size(); ++i) {
    const date::sys_info& previous = i == 0 ? before_first : periods[i - 1];
    const date::sys_info& current = periods[i];
    if (i == 0 && !has_start) continue;
    // DAYLIGHT is the larger offset of a daylight-saving pair, whichever side the tz database marks
    // as DST (Europe/Dublin marks its winter time, "negative DST"); Outlook expects it that way.
    const bool dst_pair = previous.save != std::chrono::minutes{0} || current.save != std::chrono::minutes{0};
    onsets.push_back({current.begin, WallTime{current.begin.time_since_epoch() + previous.offset}, previous.offset,
                      current.offset, current.abbrev, dst_pair && current.offset > previous.offset});
  }

  std::string out = fold("BEGIN:VTIMEZONE");
  out += fold("TZID:" + std::string(zone.name()));
  if (onsets.empty()) {
    // One offset over the whole period: a single observance (1970, or when it began).
    const date::sys_info& only = periods.front();
    Onset fixed{Instant{}, WallTime{}, only.offset, only.offset, only.abbrev, false};
    fixed.local = WallTime{date::sys_days{date::year{1970} / 1 / 1}.time_since_epoch()};
    write_observance(out, fixed, std::nullopt, std::nullopt);
  } else {
    // Group the onsets by what they change to; a group that follows a yearly rule is one observance.
    std::map<std::tuple<bool, long, long, std::string>, std::vector<const Onset*>> groups;
    for (const auto& onset : onsets)
      groups[{onset.daylight, onset.from.count(), onset.to.count(), onset.name}].push_back(&onset);
    std::vector<std::pair<const Onset*, std::string>> observances;  // ordered by first onset
    for (const auto& [key, members] : groups) {
      std::string text;
      if (auto rule = recurring_rule(members)) {
        // A rule whose next yearly onset would still fall in the period, but does not, has stopped
        // (the zone changed its rules): UNTIL says so.
        const bool continues = members.back()->at + std::chrono::hours(24 * 366) > to;
        write_observance(text, *members.front(), rule, continues ? std::nullopt : std::optional(members.back()->at));
        observances.emplace_back(members.front(), std::move(text));
      } else {
        for (const Onset* onset : members) {
          std::string dated;
          write_observance(dated, *onset, std::nullopt, std::nullopt);
          observances.emplace_back(onset, std::move(dated));
        }
      }
    }
    std::stable_sort(observances.begin(), observances.end(),
                     [](const auto& a, const auto& b) { return a.first->at < b.first->at; });
    for (const auto& [onset, text] : observances) out += text;
  }
  out += fold("END:VTIMEZONE");
  return out;
}

}  // namespace convene::ical
