#include "posix_tz_rule.hpp"

#include <algorithm>

namespace convene::detail {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// A cursor over the rule's text; every reader returns false, leaving the cursor anywhere, when the
// text does not continue as it expects.
struct Reader {
  std::string_view text;
  std::size_t at = 0;

  bool done() const { return at == text.size(); }
  bool next_is(char ch) const { return at < text.size() && text[at] == ch; }
  bool take(char ch) {
    if (!next_is(ch)) return false;
    ++at;
    return true;
  }
  bool digit_next() const { return at < text.size() && text[at] >= '0' && text[at] <= '9'; }

  // One to `max_digits` decimal digits, at most `max`.
  bool number(unsigned max_digits, unsigned max, unsigned& value) {
    if (!digit_next()) return false;
    value = 0;
    for (unsigned n = 0; n < max_digits && digit_next(); ++n) value = value * 10 + unsigned(text[at++] - '0');
    return value <= max;
  }

  // "EST", or "<-02>" for names holding digits and signs; at least three characters.
  bool name(std::string& value) {
    value.clear();
    if (take('<')) {
      while (at < text.size() && text[at] != '>') value.push_back(text[at++]);
      if (!take('>')) return false;
    } else {
      while (at < text.size() && ((text[at] >= 'A' && text[at] <= 'Z') || (text[at] >= 'a' && text[at] <= 'z')))
        value.push_back(text[at++]);
    }
    return value.size() >= 3;
  }

  // [+-]hh[:mm[:ss]] with hh up to `max_hours`.
  bool signed_time(unsigned max_hours, seconds& value) {
    const bool negative = take('-');
    if (!negative) take('+');
    unsigned h = 0, m = 0, s = 0;
    if (!number(3, max_hours, h)) return false;
    if (take(':')) {
      if (!number(2, 59, m)) return false;
      if (take(':') && !number(2, 59, s)) return false;
    }
    value = hours{h} + minutes{m} + seconds{s};
    if (negative) value = -value;
    return true;
  }

  bool transition_date(PosixTzRule::TransitionDate& date) {
    using Kind = PosixTzRule::TransitionDate::Kind;
    if (take('J')) {
      date.kind = Kind::julian_without_leap_day;
      if (!number(3, 365, date.day) || date.day == 0) return false;
    } else if (take('M')) {
      date.kind = Kind::month_week_weekday;
      if (!number(2, 12, date.month) || date.month == 0 || !take('.')) return false;
      if (!number(1, 5, date.week) || date.week == 0 || !take('.')) return false;
      if (!number(1, 6, date.weekday)) return false;
    } else {
      date.kind = Kind::zero_based_day;
      if (!number(3, 365, date.day)) return false;
    }
    // RFC 8536 section 3.3.1: the time of a transition may be -167 to 167 hours.
    if (take('/')) return signed_time(167, date.time);
    return true;
  }
};

}  // namespace

date::local_seconds PosixTzRule::TransitionDate::in(date::year year) const {
  using date::local_days;
  const local_days january_first{year / date::January / 1};
  local_days on;
  switch (kind) {
    case Kind::julian_without_leap_day:  // J60 is March 1st in every year
      on = january_first + date::days{day - 1 + (year.is_leap() && day >= 60 ? 1 : 0)};
      break;
    case Kind::zero_based_day:
      on = january_first + date::days{day};
      break;
    case Kind::month_week_weekday: {
      const date::month m{month};
      const date::weekday wd{weekday};
      on = week == 5 ? local_days{year / m / wd[date::last]} : local_days{year / m / wd[week]};
      break;
    }
  }
  return on + time;
}

std::optional<PosixTzRule> PosixTzRule::parse(std::string_view text) {
  Reader r{text};
  PosixTzRule rule;
  seconds posix_offset{};
  // Offsets themselves stay within a day (POSIX: 0-24 hours).
  if (!r.name(rule.standard_abbreviation_) || !r.signed_time(24, posix_offset)) return std::nullopt;
  rule.standard_offset_ = -posix_offset;
  rule.daylight_offset_ = rule.standard_offset_;
  if (r.done()) return rule;

  if (!r.name(rule.daylight_abbreviation_)) return std::nullopt;
  rule.daylight_offset_ = rule.standard_offset_ + hours{1};
  if (!r.next_is(',')) {
    if (!r.signed_time(24, posix_offset)) return std::nullopt;
    rule.daylight_offset_ = -posix_offset;
  }
  // Footers that name a daylight time always say when it starts and ends.
  TransitionDate start, end;
  if (!r.take(',') || !r.transition_date(start) || !r.take(',') || !r.transition_date(end) || !r.done())
    return std::nullopt;
  rule.daylight_ = std::pair{start, end};
  return rule;
}

