// Capacity is a database fact: never exceeded under concurrency, waitlist in arrival order,
// a cancellation promotes the oldest waitlisted registrant, capacity changes move seats.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

class Capacity : public ServiceSuite<"convene_it_capacity"> {
 protected:
  // An event open until closed, in Nairobi.
  ::testing::AssertionResult create_event(const std::string& slug, int capacity) {
    return ServiceSuite::create_event(event_body(slug, capacity, {{"timezone", "Africa/Nairobi"}}));
  }

  // status -> count, straight from the database
  std::map<std::string, int> counts(const std::string& slug) {
    auto connection = service->connect();
    pqxx::read_transaction tx(connection);
    std::map<std::string, int> out;
    for (const auto& row : tx.exec_params(
             "SELECT r.status, count(*) FROM registrations r JOIN events e ON e.id = r.event_id "
             "WHERE e.slug = $1 GROUP BY r.status",
             slug))
      out[row[0].as<std::string>()] = row[1].as<int>();
    return out;
  }

  // Seats held, after checking the invariant: every seat 1..capacity is either free or held by
  // exactly one confirmed registration, never both.
  int seats_held(const std::string& slug) {
    auto connection = service->connect();
    pqxx::read_transaction tx(connection);
    const auto row = tx.exec_params1(R"sql(
        SELECT e.capacity,
               (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.seat_no IS NOT NULL),
               (SELECT count(*) FROM free_seats f WHERE f.event_id = e.id),
               (SELECT count(*) FROM free_seats f JOIN registrations r
                  ON r.event_id = f.event_id AND r.seat_no = f.seat_no WHERE f.event_id = e.id),
               (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.seat_no > e.capacity)
        FROM events e WHERE e.slug = $1)sql",
                                     slug);
    const int capacity = row[0].as<int>(), held = row[1].as<int>(), free = row[2].as<int>();
    EXPECT_EQ(held + free, capacity) << slug;
    EXPECT_EQ(row[3].as<int>(), 0) << slug << ": a seat is both free and held";
    EXPECT_EQ(row[4].as<int>(), 0) << slug << ": a seat above capacity is held";
    return held;
  }
};

TEST_F(Capacity, SixtyConcurrentRegistrationsForTenSeatsConfirmExactlyTen) {
  ASSERT_TRUE(create_event("ten-seats", 10));
  std::vector<int> statuses(60);
  std::vector<std::string> outcomes(60);
  std::vector<std::thread> threads;
  const int port = service->server().port();
  for (int i = 0; i < 60; ++i) {
    threads.emplace_back([&, i] {
      Client own(port);
      auto reply = own.post("/api/v1/events/ten-seats/registrations", registrant("rush" + std::to_string(i)));
      statuses[i] = reply.status;
      if (reply.status == 201) outcomes[i] = reply.json()["status"];
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 60);
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), "confirmed"), 10);
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), "waitlisted"), 50);
  EXPECT_EQ(counts("ten-seats"), (std::map<std::string, int>{{"confirmed", 10}, {"waitlisted", 50}}));
  EXPECT_EQ(seats_held("ten-seats"), 10);
}

