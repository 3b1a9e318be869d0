#include "convene/iso_duration.hpp"

namespace convene {

std::optional<IsoDuration> IsoDuration::parse(std::string_view text) {
  // P[nW][nD][T[nH][nM][nS]], each designator at most once and in this order, integers only.
  if (text.size() < 3 || text.size() > 32 || text[0] != 'P') return std::nullopt;
  constexpr std::string_view kDateUnits = "WD";
  constexpr std::string_view kTimeUnits = "HMS";
  std::int64_t total = 0;
  bool in_time = false, any = false, time_has_any = false;
  std::size_t next_unit = 0;  // index into the current unit list: enforces order and uniqueness
  for (std::size_t i = 1; i < text.size();) {
    if (text[i] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      next_unit = 0;
      ++i;
      continue;
    }
    std::int64_t value = 0;
    std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      if (value > 10'000'000) return std::nullopt;
      ++i;
    }
    if (i == start || i == text.size()) return std::nullopt;
    const std::string_view units = in_time ? kTimeUnits : kDateUnits;
    const std::size_t unit = units.find(text[i], next_unit);
    if (unit == std::string_view::npos) return std::nullopt;
    next_unit = unit + 1;
    static constexpr std::int64_t kDateSeconds[] = {7 * 86400, 86400};
    static constexpr std::int64_t kTimeSeconds[] = {3600, 60, 1};
    total += value * (in_time ? kTimeSeconds[unit] : kDateSeconds[unit]);
    any = true;
    time_has_any = time_has_any || in_time;
    ++i;
  }
  if (!any || (in_time && !time_has_any)) return std::nullopt;
  return IsoDuration(std::string(text), std::chrono::seconds{total});
}

}  // namespace convene