date::sys_info PosixTzRule::fixed_period() const {
  date::sys_info info{};
  info.begin = date::sys_days{date::year::min() / date::January / 1};
  info.end = date::sys_days{date::year::max() / date::December / date::last};
  info.offset = standard_offset_;
  info.abbrev = standard_abbreviation_;
  return info;
}

std::vector<date::sys_info> PosixTzRule::periods(date::year first_year, date::year last_year) const {
  std::vector<Transition> transitions;
  for (date::year y = first_year; y <= last_year; ++y) {
    // Each transition happens on the clock in force before it.
    transitions.push_back({date::sys_seconds{(daylight_->first.in(y) - standard_offset_).time_since_epoch()}, true});
    transitions.push_back({date::sys_seconds{(daylight_->second.in(y) - daylight_offset_).time_since_epoch()}, false});
  }
  // Where an end and the next start coincide ("0/0,J365/25": daylight time all year), daylight
  // time goes on: the start sorts after the end and replaces it.
  std::stable_sort(transitions.begin(), transitions.end(), [](const Transition& a, const Transition& b) {
    return a.at < b.at || (a.at == b.at && !a.to_daylight && b.to_daylight);
  });
  std::vector<Transition> kept;
  for (const auto& t : transitions) {
    if (!kept.empty() && kept.back().at == t.at) kept.pop_back();
    if (kept.empty() || kept.back().to_daylight != t.to_daylight) kept.push_back(t);
  }
  std::vector<date::sys_info> result;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    date::sys_info info{};
    info.begin = kept[i].at;
    info.end = i + 1 < kept.size() ? kept[i + 1].at : fixed_period().end;
    info.offset = kept[i].to_daylight ? daylight_offset_ : standard_offset_;
    info.save = kept[i].to_daylight ? date::ceil<minutes>(daylight_offset_ - standard_offset_) : minutes{0};
    info.abbrev = kept[i].to_daylight ? daylight_abbreviation_ : standard_abbreviation_;
    result.push_back(std::move(info));
  }
  return result;
}

date::sys_info PosixTzRule::get_info(date::sys_seconds instant) const {
  if (!daylight_) return fixed_period();
  const date::year y = date::year_month_day{date::floor<date::days>(instant)}.year();
  // Transitions fall at most a year and a week or so apart, so those of the years around hold it.
  const auto all = periods(y - date::years{1}, y + date::years{1});
  for (const auto& period : all) {
    if (period.begin <= instant && instant < period.end) return period;
  }
  return fixed_period();  // unreachable for rules that change clocks; a safe answer all the same
}

date::local_info PosixTzRule::get_info(date::local_seconds wall) const {
  date::local_info info{};
  if (!daylight_) {
    info.first = fixed_period();
    return info;
  }
  const date::year y = date::year_month_day{date::floor<date::days>(wall)}.year();
  const auto all = periods(y - date::years{2}, y + date::years{2});
  const auto local_begin = [](const date::sys_info& p) { return p.begin.time_since_epoch() + p.offset; };
  const auto local_end = [](const date::sys_info& p) { return p.end.time_since_epoch() + p.offset; };
  const seconds w = wall.time_since_epoch();
  std::vector<const date::sys_info*> holding;
  for (const auto& period : all) {
    if (local_begin(period) <= w && w < local_end(period)) holding.push_back(&period);
  }
  if (holding.size() == 1) {
    info.first = *holding[0];
    return info;
  }
  if (holding.size() == 2) {
    info.result = date::local_info::ambiguous;
    info.first = *holding[0];
    info.second = *holding[1];
    return info;
  }
  // In no period: clocks jumped over it at a transition.
  for (std::size_t i = 0; i + 1 < all.size(); ++i) {
    if (local_end(all[i]) <= w && w < local_begin(all[i + 1])) {
      info.result = date::local_info::nonexistent;
      info.first = all[i];
      info.second = all[i + 1];
      return info;
    }
  }
  info.first = get_info(date::sys_seconds{w - standard_offset_});
  return info;
}

}  // namespace convene::detail
