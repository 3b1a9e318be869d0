// ISO 8601 durations as used for reminder offsets ("P1D", "PT1H", "PT15M", "P1W", "P1DT12H").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace convene {

// A duration of fixed length. Years and months are refused: "a month before" has no fixed length,
// and a reminder that drifts by days is worse than one the organiser had to write as P30D.
class IsoDuration {
 public:
  static std::optional<IsoDuration> parse(std::string_view text);
  std::chrono::seconds length() const { return length_; }
  // The organiser's own spelling, echoed back as given.
  const std::string& text() const { return text_; }
  friend bool operator==(const IsoDuration& a, const IsoDuration& b) {
    return a.length_ == b.length_;
  }

 private:
  IsoDuration(std::string text, std::chrono::seconds length)
      : text_(std::move(text)), length_(length) {}
  std::string text_;
  std::chrono::seconds length_;
};

}  // namespace convene
