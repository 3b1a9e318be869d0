// PostgreSQL stops and starts while the server runs: requests get 503 with Retry-After promptly,
// the server heals by itself, and nothing that got a 201 is lost.
//
// Not the common fixture (support/service_suite.hpp): the one case decides whether it can run (the
// embedded cluster must be ours to stop) before any service is started.
#include <gtest/gtest.h>

#include <thread>

#include "support/harness.hpp"

namespace convene::testing {
namespace {

TEST(DatabaseOutage, FiveOhThreeWhileAwayThenRecoversWithNothingLost) {
  if (!pg_control()) GTEST_SKIP() << "needs the embedded PostgreSQL (DATABASE_URL points elsewhere)";
  Service service("convene_it_outage");
  Client client = service.client();
  const std::string path = "/api/v1/events/south-south-2021/registrations";
  std::vector<std::string> accepted;
  auto register_one = [&](const std::string& tag) {
    auto reply = client.post(path, {{"email", unique_email(tag)}, {"name", "Outage " + tag}, {"consent", true}});
    if (reply.status == 201) accepted.push_back(reply.json()["manage_token"]);
    return reply;
  };
  ASSERT_EQ(register_one("before").status, 201);

  control_postgres("stop");
  struct Restart {
    ~Restart() { control_postgres("start"); }  // whatever happens below, leave the cluster running
  } restart_guard;

  for (int i = 0; i < 3; ++i) {
    const auto started = std::chrono::steady_clock::now();
    auto reply = register_one("during" + std::to_string(i));
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(reply.status, 503) << reply.body;
    EXPECT_FALSE(reply.header("Retry-After").empty());
    EXPECT_EQ(reply.header("Content-Type"), "application/problem+json");
    EXPECT_LT(took, std::chrono::seconds(5));
  }
  EXPECT_EQ(client.get("/readyz").status, 503);
  EXPECT_EQ(client.get("/healthz").status, 200);

  control_postgres("start");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    status = register_one("after").status;
    if (status == 201) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(status, 201) << "the server did not recover after PostgreSQL came back";
  EXPECT_EQ(client.get("/readyz").status, 200);
  for (const auto& token : accepted) EXPECT_EQ(client.get("/api/v1/registrations/" + token).status, 200);
}

}  // namespace
}  // namespace convene::testing
