// The store: the only code that speaks SQL, to one PostgreSQL database through a pool of connections.
//
// Work is done in a Tx, handed to a function by Store::transact (one transaction) or
// Store::autocommit (each statement on its own); the functions of the store's modules take that Tx:
//   store/events.hpp         events and their sessions
//   store/seats.hpp          capacity as rows: taking, freeing and moving seats
//   store/registrations.hpp  registrations and the tokens minted for them
//   store/outbox.hpp         messages to send, and what became of them
//   store/organiser_views.hpp  roster, export, statistics, deliveries, audit log
//   store/organisers.hpp     organisers and their rights
//   store/idempotency.hpp    Idempotency-Key records
// A database that cannot be reached becomes DatabaseUnavailable (convene/unavailable.hpp).
//
// Threads: one Store is shared by every thread of a process; transact and autocommit may be called
// from any thread at once (each takes its own connection from the pool). A Tx belongs to the thread
// that was handed it and lives only during that call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "convene/unavailable.hpp"

namespace pqxx {
class transaction_base;
}

namespace convene::store {

struct PoolOptions {
  std::string url;  // libpq URI or key=value string
  std::size_t size = 16;
  std::chrono::milliseconds acquire_timeout{3000};    // waiting for a free connection
  // The longest a statement or commit may keep a request waiting (store/deadline.hpp): convene cancels
  // it then. PostgreSQL's own statement_timeout is a second shorter, so that a statement that is
  // merely slow ends with nothing changed (DatabaseTimeout) before convene has to cut it.
  std::chrono::milliseconds deadline{6000};
  std::chrono::seconds connect_timeout{3};
};

class Deadline;

// Statements run on one connection, in a transaction or one by one; see Store.
class Tx {
 public:
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;

  // Records that this work may change what `registration_id`'s invite shows (see
  // Store::on_registrations_changed). The store's modules call it; so may use cases.
  void changed(std::int64_t registration_id) { changed_.push_back(registration_id); }

 private:
  friend class Store;
  friend pqxx::transaction_base& sql(Tx& tx);  // for the store's modules only (store/sql.hpp)
  friend class RoundTrip;  // store/sql.hpp: each statement runs under the deadline
  Tx(pqxx::transaction_base& tx, std::vector<std::int64_t>& changed, Deadline& deadline, bool& deadline_passed)
      : tx_(tx), changed_(changed), deadline_(deadline), deadline_passed_(deadline_passed) {}
  pqxx::transaction_base& tx_;
  std::vector<std::int64_t>& changed_;
  Deadline& deadline_;
  bool& deadline_passed_;
};

class Pool;

class Store {
 public:
  explicit Store(PoolOptions options);
  ~Store();

  // Runs `work(tx)` in a read-committed transaction and commits it, unless `work` returns a
  // std::expected holding an error: then everything it wrote is rolled back. Transient conflicts
  // (deadlock, serialisation failure) run `work` again, at most three times in all.
  template <class Work>
  auto transact(Work&& work) {
    return run(Mode::transaction, std::forward<Work>(work));
  }

  // Runs `work(tx)` with every statement committing on its own: one round trip per statement, for
  // work that is a single statement (or whose statements are each safe alone).
  template <class Work>
  auto autocommit(Work&& work) {
    return run(Mode::autocommit, std::forward<Work>(work));
  }

  // Called with the ids of the registrations a piece of work changed (Tx::changed), after it
  // committed, rolled back or ended with an unknown outcome: a needless call costs a cache a miss,
  // a missing one would leave it a stale copy. Set it before serving.
  using RegistrationsChanged = std::function<void(const std::vector<std::int64_t>&)>;
  void on_registrations_changed(RegistrationsChanged report) { registrations_changed_ = std::move(report); }

  // Schema migrations (sql/NNN_name.sql, compiled in), applied in order, each once, whatever the
  // number of processes starting together. Returns the versions this call applied.
  std::vector<int> migrate();
  // Versions the binary knows and the database has not applied (empty when current).
  std::vector<int> pending_migrations();
  // Has the server prepare every statement now (libpqxx otherwise does it on first use), so that
  // one that does not fit the schema stops the process at start, not a request later. Call after
  // migrate; throws naming the statement.
  void verify_statements();

  // A secret every server of the installation shares (the cursor key, the token key).
  std::string server_secret(std::string_view name);

  struct PoolFigures {
    std::size_t open = 0;    // connections that exist
    std::size_t in_use = 0;  // of which lent out
    std::size_t size = 0;    // the most there may be
  };
  PoolFigures pool_figures() const;

 private:
  enum class Mode { transaction, autocommit };
  // Runs `work` (which says whether to commit) with retries; see transact.
  void run_work(Mode mode, const std::function<bool(Tx&)>& work);

  template <class Work>
  auto run(Mode mode, Work&& work) {
    using Result = std::invoke_result_t<Work&, Tx&>;
    if constexpr (std::is_void_v<Result>) {
      run_work(mode, [&](Tx& tx) {
        work(tx);
        return true;
      });
    } else {
      std::optional<Result> result;
      run_work(mode, [&](Tx& tx) {
        result.reset();
        result.emplace(work(tx));
        return succeeded(*result);
      });
      return std::move(*result);
    }
  }

  template <class T>
  static bool succeeded(const T& result) {
    if constexpr (requires { result.has_value(); typename T::error_type; }) return result.has_value();
    else return true;
  }

  std::unique_ptr<Pool> pool_;
  std::unique_ptr<Deadline> deadline_;
  RegistrationsChanged registrations_changed_;
};

// The SQL of a named statement (for `convene sql NAME`, which the benchmarks use to run exactly what
// the service runs); nullopt for an unknown name.
std::optional<std::string> statement_sql(std::string_view name);

}  // namespace convene::store
