// The fixtures of the store's and the use cases' tests (tests/store, tests/app): a real PostgreSQL,
// no HTTP and no server process.
//
//   using StoreSeats = StoreSuite<"convene_st_seats">;        // a store on a database of its own
//   using AppEvents = AppSuite<"convene_app_events">;         // and a use-case context on it
//
// Each suite gets a fresh database, migrated by store::Store::migrate(), and a Store on it, which its
// cases share: a case makes the events it needs, under slugs of its own. The template argument is
// the database's name (in the server CONVENE_TEST_DATABASE_URL names, as for the integration suites).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "app/context.hpp"
#include "app/events.hpp"
#include "app/organisers.hpp"
#include "app/registrations.hpp"
#include "convene/event.hpp"
#include "convene/registration.hpp"
#include "store/registrations.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "support/harness.hpp"

namespace convene::testing {

// An instant, from its UTC date and time.
Instant utc_instant(int year, unsigned month, unsigned day, int hour = 0, int minute = 0);

// --- The store ----------------------------------------------------------------------------------------

// A published event in UTC with `capacity` seats, open for registration until an organiser closes it.
Event event_named(const std::string& slug, int capacity);
// Inserts `event` with its seats (as creating an event does) and returns it with its id and version.
Event insert_event(store::Tx& tx, Event event);

// A registrant's request, as parse_registration_request reads it (`more` adds fields).
RegistrationRequest registration_request(const std::string& email,
                                         const nlohmann::json& more = nlohmann::json::object());

// store::registrations::insert of `email` for `event` (`more`: other fields of the request), searching
// for a seat from seat 1; the manage token's hash is sha256("manage " + email).
store::registrations::Inserted insert_registration(
    store::Tx& tx, const Event& event, const std::string& email, Instant now,
    store::registrations::Waitlisting waitlisting = store::registrations::Waitlisting::allowed,
    const nlohmann::json& more = nlohmann::json::object());

// A number from SQL in the work's transaction (a count, a flag): the first column of the one row.
template <class... Args>
long long scalar(store::Tx& tx, const std::string& text, Args&&... args) {
  return store::sql(tx).exec_params1(text, std::forward<Args>(args)...)[0].template as<long long>();
}

template <DatabaseName Database>
class StoreSuite : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    url = fresh_database(Database.name);
    store = new store::Store(store::PoolOptions{url, 4});
    store->migrate();
  }
  static void TearDownTestSuite() {
    delete store;
    store = nullptr;
  }

 protected:
  static inline std::string url;
  static inline store::Store* store = nullptr;

  // A connection of its own, outside the store (to look at rows the store committed).
  static pqxx::connection connect() { return pqxx::connection(url); }
};

// --- The use cases ------------------------------------------------------------------------------------

// The configuration the use cases get in tests: the defaults, with a base URL.
app::Config test_config();

template <DatabaseName Database>
class AppSuite : public StoreSuite<Database> {
  using Base = StoreSuite<Database>;

 public:
  // An organiser with rights on every event (app::add_organiser, as `convene organiser add --all`).
  static void SetUpTestSuite() {
    Base::SetUpTestSuite();
    admin_token = app::add_organiser(*Base::store, "admin@example.org", std::nullopt);
  }

 protected:
  static inline std::string admin_token;

  // The time the use cases see: fixed, moved by the case when it needs time to pass.
  Instant now = utc_instant(2030, 1, 15, 12);
  app::Config config = test_config();
  app::Context context{*Base::store, config, [this] { return now; },
                       CursorCodec(Base::store->server_secret("cursor")),
                       app::TokenMinter(Base::store->server_secret("tokens"))};

  static app::OrganiserCredentials admin() { return app::OrganiserCredentials{admin_token, std::nullopt}; }

  // Another context on the suite's store, with a configuration of its own (its own rate limits, say).
  std::unique_ptr<app::Context> context_with(const app::Config& other) {
    return std::unique_ptr<app::Context>(new app::Context{*Base::store, other, [this] { return now; },
                                                          CursorCodec(Base::store->server_secret("cursor")),
                                                          app::TokenMinter(Base::store->server_secret("tokens"))});
  }

  // POST /api/v1/events as the admin.
  app::Result<> create_event(const nlohmann::json& body) { return app::create_event(context, admin(), body); }

  // POST /api/v1/events/{slug}/registrations from `client`, with an Idempotency-Key if given, through
  // `in` (the suite's context unless another is given).
  app::Result<> register_attendee(const std::string& slug, const nlohmann::json& body,
                                  std::optional<std::string> key = std::nullopt,
                                  const std::string& client = "192.0.2.1", app::Context* in = nullptr) {
    const std::string raw = body.dump();
    std::optional<std::string_view> key_view;
    if (key) key_view = *key;
    return app::register_attendee(in != nullptr ? *in : context, {slug, body, raw, key_view, client});
  }
};

// What a use case answered, for a failing assertion's message: its document or its problem.
std::string describe(const app::Result<>& result);
// The JSON of a use case's document (an empty object when it answered a problem).
nlohmann::json json_of(const app::Result<>& result);

}  // namespace convene::testing