// The opening rush, written in batches (group commit): each request still gets its own outcome. 240
// requests at once for 150 seats, among them 20 repeating an address another request also sends and
// 40 with an Idempotency-Key, each sent twice at once: exactly 150 confirmed, the rest waitlisted,
// one 201 per address (the repeat gets 409), the same answer byte for byte for both sends of a key,
// and the requests did share batches (the server's own counters say so).
TEST_F(Capacity, ARushWrittenInBatchesGivesEachRequestItsOwnOutcome) {
  ASSERT_TRUE(create_event("batched-rush", 150));
  const auto batches_before = metric_sum(client.get("/metrics").body, "convene_registration_batches_total");
  const auto requests_before = metric_sum(client.get("/metrics").body, "convene_registration_batched_requests_total");
  struct Send {
    std::string email;
    std::string key;  // Idempotency-Key, or none
  };
  std::vector<Send> sends;
  for (int i = 0; i < 180; ++i) sends.push_back({"batch" + std::to_string(i) + "@example.org", ""});
  for (int i = 0; i < 20; ++i) sends.push_back({"batch" + std::to_string(i) + "@example.org", ""});  // repeats
  for (int i = 0; i < 20; ++i) {
    const std::string email = "keyed" + std::to_string(i) + "@example.org", key = "rush-key-" + std::to_string(i);
    sends.push_back({email, key});
    sends.push_back({email, key});  // the client's retry, while the first is in flight
  }
  std::vector<Reply> replies(sends.size());
  std::vector<std::thread> threads;
  const int port = service->server().port();
  for (std::size_t i = 0; i < sends.size(); ++i) {
    threads.emplace_back([&, i] {
      Client own(port);
      httplib::Headers headers;
      if (!sends[i].key.empty()) headers.emplace("Idempotency-Key", sends[i].key);
      const nlohmann::json body = {{"email", sends[i].email}, {"name", "Rush " + sends[i].email}, {"consent", true}};
      replies[i] = own.post("/api/v1/events/batched-rush/registrations", body, headers);
    });
  }
  for (auto& t : threads) t.join();

  std::map<std::string, int> created_per_address, conflicts_per_address;
  int confirmed = 0, waitlisted = 0;
  for (std::size_t i = 0; i < sends.size(); ++i) {
    const Reply& reply = replies[i];
    ASSERT_TRUE(reply.status == 201 || reply.status == 409) << reply.status << " " << reply.body;
    if (reply.status == 409) {
      EXPECT_EQ(reply.json()["type"], "/problems/already-registered") << reply.body;
      ++conflicts_per_address[sends[i].email];
      continue;
    }
    if (!sends[i].key.empty() && reply.header("Idempotent-Replayed") == "true") continue;
    ++created_per_address[sends[i].email];
    (reply.json()["status"] == "confirmed" ? confirmed : waitlisted) += 1;
  }
  EXPECT_EQ(created_per_address.size(), 200u);
  for (const auto& [email, count] : created_per_address) EXPECT_EQ(count, 1) << email;
  EXPECT_EQ(conflicts_per_address.size(), 20u);
  for (const auto& [email, count] : conflicts_per_address) EXPECT_EQ(count, 1) << email;
  for (std::size_t i = 200; i < sends.size(); i += 2) {
    EXPECT_EQ(replies[i].status, 201) << replies[i].body;
    EXPECT_EQ(replies[i].body, replies[i + 1].body) << sends[i].key;
  }
  EXPECT_EQ(confirmed, 150);
  EXPECT_EQ(waitlisted, 50);
  EXPECT_EQ(counts("batched-rush"), (std::map<std::string, int>{{"confirmed", 150}, {"waitlisted", 50}}));
  EXPECT_EQ(seats_held("batched-rush"), 150);

  const std::string metrics = client.get("/metrics").body;
  const double batches = metric_sum(metrics, "convene_registration_batches_total") - batches_before;
  const double batched = metric_sum(metrics, "convene_registration_batched_requests_total") - requests_before;
  EXPECT_GE(batched, 150) << "every request that found a seat went through a batch";
  EXPECT_LT(batches, batched) << "240 requests at once, and no batch held more than one";
}

