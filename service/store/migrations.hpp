// Schema migrations: sql/NNN_name.sql, compiled into the binary, applied in order. Internal to the
// store (Store::migrate and Store::pending_migrations use them).
#pragma once

#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>

namespace convene::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

const std::vector<Migration>& embedded_migrations();  // generated at build time, in order

// Applies every pending migration, each in its own transaction and recorded in schema_migrations.
// Safe when several processes start at once: they queue on an advisory lock, and each re-reads what
// is applied after taking it. Returns the migrations this call applied. `last_version` stops after
// that migration (tests build the schema of an older release that way).
std::vector<Migration> apply_migrations(pqxx::connection& connection,
                                        int last_version = std::numeric_limits<int>::max());

// Versions the binary knows but the database has not applied (empty when current).
std::vector<int> pending_migrations(pqxx::connection& connection);

}  // namespace convene::store
