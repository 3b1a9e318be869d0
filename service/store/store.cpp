#include "store/store.hpp"

#include <optional>

#include "store/deadline.hpp"
#include "store/migrations.hpp"
#include "store/pool.hpp"
#include "store/sql.hpp"

namespace convene::store {
namespace {

const Statement kServerSecret{"server_secret", "SELECT encode(value, 'hex') AS value FROM server_secrets WHERE name = $1"};

// 57014: a statement ran into statement_timeout (or was cancelled).
constexpr std::string_view kStatementTimedOut = "57014";

bool means_database_unavailable(const std::string& sqlstate) {
  // 08: connection exception; 57P0x: the server is shutting down or starting; 53300: too many
  // connections; and a statement that ran out of time.
  return sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P0", 0) == 0 || sqlstate == kStatementTimedOut ||
         sqlstate == "53300";
}

// Rethrows the current exception, as DatabaseUnavailable when it means the database is away.
[[noreturn]] void translate_failure(Pool::Lease& lease) {
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    // The connection broke with a statement or a commit in flight: it may have taken effect.
    lease.discard();
    throw DatabaseUnavailable(e.what(), true);
  } catch (const pqxx::in_doubt_error& e) {
    // The commit may or may not have happened (seen during PostgreSQL's fast shutdown).
    lease.discard();
    throw DatabaseUnavailable(e.what(), true);
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == kStatementTimedOut) throw DatabaseTimeout(e.what());  // the connection is fine
    if (means_database_unavailable(e.sqlstate())) {
      lease.discard();
      throw DatabaseUnavailable(e.what());
    }
    throw;
  }
}

void prepare_statements(pqxx::connection& connection) {
  for (const Statement* statement : all_statements()) connection.prepare(statement->name(), statement->sql());
}

// Reports the changes of one attempt when it goes out of scope, after its transaction has ended.
struct ChangeReport {
  const Store::RegistrationsChanged& report;
  std::vector<std::int64_t> ids = {};
  ~ChangeReport() {
    if (!ids.empty() && report) report(ids);
  }
};

}  // namespace

Store::Store(PoolOptions options)
    : pool_(std::make_unique<Pool>(options, prepare_statements)),
      deadline_(std::make_unique<Deadline>(options.url, options.deadline)) {}

Store::~Store() = default;

void Store::run_work(Mode mode, const std::function<bool(Tx&)>& work) {
  for (int attempt_number = 1;; ++attempt_number) {
    auto lease = pool_->acquire();
    ChangeReport changes{registrations_changed_};
    bool deadline_passed = false;
    bool rollback_failed = false;
    // The transaction's own round trips (BEGIN, COMMIT, ROLLBACK) under the deadline as well.
    auto watched = [&](auto&& send, Deadline::Bound bound = Deadline::Bound::request) {
      auto watch = deadline_->watch(*lease, deadline_passed, bound);
      send();
      watch.finish();
    };
    try {
      if (mode == Mode::transaction) {
        std::optional<pqxx::work> tx;
        watched([&] { tx.emplace(*lease); });
        try {
          Tx handle(*tx, changes.ids, *deadline_, deadline_passed);
          const bool commit = work(handle);
          watched([&] { commit ? tx->commit() : tx->abort(); });
        } catch (...) {
          // Roll back here, under the deadline, rather than in the destructor, unwatched. Even a
          // request out of time gets its statement's limit for it; a failure leaves the connection
          // unusable, and the first exception is the one to report.
          if (!deadline_passed) {
            try {
              watched([&] { tx->abort(); }, Deadline::Bound::statement);
            } catch (...) {
              rollback_failed = true;
            }
          }
          throw;
        }
      } else {
        pqxx::nontransaction tx(*lease);
        Tx handle(tx, changes.ids, *deadline_, deadline_passed);
        work(handle);
        tx.commit();
      }
      return;
    } catch (const pqxx::transaction_rollback&) {
      // A deadlock or serialisation failure: nothing was committed; run the work again.
      if (attempt_number == 3) throw;
    } catch (...) {
      if (rollback_failed) lease.discard();
      if (deadline_passed) {
        // Whatever the call then threw (the cancel, the shut socket), the round trip outlived its
        // deadline, and a cancel may still be on its way to this connection: never reuse it.
        lease.discard();
        throw DeadlinePassed("the database did not answer within " + std::to_string(deadline_->limit().count()) +
                             " ms: a commit may have been made on the primary without its standby");
      }
      translate_failure(lease);
    }
  }
}

std::vector<int> Store::migrate() {
  auto lease = pool_->acquire();
  try {
    std::vector<int> applied;
    for (const Migration& migration : apply_migrations(*lease)) applied.push_back(migration.version);
    return applied;
  } catch (...) {
    translate_failure(lease);
  }
}

std::vector<int> Store::pending_migrations() {
  auto lease = pool_->acquire();
  try {
    return store::pending_migrations(*lease);
  } catch (...) {
    translate_failure(lease);
  }
}

void Store::verify_statements() {
  auto lease = pool_->acquire();
  for (const Statement* statement : all_statements()) {
    try {
      lease->prepare_now(statement->name());
    } catch (const pqxx::sql_error& e) {
      if (means_database_unavailable(e.sqlstate())) translate_failure(lease);
      throw std::runtime_error("the SQL statement " + statement->name() + " does not fit the database: " + e.what());
    } catch (...) {
      translate_failure(lease);
    }
  }
}

std::string Store::server_secret(std::string_view name) {
  return transact([&](Tx& tx) {
    const auto result = exec(tx, kServerSecret, std::string(name));
    if (result.empty()) throw std::runtime_error("server secret " + std::string(name) + " missing: run convene migrate");
    return bytes_from_hex(result[0]["value"].as<std::string>());
  });
}

Store::PoolFigures Store::pool_figures() const { return pool_->stats(); }

std::optional<std::string> statement_sql(std::string_view name) {
  for (const Statement* statement : all_statements()) {
    if (statement->name() == name) return statement->sql();
  }
  return std::nullopt;
}

}  // namespace convene::store
