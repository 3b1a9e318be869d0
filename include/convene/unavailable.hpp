// The database could not be reached, is shutting down, or did not answer in time. Thrown by the
// store, answered by the HTTP edge with 503 and Retry-After (never a hang, never a 500). It lives in
// the core because every layer speaks of it; nothing here does I/O.
#pragma once

#include <stdexcept>
#include <string>

namespace convene {

class DatabaseUnavailable : public std::runtime_error {
 public:
  explicit DatabaseUnavailable(const std::string& what, bool outcome_unknown = false)
      : std::runtime_error(what), outcome_unknown_(outcome_unknown) {}
  // The connection broke after a change was sent: it may have been committed, so a retry should
  // carry the same Idempotency-Key to learn which.
  bool outcome_unknown() const { return outcome_unknown_; }

 private:
  bool outcome_unknown_;
};

// A statement ran into the statement timeout: the database is there but did not finish in time (a
// slow disk, a lock held long). Its transaction is rolled back, so nothing changed. Answered with 503
// as well, in words that do not call the database unreachable.
class DatabaseTimeout : public DatabaseUnavailable {
 public:
  explicit DatabaseTimeout(const std::string& what) : DatabaseUnavailable(what) {}
};

}  // namespace convene
