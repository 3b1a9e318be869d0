#include "convene/sequence_floor.hpp"

#include <algorithm>
#include <chrono>

namespace convene {

int raised_sequence_floor(int current, Instant now) {
  const auto minutes = std::chrono::floor<std::chrono::minutes>(now - kSequenceFloorEpoch).count();
  const long long raised = std::max<long long>(static_cast<long long>(current) + 1, minutes);
  return static_cast<int>(std::min<long long>(raised, kSequenceFloorCeiling));
}

int calendar_sequence(const Event& event, const Session& session) { return session.sequence + event.sequence_floor; }

int calendar_sequence(const Event& event, const Session& session, const Registration& registration) {
  return calendar_sequence(event, session) + registration.invite_sequence;
}

}  // namespace convene
