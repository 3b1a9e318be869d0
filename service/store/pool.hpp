// A fixed-size pool of PostgreSQL connections that survives the database going away.
//
// Connections are opened on demand and dropped as soon as one breaks, so when PostgreSQL restarts the
// pool heals by itself: the first requests after the outage open fresh connections. While the
// database is unreachable, acquire() fails fast with DatabaseUnavailable (the HTTP edge answers 503
// with Retry-After) rather than letting requests hang.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace convene::store {

// The database cannot be reached, is shutting down, or did not answer in time. Safe to retry; when
// the connection broke after a change was sent (`outcome_unknown`), the change may have been
// committed, so a retry should carry the same Idempotency-Key.
class DatabaseUnavailable : public std::runtime_error {
 public:
  explicit DatabaseUnavailable(const std::string& what, bool outcome_unknown = false)
      : std::runtime_error(what), outcome_unknown_(outcome_unknown) {}
  bool outcome_unknown() const { return outcome_unknown_; }

 private:
  bool outcome_unknown_;
};

struct PoolOptions {
  std::string url;  // libpq URI or key=value string
  std::size_t size = 16;
  std::chrono::milliseconds acquire_timeout{3000};    // waiting for a free connection
  std::chrono::milliseconds statement_timeout{5000};  // server-side limit on every statement
  std::chrono::seconds connect_timeout{3};
};

class Pool {
 public:
  using Setup = std::function<void(pqxx::connection&)>;  // prepares statements on a new connection

  Pool(PoolOptions options, Setup setup);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<pqxx::connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& operator*() { return *connection_; }
    pqxx::connection* operator->() { return connection_.get(); }
    // The connection is broken or in an unknown state: close it instead of returning it.
    void discard() { connection_.reset(); }

   private:
    Pool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
  };

  Lease acquire();

  struct Stats {
    std::size_t open = 0;    // connections that exist
    std::size_t in_use = 0;  // of which leased out
    std::size_t size = 0;    // the most there may be
  };
  Stats stats() const;

 private:
  void give_back(std::unique_ptr<pqxx::connection> connection);
  std::unique_ptr<pqxx::connection> connect();

  PoolOptions options_;
  Setup setup_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_ = 0;  // idle + leased + being opened
};

}  // namespace convene::store