// At a full event the batches waitlist their members together: one transaction (one capacity lock,
// one commit) per batch, not one per registrant. Rows written by one transaction share its id (xmin),
// so fewer distinct ones than waitlisted rows shows that they were; one each would be as many.
// The test holds the event's capacity lock while the requests arrive, so that they gather behind the
// batch that waits for it whatever the machine's speed (left to timing, a loaded machine under the
// sanitizers made batches of one or two, and 77 transactions).
TEST_F(Capacity, ARushAtAFullEventWaitlistsEachBatchInOneTransaction) {
  ASSERT_TRUE(create_event("full-rush", 5));
  constexpr int kRequests = 120;
  // The server's own statement for the lock, as the binary prints it.
  const auto lock_capacity = run_convene({"sql", "lock_capacity"}, {});
  ASSERT_EQ(lock_capacity.status, 0) << lock_capacity.transcript();
  auto holder = service->connect();
  pqxx::work capacity_lock(holder);
  capacity_lock.exec_params(lock_capacity.out,
                            capacity_lock.exec1("SELECT id FROM events WHERE slug = 'full-rush'")[0].as<std::int64_t>());
  std::vector<Reply> replies(kRequests);
  std::vector<std::thread> threads;
  const int port = service->server().port();
  for (int i = 0; i < kRequests; ++i)
    threads.emplace_back([&, i] {
      replies[i] = Client(port).post("/api/v1/events/full-rush/registrations", registrant("full" + std::to_string(i)));
    });
  // A batch with members no seat reached waits for the lock; the others gather behind it.
  EXPECT_TRUE(eventually([&] { return backends_waiting_on_locks(*service) >= 1; }, std::chrono::seconds(20)));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  capacity_lock.commit();
  for (auto& t : threads) t.join();
  for (const Reply& reply : replies) ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(counts("full-rush"), (std::map<std::string, int>{{"confirmed", 5}, {"waitlisted", kRequests - 5}}));
  EXPECT_EQ(seats_held("full-rush"), 5);
  auto connection = service->connect();
  pqxx::read_transaction tx(connection);
  const int transactions = tx.exec1(
      "SELECT count(DISTINCT r.xmin::text) FROM registrations r JOIN events e ON e.id = r.event_id "
      "WHERE e.slug = 'full-rush' AND r.status = 'waitlisted'")[0].as<int>();
  EXPECT_LT(transactions, (kRequests - 5) / 2) << "the waitlisted were written one transaction each";
}

TEST_F(Capacity, CancellationPromotesTheOldestWaitlisted) {
  ASSERT_TRUE(create_event("two-seats", 2));
  std::vector<std::string> tokens;
  std::vector<std::string> statuses;
  for (int i = 0; i < 4; ++i) {
    auto reply = client.post("/api/v1/events/two-seats/registrations", registrant("wl" + std::to_string(i)));
    ASSERT_EQ(reply.status, 201);
    tokens.push_back(reply.json()["manage_token"]);
    statuses.push_back(reply.json()["status"]);
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"confirmed", "confirmed", "waitlisted", "waitlisted"}));
  ASSERT_EQ(client.del("/api/v1/registrations/" + tokens[0]).status, 200);
  EXPECT_EQ(client.get("/api/v1/registrations/" + tokens[2]).json()["status"], "confirmed");
  EXPECT_EQ(client.get("/api/v1/registrations/" + tokens[3]).json()["status"], "waitlisted");
  // Cancelling a waitlisted registrant frees no seat and promotes nobody.
  ASSERT_EQ(client.del("/api/v1/registrations/" + tokens[3]).status, 200);
  EXPECT_EQ(counts("two-seats"), (std::map<std::string, int>{{"cancelled", 2}, {"confirmed", 2}}));
  EXPECT_EQ(seats_held("two-seats"), 2);
}

TEST_F(Capacity, ConcurrentCancellationsAndRegistrationsKeepTheInvariant) {
  ASSERT_TRUE(create_event("churn", 5));
  std::vector<std::string> tokens;
  for (int i = 0; i < 15; ++i) {
    auto reply = client.post("/api/v1/events/churn/registrations", registrant("churn" + std::to_string(i)));
    ASSERT_EQ(reply.status, 201);
    tokens.push_back(reply.json()["manage_token"]);
  }
  const int port = service->server().port();
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] { Client(port).del("/api/v1/registrations/" + tokens[i]); });
    threads.emplace_back([&, i] {
      Client(port).post("/api/v1/events/churn/registrations", registrant("late" + std::to_string(i)));
    });
  }
  for (auto& t : threads) t.join();
  auto c = counts("churn");
  EXPECT_EQ(c["confirmed"], 5);
  EXPECT_EQ(seats_held("churn"), 5);
  // Nobody waits while a seat is free.
  EXPECT_EQ(c["cancelled"], 8);
  EXPECT_EQ(c["waitlisted"], 23 - 8 - 5);
}

