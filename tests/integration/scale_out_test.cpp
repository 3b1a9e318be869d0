// Two servers and two workers on one database, behind nginx (deploy/nginx/convene.conf.template):
// capacity, idempotency and reminders hold across processes, changes are seen everywhere, metrics
// count what happened, and SIGTERM under load loses no accepted registration.
#include <gtest/gtest.h>

#include <date/date.h>

#include <regex>
#include <thread>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

// The common fixture's service (its database, migrated and seeded), whose own server is stopped:
// two servers, two workers and nginx take its place. (So the fixture's `client` has no server.)
class ScaleOut : public ServiceSuite<"convene_it_scale_out"> {
 public:
  static void SetUpTestSuite() {
    smtp = new SmtpServer();
    start({{"SMTP_URL", smtp->url()}, {"WORKER_POLL_MS", "100"}, {"WORKER_PLAN_SECONDS", "1"}});
    // Its own server gives way to servers one and two, which send no mail: the two workers do.
    service->server().stop(SIGTERM);
    one = new ServerProcess(service->env(), {"--no-worker"});
    two = new ServerProcess(service->env(), {"--no-worker"});
    worker_a = new WorkerProcess(service->env());
    worker_b = new WorkerProcess(service->env());
    nginx = new NginxProcess({one->port(), two->port()});
  }
  static void TearDownTestSuite() {
    delete nginx;
    delete worker_a;
    delete worker_b;
    delete one;
    delete two;
    stop();
    delete smtp;
  }

 protected:
  static inline SmtpServer* smtp = nullptr;
  static inline ServerProcess *one = nullptr, *two = nullptr;
  static inline WorkerProcess *worker_a = nullptr, *worker_b = nullptr;
  static inline NginxProcess* nginx = nullptr;
};

TEST_F(ScaleOut, SixtyConcurrentRegistrationsThroughNginxConfirmExactlyTen) {
  Client front(nginx->port());
  ASSERT_TRUE(testing::create_event(front, service->admin_token(), event_body("rush", 10, {{"title", "Rush"}})));
  std::vector<std::string> outcomes(60);
  std::vector<std::thread> threads;
  for (int i = 0; i < 60; ++i) {
    threads.emplace_back([&, i] {
      Client client(nginx->port());
      auto reply = client.post("/api/v1/events/rush/registrations",
                               {{"email", unique_email("rush" + std::to_string(i))}, {"name", "Rusher"}, {"consent", true}});
      outcomes[i] = reply.status == 201 ? reply.json()["status"].get<std::string>() : std::to_string(reply.status);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), "confirmed"), 10);
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), "waitlisted"), 50);
}

TEST_F(ScaleOut, AnIdempotencyKeyReplayedOnTheOtherServerGetsTheSameAnswer) {
  const std::string body = nlohmann::json{{"email", unique_email("idem")}, {"name", "Twice"}, {"consent", true}}.dump();
  const httplib::Headers key{{"Idempotency-Key", "across-servers"}};
  auto first = Client(one->port()).send("POST", "/api/v1/events/south-south-2021/registrations", body, "application/json", key);
  auto second = Client(two->port()).send("POST", "/api/v1/events/south-south-2021/registrations", body, "application/json", key);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(second.status, 201);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.header("Idempotent-Replayed"), "true");
}

TEST_F(ScaleOut, AChangeThroughOneServerIsSeenThroughTheOther) {
  Client via_one(one->port()), via_two(two->port());
  ASSERT_EQ(via_two.get("/api/v1/events/south-south-2021").status, 200);  // server two caches it now
  ASSERT_EQ(via_one.patch("/api/v1/events/south-south-2021", {{"description", "Changed through server one"}},
                          admin())
                .status,
            200);
  // The change is announced at commit (LISTEN/NOTIFY); it reaches server two within milliseconds.
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(eventually(
      [&] { return via_two.get("/api/v1/events/south-south-2021").json()["description"] == "Changed through server one"; },
      std::chrono::seconds(2)));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
  // And the public feed server two renders follows too.
  EXPECT_TRUE(eventually(
      [&] { return via_two.get("/api/v1/events/south-south-2021/calendar.ics").body.find("Changed through server one") != std::string::npos; },
      std::chrono::seconds(2)));
}

TEST_F(ScaleOut, ARegistrationChangedThroughOneServerIsSeenInTheInviteTheOtherKept) {
  Client via_one(one->port()), via_two(two->port());
  auto registered = via_one.post("/api/v1/events/south-south-2021/registrations",
                                 {{"email", unique_email("kept")}, {"name", "Kept Copy"}, {"consent", true}});
  ASSERT_EQ(registered.status, 201) << registered.body;
  const std::string token = registered.json()["manage_token"];
  const std::string path = "/api/v1/registrations/" + token + "/invite.ics";
  const auto hits_on_two = [&] {
    return metric_sum(via_two.get("/metrics").body, "convene_invite_cache_requests_total", {"result=\"hit\""});
  };
  const double hits_before = hits_on_two();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(via_two.get(path).status, 200);
  ASSERT_GT(hits_on_two(), hits_before);  // server two answers from its copy now

  ASSERT_EQ(via_one.patch("/api/v1/registrations/" + token, {{"name", "Changed Elsewhere"}}).status, 200);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(eventually([&] { return via_two.get(path).body.find("Changed Elsewhere") != std::string::npos; },
                         std::chrono::seconds(2)));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));

  ASSERT_EQ(via_one.del("/api/v1/registrations/" + token).status, 200);
  EXPECT_TRUE(eventually([&] { return via_two.get(path).body.find("METHOD:CANCEL") != std::string::npos; },
                         std::chrono::seconds(2)));
  ASSERT_LT(via_one.post("/api/v1/registrations/" + token + "/erase", nlohmann::json::object()).status, 300);
  EXPECT_TRUE(eventually([&] { return via_two.get(path).status == 404; }, std::chrono::seconds(2)));
}

