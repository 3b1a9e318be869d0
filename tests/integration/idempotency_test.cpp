// Idempotency-Key: a retry gets the first answer byte for byte, even when the two requests race;
// a key reused with another body is refused; stored answers reveal no manage token.
#include <gtest/gtest.h>

#include <thread>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

class Idempotency : public ServiceSuite<"convene_it_idempotency"> {
 public:
  // The planner (which also purges expired records) runs every second here.
  static void SetUpTestSuite() { start({{"WORKER_PLAN_SECONDS", "1"}}); }

 protected:
  const std::string path = "/api/v1/events/south-south-2021/registrations";

  std::string body_for(const std::string& email) {
    return nlohmann::json{{"email", email}, {"name", "Retry Person"}, {"consent", true}}.dump();
  }
};

TEST_F(Idempotency, RecordsOlderThanADayArePurged) {
  for (const char* key : {"purge-old", "purge-fresh"}) {
    ASSERT_EQ(client.send("POST", path, body_for(unique_email(key)), "application/json", {{"Idempotency-Key", key}}).status,
              201);
  }
  auto connection = service->connect();
  {
    pqxx::work tx(connection);
    // The newest record is the fresh one; age the one before it past 24 hours.
    tx.exec("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key_hash = "
            "(SELECT key_hash FROM idempotency_keys ORDER BY created_at DESC OFFSET 1 LIMIT 1)");
    tx.commit();
  }
  const auto count = [&](const char* condition) {
    pqxx::read_transaction tx(connection);
    return tx.exec1(std::string("SELECT count(*) FROM idempotency_keys WHERE ") + condition)[0].as<int>();
  };
  ASSERT_EQ(count("created_at < now() - interval '24 hours'"), 1);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (count("created_at < now() - interval '24 hours'") > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(count("created_at < now() - interval '24 hours'"), 0);
  EXPECT_GE(count("created_at > now() - interval '1 hour'"), 1);
}

TEST_F(Idempotency, RetryReplaysTheFirstResponseByteForByte) {
  const auto body = body_for(unique_email("retry"));
  const httplib::Headers key{{"Idempotency-Key", "retry-key-1"}};
  auto first = client.send("POST", path, body, "application/json", key);
  ASSERT_EQ(first.status, 201) << first.body;
  auto second = client.send("POST", path, body, "application/json", key);
  EXPECT_EQ(second.status, 201);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.header("Idempotent-Replayed"), "true");
  // One registration, not two.
  auto connection = service->connect();
  pqxx::read_transaction tx(connection);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM registrations WHERE lower(email) = lower($1)",
                            nlohmann::json::parse(body)["email"].get<std::string>())[0]
                .as<int>(),
            1);
}

TEST_F(Idempotency, SameKeyWithAnotherBodyIsRefused) {
  const httplib::Headers key{{"Idempotency-Key", "retry-key-2"}};
  ASSERT_EQ(client.send("POST", path, body_for(unique_email("a")), "application/json", key).status, 201);
  auto other = client.send("POST", path, body_for(unique_email("b")), "application/json", key);
  EXPECT_EQ(other.status, 422);
  EXPECT_TRUE(other.json()["type"].get<std::string>().ends_with("idempotency-key-reused"));
}

TEST_F(Idempotency, ConcurrentRetriesGetOneRegistrationAndIdenticalAnswers) {
  const auto body = body_for(unique_email("race"));
  const httplib::Headers key{{"Idempotency-Key", "race-key"}};
  const int port = service->server().port();
  std::vector<Reply> replies(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] { replies[i] = Client(port).send("POST", path, body, "application/json", key); });
  for (auto& t : threads) t.join();
  for (const auto& reply : replies) {
    EXPECT_EQ(reply.status, 201) << reply.body;
    EXPECT_EQ(reply.body, replies[0].body);
  }
}

TEST_F(Idempotency, AFailedFirstAttemptDoesNotBurnTheKey) {
  const httplib::Headers key{{"Idempotency-Key", "after-422"}};
  auto bad = client.send("POST", path, R"({"email":"nope","name":"x","consent":true})", "application/json", key);
  EXPECT_EQ(bad.status, 422);
  auto good = client.send("POST", path, body_for(unique_email("fixed")), "application/json", key);
  EXPECT_EQ(good.status, 201) << good.body;
}

TEST_F(Idempotency, StoredAnswersDoNotContainTheToken) {
  const auto body = body_for(unique_email("sealed"));
  auto reply = client.send("POST", path, body, "application/json", {{"Idempotency-Key", "sealed-key"}});
  ASSERT_EQ(reply.status, 201);
  const std::string token = reply.json()["manage_token"];
  auto connection = service->connect();
  pqxx::read_transaction tx(connection);
  for (const auto& row : tx.exec("SELECT encode(key_hash, 'escape'), encode(response, 'escape') FROM idempotency_keys")) {
    EXPECT_EQ(row[0].as<std::string>().find("sealed-key"), std::string::npos);
    EXPECT_EQ(row[1].as<std::string>().find(token), std::string::npos);
    EXPECT_EQ(row[1].as<std::string>().find("manage_token"), std::string::npos);
  }
  // And the registration row keeps only a hash of the token.
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM registrations WHERE encode(manage_token_hash, 'escape') LIKE '%' || $1 || '%'",
                            token)[0]
                .as<int>(),
            0);
}

}  // namespace
}  // namespace convene::testing
