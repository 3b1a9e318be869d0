// convene's own deadline on every statement and commit it sends to PostgreSQL. Internal to the store.
//
// PostgreSQL's statement_timeout ends a statement that runs too long, but two waits escape it: a
// COMMIT waiting for a synchronous standby to confirm (PostgreSQL stops the statement timer before
// that wait, so with the standby gone it waits for ever), and a server or network gone silent
// (nothing answers, so nothing on the server side times out). The Deadline watches each round trip:
// one still waiting when its time is up is cancelled with pg_cancel_backend, sent from a connection
// of its own to the same server (a cancelled commit stops waiting for the standby: it is then
// committed on the primary alone); one still waiting a second later has its socket shut, so that
// the waiting thread returns at once however silent the server. Either way the Store answers
// DeadlinePassed, whose outcome is unknown, and never uses the connection again.
//
// Threads: one Deadline per Store, shared by every thread; watch() may be called from any thread.
// A Watch belongs to the thread that made it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <future>
#include <thread>
#include <vector>

#include "convene/unavailable.hpp"

namespace pqxx {
class connection_base;
}

namespace convene::store {

// A statement or commit was still waiting at the deadline; it may have taken effect.
class DeadlinePassed : public DatabaseUnavailable {
 public:
  explicit DeadlinePassed(const std::string& what) : DatabaseUnavailable(what, true) {}
};

class Deadline {
 public:
  // `url`: the pool's DATABASE_URL (its settings, such as the user and password, are used for the
  // cancelling connection, with the host and port of the connection being cancelled).
  Deadline(std::string url, std::chrono::milliseconds limit);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  std::chrono::milliseconds limit() const { return limit_; }

  // Watches one round trip on `connection`, from now until finish() or destruction, due at the
  // earlier of `limit` from now and the thread's RequestDeadline (convene/request_deadline.hpp); if
  // that passed meanwhile, sets `passed` (which the Store reads to discard the connection, whatever
  // the round trip then threw). Throws DatabaseTimeout, sending nothing, when the request's
  // deadline has already passed.
  class Watch {
   public:
    Watch(Watch&& other) noexcept : deadline_(other.deadline_), id_(other.id_), passed_(other.passed_) {
      other.deadline_ = nullptr;
    }
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    Watch& operator=(Watch&&) = delete;
    ~Watch() { stop(); }
    // Ends the watch after the round trip returned; throws if the deadline passed (a commit
    // cancelled in its wait for a standby reports success, yet only the primary has it).
    void finish();

   private:
    friend class Deadline;
    Watch(Deadline& deadline, std::uint64_t id, bool& passed) : deadline_(&deadline), id_(id), passed_(&passed) {}
    void stop() noexcept;
    Deadline* deadline_;
    std::uint64_t id_;
    bool* passed_;
  };
  enum class Bound {
    request,    // the earlier of the limit and the thread's RequestDeadline
    statement,  // the limit alone (a rollback, which must be sent even for a request out of time)
  };
  Watch watch(pqxx::connection_base& connection, bool& passed, Bound bound = Bound::request);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point due;  // cancel then; shut the socket kShutAfter later
    int socket;
    int backend_pid;
    std::string host, port;  // of the watched connection, for the cancelling one
    bool cancelled = false;
    bool shut = false;
  };
  void run();                           // the watching thread
  bool end(std::uint64_t id) noexcept;  // true: the deadline had passed

  const std::string url_;
  const std::chrono::milliseconds limit_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::uint64_t, Entry> entries_;
  std::uint64_t next_id_ = 0;
  std::chrono::steady_clock::time_point next_wake_ = std::chrono::steady_clock::time_point::max();
  bool stopping_ = false;
  std::thread thread_;
  std::vector<std::future<void>> cancels_;  // cancels sent by the watcher (its thread only)
};

// `url` (a libpq URI or key=value string) with its host list narrowed to one host and port, keeping
// its other settings (user, password, TLS...): the cancelling connection must reach the server the
// watched one is on, whichever of several hosts that is.
std::string conninfo_for_host(const std::string& url, const std::string& host, const std::string& port);

}  // namespace convene::store