TEST_F(ScaleOut, EachReminderIsSentOnceByTwoWorkers) {
  Client front(nginx->port());
  const auto starts = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now() + std::chrono::minutes(3));
  ASSERT_TRUE(testing::create_event(
      front, service->admin_token(),
      event_body("soon-two-workers", 50,
                 {{"title", "Soon"}, {"reminder_offsets", {"PT170S"}},
                  {"sessions", {{{"starts_at", date::format("%FT%TZ", starts)},
                                 {"ends_at", date::format("%FT%TZ", starts + std::chrono::minutes(30))}}}}})));
  std::vector<std::string> people;
  for (int i = 0; i < 6; ++i) {
    people.push_back(unique_email("twice" + std::to_string(i)));
    ASSERT_EQ(front.post("/api/v1/events/soon-two-workers/registrations", {{"email", people.back()}, {"name", "R"}, {"consent", true}}).status, 201);
  }
  auto reminders_to = [&](const std::string& person) {
    int n = 0;
    for (const auto& m : inspect_mail(smtp->messages()))
      n += m["headers"].value("X-Envelope-To", "") == person && m["headers"].value("X-Convene-Kind", "") == "reminder";
    return n;
  };
  ASSERT_TRUE(eventually([&] { return reminders_to(people.back()) >= 1; }, std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  for (const auto& person : people) EXPECT_EQ(reminders_to(person), 1) << person;
}

TEST_F(ScaleOut, MetricsCountWhatHappened) {
  const auto before_one = Client(one->port()).get("/metrics").body;
  const auto before_two = Client(two->port()).get("/metrics").body;
  const std::vector<std::string> created{"route=\"/api/v1/events/{slug}/registrations\"", "method=\"POST\"", "status=\"201\""};
  const double before = metric_sum(before_one, "convene_http_requests_total", created) +
                        metric_sum(before_two, "convene_http_requests_total", created);
  Client front(nginx->port());
  for (int i = 0; i < 8; ++i) {
    ASSERT_EQ(front.post("/api/v1/events/south-south-2021/registrations",
                         {{"email", unique_email("metric")}, {"name", "Counted"}, {"consent", true}})
                  .status,
              201);
  }
  const auto after_one = Client(one->port()).get("/metrics");
  const auto after_two = Client(two->port()).get("/metrics").body;
  EXPECT_EQ(after_one.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const double after = metric_sum(after_one.body, "convene_http_requests_total", created) +
                       metric_sum(after_two, "convene_http_requests_total", created);
  EXPECT_EQ(after - before, 8);
  // Both servers took a share (nginx balances), and the database-wide gauges agree with the database.
  EXPECT_GT(metric_sum(after_one.body, "convene_http_requests_total", {"status=\"201\""}), 0);
  EXPECT_GT(metric_sum(after_two, "convene_http_requests_total", {"status=\"201\""}), 0);
  auto connection = service->connect();
  pqxx::read_transaction tx(connection);
  const auto confirmed = tx.exec1("SELECT count(*) FROM registrations WHERE status = 'confirmed'")[0].as<double>();
  EXPECT_EQ(metric_sum(after_one.body, "convene_registrations", {"status=\"confirmed\""}), confirmed);
  EXPECT_EQ(metric_sum(after_one.body, "convene_database_up", {}), 1);
  EXPECT_GT(metric_sum(after_one.body, "convene_http_request_duration_seconds_count", {"method=\"POST\""}), 0);
  EXPECT_NE(after_one.body.find("convene_build_info{version=\"0.1.0\",tzdb=\""), std::string::npos);
}

TEST_F(ScaleOut, SigtermUnderLoadLosesNoAcceptedRegistration) {
  // A third server takes part, then is stopped with SIGTERM while registrations pour in.
  ServerProcess three(service->env(), {"--no-worker"});
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<std::string> accepted;
  std::atomic<int> failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      Client client(three.port());
      for (int i = 0; !stop; ++i) {
        try {
          const std::string email = unique_email("term" + std::to_string(c) + "-" + std::to_string(i));
          auto reply = client.post("/api/v1/events/south-south-2021/registrations", {{"email", email}, {"name", "T"}, {"consent", true}});
          if (reply.status == 201) {
            std::lock_guard lock(mutex);
            accepted.push_back(email);
          }
        } catch (const std::exception&) {
          ++failed;  // the server stopped accepting: fine, as long as nothing it answered 201 is lost
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(three.stop(SIGTERM), 0) << three.log();
  stop = true;
  for (auto& t : clients) t.join();
  ASSERT_GT(accepted.size(), 20u);
  auto connection = service->connect();
  pqxx::read_transaction tx(connection);
  for (const auto& email : accepted) {
    EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM registrations WHERE email = $1", email)[0].as<int>(), 1) << email;
  }
}

}  // namespace
}  // namespace convene::testing