TEST_F(Capacity, RaisingCapacityPromotesTheWaitlistAndLoweringIsRefusedBelowConfirmed) {
  ASSERT_TRUE(create_event("resize", 1));
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i)
    tokens.push_back(client.post("/api/v1/events/resize/registrations", registrant("rs" + std::to_string(i)))
                         .json()["manage_token"]);
  auto raised = client.patch("/api/v1/events/resize", {{"capacity", 2}}, admin());
  ASSERT_EQ(raised.status, 200) << raised.body;
  EXPECT_EQ(raised.json()["capacity"], 2);
  EXPECT_EQ(client.get("/api/v1/registrations/" + tokens[1]).json()["status"], "confirmed");
  EXPECT_EQ(client.get("/api/v1/registrations/" + tokens[2]).json()["status"], "waitlisted");

  auto lowered = client.patch("/api/v1/events/resize", {{"capacity", 1}}, admin());
  EXPECT_EQ(lowered.status, 409) << lowered.body;
  EXPECT_TRUE(lowered.json()["type"].get<std::string>().ends_with("capacity-below-confirmed"));

  // Free the low seat, then shrink: the holder of seat 2 moves to seat 1 and keeps a seat.
  ASSERT_EQ(client.del("/api/v1/registrations/" + tokens[0]).status, 200);  // promotes tokens[2]
  ASSERT_EQ(client.del("/api/v1/registrations/" + tokens[2]).status, 200);  // frees a seat again
  auto shrunk = client.patch("/api/v1/events/resize", {{"capacity", 1}}, admin());
  ASSERT_EQ(shrunk.status, 200) << shrunk.body;
  EXPECT_EQ(client.get("/api/v1/registrations/" + tokens[1]).json()["status"], "confirmed");
  EXPECT_EQ(seats_held("resize"), 1);
}

TEST_F(Capacity, ZeroCapacityWaitlistsEveryone) {
  ASSERT_TRUE(create_event("no-seats", 0));
  auto reply = client.post("/api/v1/events/no-seats/registrations", registrant("zero"));
  ASSERT_EQ(reply.status, 201);
  EXPECT_EQ(reply.json()["status"], "waitlisted");
}

TEST_F(Capacity, ARaisedCapacityPromotesALongWaitlistInOrderAcrossChunks) {
  // 250 waitlisted; raising the capacity to 200 promotes them in chunks of 64, 128, then what is left,
  // each chunk carrying on from the seat and the registrant where the one before ended.
  ASSERT_TRUE(create_event("long-waitlist", 0));
  // From ten clients at once (each waitlisting commits twice): their order is the order of their ids.
  const int port = service->server().port();
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t) {
    threads.emplace_back([&, t] {
      Client own(port);
      for (int i = t; i < 250; i += 10) {
        auto reply = own.post("/api/v1/events/long-waitlist/registrations", registrant("lw" + std::to_string(i)));
        EXPECT_EQ(reply.status, 201) << reply.body;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(counts("long-waitlist"), (std::map<std::string, int>{{"waitlisted", 250}}));
  // Seat k to the k-th oldest waitlisted registrant, and nobody else.
  auto seats_in_arrival_order = [&] {
    auto connection = service->connect();
    pqxx::read_transaction tx(connection);
    std::vector<int> seats;
    for (const auto& row : tx.exec_params(
             "SELECT coalesce(r.seat_no, 0) FROM registrations r JOIN events e ON e.id = r.event_id "
             "WHERE e.slug = $1 ORDER BY r.id",
             std::string("long-waitlist")))
      seats.push_back(row[0].as<int>());
    return seats;
  };
  auto expected = [](int promoted) {
    std::vector<int> seats(250, 0);
    for (int k = 0; k < promoted; ++k) seats[static_cast<std::size_t>(k)] = k + 1;
    return seats;
  };
  auto raised = client.patch("/api/v1/events/long-waitlist", {{"capacity", 200}}, admin());
  ASSERT_EQ(raised.status, 200) << raised.body;
  EXPECT_EQ(seats_in_arrival_order(), expected(200));
  EXPECT_EQ(seats_held("long-waitlist"), 200);
  // Seats free above the waitlist: the remaining 50 take seats 201-250 and 50 stay free.
  raised = client.patch("/api/v1/events/long-waitlist", {{"capacity", 300}}, admin());
  ASSERT_EQ(raised.status, 200) << raised.body;
  EXPECT_EQ(seats_in_arrival_order(), expected(250));
  EXPECT_EQ(seats_held("long-waitlist"), 250);
  EXPECT_EQ(counts("long-waitlist"), (std::map<std::string, int>{{"confirmed", 250}}));
}

}  // namespace
}  // namespace convene::testing
