// The integration fixture: one whole service (its own database, migrated and seeded, and a server
// on it) shared by every case of a suite, and the requests that suites make the same way.
//
//   using Events = ServiceSuite<"convene_it_events">;               // nothing more than the service
//
//   class Capacity : public ServiceSuite<"convene_it_capacity"> {   // a suite with helpers of its own
//     ...
//   };
//
//   class Idempotency : public ServiceSuite<"convene_it_idempotency"> {  // more environment
//    public:
//     static void SetUpTestSuite() { start({{"WORKER_PLAN_SECONDS", "1"}}); }
//   };
//
// The template argument is the suite's database (dropped and created afresh when the suite starts);
// each database name is its own class, so each suite has its own service. A suite that needs more
// around its service (an SMTP server, events every case shares) defines SetUpTestSuite and
// TearDownTestSuite and calls start() and stop() from them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/harness.hpp"

namespace convene::testing {

using Environment = std::map<std::string, std::string>;

// --- Requests every suite makes -------------------------------------------------------------------

// POST /api/v1/events through `client` with `token`'s rights. Fails (showing the reply) unless the
// event was created: ASSERT_TRUE(create_event(...)) where a case cannot go on without it.
[[nodiscard]] ::testing::AssertionResult create_event(Client& client, const std::string& token,
                                                      const nlohmann::json& body);
// The same as the service's admin, through its own server.
[[nodiscard]] ::testing::AssertionResult create_event(Service& service, const nlohmann::json& body);

// POST /api/v1/events/{slug}/registrations. Adds a failure (showing the reply) unless it answered
// 201; returns the registration document (an empty object when there was none).
nlohmann::json register_attendee(Client& client, const std::string& slug, const nlohmann::json& body,
                                 const httplib::Headers& headers = {});

// Database sessions of the service's database waiting for a lock.
int backends_waiting_on_locks(Service& service);
// Ends those sessions, as a restart or failover of PostgreSQL would.
void end_sessions_waiting_on_locks(Service& service);
// Writes registrations of `emails` for the event `slug` in `tx`, not committed: until `tx` ends, a
// registration of one of those addresses waits for it (and is refused if it commits).
void hold_addresses(pqxx::work& tx, const std::string& slug, const std::vector<std::string>& emails);

// --- The fixture ------------------------------------------------------------------------------------

template <DatabaseName Database>
class ServiceSuite : public ::testing::Test {
 public:
  static void SetUpTestSuite() { start(); }
  static void TearDownTestSuite() { stop(); }

 protected:
  // Starts the suite's service with `environment` added to the one every service gets.
  static void start(Environment environment = {}) { service = new Service(Database.name, std::move(environment)); }
  static void stop() {
    delete service;
    service = nullptr;
  }

  static inline Service* service = nullptr;

  // A client of the service's server (of nothing, in a suite that started no service: see TzRefresh).
  Client client{service != nullptr ? service->server().port() : 0};

  httplib::Headers admin() { return bearer(service->admin_token()); }
  [[nodiscard]] ::testing::AssertionResult create_event(const nlohmann::json& body) {
    return testing::create_event(client, service->admin_token(), body);
  }
  nlohmann::json register_attendee(const std::string& slug, const nlohmann::json& body,
                                   const httplib::Headers& headers = {}) {
    return testing::register_attendee(client, slug, body, headers);
  }
};

}  // namespace convene::testing
