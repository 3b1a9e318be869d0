// A fixed-size pool of PostgreSQL connections that survives the database going away. Internal to the
// store; shared by every thread of the process (acquire and give back are safe from any thread).
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

#include "store/store.hpp"

namespace convene::store {

// PostgreSQL's statement_timeout on the pool's connections: a second inside the deadline (at most half
// of a short one).
std::chrono::milliseconds statement_timeout(const PoolOptions& options);

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

  using Stats = Store::PoolFigures;
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
