#include "store/pool.hpp"

#include <algorithm>
#include <cstdlib>

#include <pqxx/except>
#include <pqxx/nontransaction>

namespace convene::store {

std::chrono::milliseconds statement_timeout(const PoolOptions& options) {
  using std::chrono::milliseconds;
  return std::max(options.deadline - milliseconds(1000), options.deadline / 2);
}

Pool::Pool(PoolOptions options, Setup setup) : options_(std::move(options)), setup_(std::move(setup)) {
  // libpq waits for ever on an unanswered connect unless told otherwise; a connect_timeout in the
  // URL still wins over this default.
  setenv("PGCONNECT_TIMEOUT", std::to_string(options_.connect_timeout.count()).c_str(), 0);
}

Pool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->give_back(std::move(connection_));
}

std::unique_ptr<pqxx::connection> Pool::connect() {
  try {
    auto connection = std::make_unique<pqxx::connection>(options_.url);
    pqxx::nontransaction setup(*connection);
    setup.exec("SET TIME ZONE 'UTC'; SET statement_timeout = " + std::to_string(statement_timeout(options_).count()) +
               "; SET idle_in_transaction_session_timeout = 60000"
               // The service's statements are short; compiling one (JIT) costs more than running it:
               // a generic plan of the batch insert, costed for thousands of rows, took 46 ms to
               // compile for a 0.5 ms run.
               "; SET jit = off");
    setup.commit();
    setup_(*connection);
    return connection;
  } catch (const pqxx::broken_connection& e) {
    throw DatabaseUnavailable(std::string("cannot connect to PostgreSQL: ") + e.what());
  }
}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  while (idle_.empty() && open_ >= options_.size) {
    if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.size) {
      throw DatabaseUnavailable("all database connections are busy");
    }
  }
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection));
  }
  ++open_;  // reserve the slot, then connect without holding the lock
  lock.unlock();
  try {
    return Lease(*this, connect());
  } catch (...) {
    lock.lock();
    --open_;
    available_.notify_one();
    throw;
  }
}

void Pool::give_back(std::unique_ptr<pqxx::connection> connection) {
  std::lock_guard lock(mutex_);
  if (connection && connection->is_open()) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
  available_.notify_one();
}

Pool::Stats Pool::stats() const {
  std::lock_guard lock(mutex_);
  return Stats{open_, open_ - idle_.size(), options_.size};
}

}  // namespace convene::store
