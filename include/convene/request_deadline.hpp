// The time by which the database work of the request this thread serves must end, when one is set.
// Registration sets it (DB_DEADLINE_MS from its start); the store ends a round trip to the database
// at the earlier of this and its own per-statement deadline (store/deadline.hpp), and a batch's writer
// works to the earliest of its members' (app/group_commit.hpp). So a registration waits on the
// database at most that long, however many statements, queues and batches it goes through. Other
// requests are bounded per round trip only: an organiser's change of a million seats is many
// statements, each of them progressing. Nothing here does I/O.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>

namespace convene {

class RequestDeadline {
 public:
  using Time = std::chrono::steady_clock::time_point;

  // Sets the deadline of this thread for the scope's lifetime (an earlier one already set stays).
  explicit RequestDeadline(Time at) : previous_(current_) { current_ = current_ ? std::min(*current_, at) : at; }
  ~RequestDeadline() { current_ = previous_; }
  RequestDeadline(const RequestDeadline&) = delete;
  RequestDeadline& operator=(const RequestDeadline&) = delete;

  static std::optional<Time> current() { return current_; }

 private:
  std::optional<Time> previous_;
  static inline thread_local std::optional<Time> current_;
};

}  // namespace convene
