#include "store/migrations.hpp"

#include <set>

#include <pqxx/pqxx>

namespace convene::store {
namespace {

// pg_advisory_xact_lock key for "schema migration in progress" (arbitrary, fixed: 'conv' 'migr').
constexpr long long kMigrationLockKey = 0x636f6e76'6d696772LL;

constexpr const char* kCreateLedger = R"sql(
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  ))sql";

std::set<int> applied_versions(pqxx::transaction_base& tx) {
  std::set<int> versions;
  const auto exists = tx.exec("SELECT to_regclass('schema_migrations') IS NOT NULL")[0][0].as<bool>();
  if (!exists) return versions;
  for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) versions.insert(row[0].as<int>());
  return versions;
}

}  // namespace

std::vector<Migration> apply_migrations(pqxx::connection& connection, int last_version) {
  std::vector<Migration> applied;
  for (const Migration& migration : embedded_migrations()) {
    if (migration.version > last_version) break;
    pqxx::work tx(connection);
    // The pool's 5 s statement_timeout guards requests; a migration (or waiting for another
    // process's migration) may take longer, and must not fail half-way through a rollout for that.
    tx.exec("SET LOCAL statement_timeout = 0");
    tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
    tx.exec(kCreateLedger);
    if (applied_versions(tx).contains(migration.version)) continue;  // another process did it
    tx.exec(std::string(migration.sql));
    tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", migration.version,
                   std::string(migration.name));
    tx.commit();
    applied.push_back(migration);
  }
  return applied;
}

std::vector<int> pending_migrations(pqxx::connection& connection) {
  pqxx::read_transaction tx(connection);
  const std::set<int> done = applied_versions(tx);
  std::vector<int> pending;
  for (const Migration& migration : embedded_migrations()) {
    if (!done.contains(migration.version)) pending.push_back(migration.version);
  }
  return pending;
}

}  // namespace convene::store
