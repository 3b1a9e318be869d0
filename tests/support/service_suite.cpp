#include "support/service_suite.hpp"

namespace convene::testing {
::testing::AssertionResult create_event(Client& client, const std::string& token, const nlohmann::json& body) {
  const auto reply = client.post("/api/v1/events", body, bearer(token));
  if (reply.status == 201) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "creating event " << body.value("slug", "?") << " answered "
                                       << reply.status << ": " << reply.body;
}

::testing::AssertionResult create_event(Service& service, const nlohmann::json& body) {
  Client client = service.client();
  return create_event(client, service.admin_token(), body);
}

int backends_waiting_on_locks(Service& service) {
  auto connection = service.connect();
  pqxx::read_transaction tx(connection);
  return tx.exec1("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                  "AND wait_event_type = 'Lock'")[0].as<int>();
}

void end_sessions_waiting_on_locks(Service& service) {
  auto connection = service.connect();
  pqxx::nontransaction tx(connection);
  tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
          "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
}

void hold_addresses(pqxx::work& tx, const std::string& slug, const std::vector<std::string>& emails) {
  for (const std::string& email : emails)
    tx.exec_params(
        "INSERT INTO registrations (event_id, email, name, timezone, language, consent_at, status, manage_token_hash) "
        "SELECT id, $2, 'Holder', 'UTC', 'en', now(), 'waitlisted', sha256(convert_to($2, 'UTF8')) "
        "FROM events WHERE slug = $1",
        slug, email);
}

nlohmann::json register_attendee(Client& client, const std::string& slug, const nlohmann::json& body,
                                 const httplib::Headers& headers) {
  const auto reply = client.post("/api/v1/events/" + slug + "/registrations", body, headers);
  EXPECT_EQ(reply.status, 201) << reply.body;
  return reply.status == 201 ? reply.json() : nlohmann::json::object();
}

}  // namespace convene::testing
