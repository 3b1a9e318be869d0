// Migrations: recorded, idempotent, safe when several processes start at once.
//
// Not the common fixture (support/service_suite.hpp): these cases need databases that are not yet
// migrated, and most of them no server at all.
#include <gtest/gtest.h>

#include <future>

#include "store/migrations.hpp"
#include "support/harness.hpp"

namespace convene::testing {
namespace {

TEST(Migrations, ConcurrentMigratorsApplyEachMigrationOnce) {
  const std::string url = fresh_database("convene_it_migrations");
  const std::map<std::string, std::string> env{{"DATABASE_URL", url}};
  std::vector<std::future<CommandResult>> runs;
  for (int i = 0; i < 4; ++i) runs.push_back(std::async(std::launch::async, [&] { return run_convene({"migrate"}, env); }));
  for (auto& run : runs) EXPECT_EQ(run.get().status, 0);
  pqxx::connection connection(url);
  pqxx::read_transaction tx(connection);
  const auto versions = tx.exec("SELECT version FROM schema_migrations ORDER BY version");
  ASSERT_GE(versions.size(), 1u);
  for (std::size_t i = 0; i < versions.size(); ++i) EXPECT_EQ(versions[i][0].as<int>(), static_cast<int>(i) + 1);
  // One of each key (cursors, tokens), however many migrators ran.
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM server_secrets")[0].as<int>(), 2);
  EXPECT_EQ(tx.exec1("SELECT count(DISTINCT name) FROM server_secrets")[0].as<int>(), 2);
}

TEST(Migrations, MigrateAndSeedAreIdempotent) {
  const std::string url = fresh_database("convene_it_migrations_twice");
  const std::map<std::string, std::string> env{{"DATABASE_URL", url}};
  const std::string seed = std::string(CONVENE_SOURCE_DIR) + "/seed/south-south-2021.json";
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(run_convene({"migrate"}, env).status, 0);
    EXPECT_EQ(run_convene({"seed", seed}, env).status, 0);
  }
  pqxx::connection connection(url);
  pqxx::read_transaction tx(connection);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM events")[0].as<int>(), 1);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM sessions")[0].as<int>(), 1);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM free_seats")[0].as<int>(), 1000);
}

TEST(Migrations, ReadinessIsFalseWhileAMigrationIsPending) {
  const std::string url = fresh_database("convene_it_migrations_ready");
  const std::map<std::string, std::string> env{{"DATABASE_URL", url}};
  ServerProcess server(env);  // serve migrates at start
  Client client(server.port());
  EXPECT_EQ(client.get("/readyz").status, 200);
  pqxx::connection connection(url);
  pqxx::work tx(connection);
  const int latest = tx.exec1("SELECT max(version) FROM schema_migrations")[0].as<int>();
  tx.exec_params("DELETE FROM schema_migrations WHERE version = $1", latest);
  tx.commit();
  auto pending = client.get("/readyz");
  EXPECT_EQ(pending.status, 503);
  EXPECT_EQ(pending.json()["pending_migrations"], nlohmann::json::array({latest}));
  pqxx::work restore(connection);
  restore.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, 'restored')", latest);
  restore.commit();
  EXPECT_EQ(client.get("/readyz").status, 200);
}

// Migrations 014 and 016 on a database that already holds registrations: the rows written before
// them are found by the roster's search afterwards (016 indexes them as it migrates), and 007's three
// indexes give way to one, on registration_search.
TEST(Migrations, RowsWrittenBeforeTheSearchIndexAreFoundAfterIt) {
  const std::string url = fresh_database("convene_it_migrations_search_text");
  const std::map<std::string, std::string> env{{"DATABASE_URL", url}};
  {
    pqxx::connection connection(url);
    store::apply_migrations(connection, 13);  // the schema of the release before 014
    pqxx::work tx(connection);
    tx.exec(R"sql(
      INSERT INTO events (slug, title, timezone, capacity, registration_closes)
      VALUES ('before-014', 'Before 014', 'UTC', 10, 'never');
      INSERT INTO registrations (event_id, email, name, organisation, timezone, language, consent_at, status,
                                 seat_no, manage_token_hash)
      SELECT e.id, p.email, p.name, p.organisation, 'UTC', 'en', now(), 'confirmed', p.seat, sha256(p.email::bytea)
      FROM events e, (VALUES ('maria@before.example', 'Ana', 'Luz Ltd', 1),
                             ('jose@before.example', 'José Núñez', NULL, 2)) p (email, name, organisation, seat)
      WHERE e.slug = 'before-014')sql");
    tx.commit();
  }
  const auto migrated = run_convene({"migrate"}, env);
  ASSERT_EQ(migrated.status, 0) << migrated.transcript();
  {
    pqxx::connection connection(url);
    pqxx::read_transaction tx(connection);
    const auto indexes = tx.exec(
        "SELECT tablename || '.' || indexname FROM pg_indexes WHERE indexname LIKE '%trigrams' ORDER BY 1");
    ASSERT_EQ(indexes.size(), 1u);
    EXPECT_EQ(indexes[0][0].as<std::string>(), "registration_search.registration_search_trigrams");
    EXPECT_EQ(tx.exec("SELECT count(*) FROM registration_search_backlog")[0][0].as<int>(), 0);
  }
  const auto added = run_convene({"organiser", "add", "--email", "admin@example.org", "--all"}, env);
  ASSERT_EQ(added.status, 0) << added.transcript();
  std::string token = added.out;
  while (!token.empty() && token.back() == '\n') token.pop_back();
  token = token.substr(token.rfind('\n') == std::string::npos ? 0 : token.rfind('\n') + 1);
  ServerProcess server(env);
  Client client(server.port());
  const auto names = [&](const std::string& query) {
    std::vector<std::string> found;
    auto reply = client.get("/api/v1/events/before-014/registrations?q=" + query, bearer(token));
    EXPECT_EQ(reply.status, 200) << reply.body;
    for (const auto& item : reply.json()["items"]) found.push_back(item["name"]);
    return found;
  };
  EXPECT_EQ(names("nunez"), std::vector<std::string>{"José Núñez"});
  EXPECT_EQ(names("LUZ"), std::vector<std::string>{"Ana"});
  EXPECT_EQ(names("maria%40before"), std::vector<std::string>{"Ana"});
  EXPECT_TRUE(names("anamaria").empty());
  EXPECT_TRUE(names("ana%0Amaria").empty());  // a line break, which separates the fields
}

TEST(Migrations, HelpAndUnknownCommands) {
  auto help = run_convene({"--help"}, {});
  EXPECT_EQ(help.status, 0);
  for (const char* word : {"serve", "migrate", "organiser add", "DATABASE_URL", "BASE_URL", "SMTP_URL", "SPOOL_DIR"})
    EXPECT_NE(help.out.find(word), std::string::npos) << word;
  EXPECT_EQ(run_convene({"bogus"}, {}).status, 2);
}

}  // namespace
}  // namespace convene::testing
