// The store's SQL as a whole, on a migrated database: every named statement prepares, names are
// unique, and what the schema's functions say agrees with the core.
#include <gtest/gtest.h>

#include <set>

#include "store/audit.hpp"
#include "store/events.hpp"
#include "store/idempotency.hpp"
#include "store/organiser_views.hpp"
#include "store/organisers.hpp"
#include "store/outbox.hpp"
#include "store/registrations.hpp"
#include "store/seats.hpp"
#include "support/store_suite.hpp"

namespace convene::testing {
namespace {

// Statements register themselves when their module is linked in, and a static library's module is
// linked only when something uses it: one function of every module, so that all of them are here.
[[maybe_unused]] const void* const kEveryModule[] = {
    reinterpret_cast<const void*>(&store::audit::write),
    reinterpret_cast<const void*>(&store::events::listed),
    reinterpret_cast<const void*>(&store::idempotency::purge),
    reinterpret_cast<const void*>(&store::organiser_views::stats),
    reinterpret_cast<const void*>(&store::organisers::revoke),
    reinterpret_cast<const void*>(&store::outbox::depth),
    reinterpret_cast<const void*>(&store::registrations::erase),
    reinterpret_cast<const void*>(&store::seats::shrink),
    reinterpret_cast<const void*>(&store::statement_sql),
};

using StoreStatements = StoreSuite<"convene_st_statements">;

// libpqxx 6 prepares a statement when it is first used, not when the connection registers it: one
// that no longer fits the schema would fail only on the path that runs it. Here each is prepared
// on the server at once.
TEST_F(StoreStatements, EveryStatementPreparesOnTheMigratedSchema) {
  const auto& statements = store::all_statements();
  // One statement of each module.
  for (const char* name : {"audit", "event_by_slug", "claim_idempotency_key", "roster_page", "insert_organiser",
                           "claim_outbox", "insert_registration", "add_seats", "server_secret"})
    ASSERT_TRUE(store::statement_sql(name)) << name << ": a module of the store is not linked into this test";
  pqxx::connection connection = connect();
  std::set<std::string> names;
  for (const store::Statement* statement : statements) {
    SCOPED_TRACE(statement->name());
    EXPECT_TRUE(names.insert(statement->name()).second) << "two statements are named " << statement->name();
    EXPECT_EQ(store::statement_sql(statement->name()), statement->sql());
    try {
      connection.prepare(statement->name(), statement->sql());
      connection.prepare_now(statement->name());
    } catch (const pqxx::sql_error& e) {
      ADD_FAILURE() << e.what() << "\n" << statement->sql();
    }
  }
  EXPECT_FALSE(store::statement_sql("no_such_statement"));
  std::printf("%zu statements checked\n", statements.size());
}

// is_active (include/convene/registration.hpp) and convene_is_active (sql/010), which the outbox and
// the statistics use, say the same of every status.
TEST_F(StoreStatements, TheDatabaseAndTheCoreAgreeOnWhichRegistrationsAreActive) {
  for (const RegistrationStatus status : kRegistrationStatusNames.values()) {
    const std::string name(to_string(status));
    const bool in_sql =
        store->autocommit([&](store::Tx& tx) { return scalar(tx, "SELECT convene_is_active($1)::int", name) == 1; });
    EXPECT_EQ(in_sql, is_active(status)) << name;
  }
}

}  // namespace
}  // namespace convene::testing
