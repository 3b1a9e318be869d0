// The rule at the end of a compiled zone file (RFC 8536 section 3.3): a POSIX TZ string such as
// "EST5EDT,M3.2.0,M11.1.0" that continues a zone's transitions past the last one the file lists
// (2037 in Debian's files), since the API takes years up to 2200.
//
// date's own Posix::time_zone reads most of these, but not the extension RFC 8536 allows and the
// tz database uses: transition times from -167 to 167 hours. America/Nuuk's "M3.5.0/-1" (the hour
// before midnight that starts the last Sunday of March) is one. This reader takes every footer the
// tz database ships; it is checked against date's reader for all the others and against Python's
// zoneinfo for Nuuk and Scoresbysund (tests/unit/posix_tz_rule_test.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/tz.h>

namespace convene::detail {

class PosixTzRule {
 public:
  // nullopt for text that is not a rule of this form.
  static std::optional<PosixTzRule> parse(std::string_view text);

  // The period holding `instant`: begins and ends at transitions of the rule.
  date::sys_info get_info(date::sys_seconds instant) const;
  // How a wall time reads: once, never (a gap: `first` before it, `second` after) or twice (an
  // overlap: `first` the earlier reading).
  date::local_info get_info(date::local_seconds wall) const;

  // A date within a year: "Jn" (1-365, February 29 never counted), "n" (0-365, counted) or
  // "Mm.w.d" (day d of week w of month m; week 5 is the last), at a time of day that may be
  // negative or past 24 hours.
  struct TransitionDate {
    enum class Kind { julian_without_leap_day, zero_based_day, month_week_weekday } kind;
    unsigned day = 0;    // Jn, n
    unsigned month = 0;  // Mm.w.d
    unsigned week = 0;
    unsigned weekday = 0;  // 0 = Sunday
    std::chrono::seconds time = std::chrono::hours{2};
    date::local_seconds in(date::year year) const;
  };

 private:
  struct Transition {
    date::sys_seconds at;
    bool to_daylight;
  };
  // Every period from the first transition of `first_year` to the last one of `last_year`.
  std::vector<date::sys_info> periods(date::year first_year, date::year last_year) const;
  date::sys_info fixed_period() const;

  std::string standard_abbreviation_;
  std::string daylight_abbreviation_;
  std::chrono::seconds standard_offset_{0};  // east of UTC positive (POSIX writes them negated)
  std::chrono::seconds daylight_offset_{0};
  std::optional<std::pair<TransitionDate, TransitionDate>> daylight_;  // start, end; none: fixed
};

}  // namespace convene::detail
