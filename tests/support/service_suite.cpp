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

nlohmann::json register_attendee(Client& client, const std::string& slug, const nlohmann::json& body,
                                 const httplib::Headers& headers) {
  const auto reply = client.post("/api/v1/events/" + slug + "/registrations", body, headers);
  EXPECT_EQ(reply.status, 201) << reply.body;
  return reply.status == 201 ? reply.json() : nlohmann::json::object();
}

}  // namespace convene::testing
