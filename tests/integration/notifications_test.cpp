// Notifications end to end: the outbox, the worker, a real SMTP server on loopback (aiosmtpd), and
// the messages read back as mail clients read them (Python's email package and icalendar).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include <date/date.h>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

// Fast worker settings for tests: retries after 1 s, claims of a dead worker expire after 4 s.
std::map<std::string, std::string> fast_worker(const std::string& smtp_url) {
  return {{"SMTP_URL", smtp_url},           {"WORKER_FIRST_RETRY_SECONDS", "1"}, {"WORKER_LEASE_SECONDS", "4"},
          {"WORKER_POLL_MS", "100"},        {"WORKER_PLAN_SECONDS", "1"},       {"WORKER_MAX_ATTEMPTS", "3"}};
}

nlohmann::json join_event(const std::string& slug, const std::string& zone, const nlohmann::json& sessions,
                          const nlohmann::json& offsets = {"P1D", "PT1H"}) {
  return event_body(slug, 100,
                    {{"timezone", zone}, {"join_url", "https://meet.example.org/" + slug},
                     {"reminder_offsets", offsets}, {"sessions", sessions}});
}

// Messages of one kind to one address.
std::vector<nlohmann::json> mails_to(const nlohmann::json& mails, const std::string& address, const std::string& kind) {
  std::vector<nlohmann::json> found;
  for (const auto& m : mails) {
    if (m["headers"].value("X-Envelope-To", "") == address && m["headers"].value("X-Convene-Kind", "") == kind)
      found.push_back(m);
  }
  return found;
}

class Notifications : public ServiceSuite<"convene_it_notifications"> {
 public:
  // A real SMTP server (refusing addresses with "bounce" in them) and a fast worker.
  static void SetUpTestSuite() {
    smtp = new SmtpServer("bounce");
    start(fast_worker(smtp->url()));
  }
  static void TearDownTestSuite() {
    stop();
    delete smtp;
    smtp = nullptr;
  }

 protected:
  static inline SmtpServer* smtp = nullptr;

  nlohmann::json register_for(const std::string& slug, const std::string& email, const std::string& zone,
                              const std::string& language = "en") {
    return register_attendee(slug, {{"email", email}, {"name", "Person " + zone}, {"timezone", zone},
                                    {"language", language}, {"consent", true}});
  }
  // Waits until `address` has `count` messages of `kind`; returns them.
  std::vector<nlohmann::json> wait_for(const std::string& address, const std::string& kind, std::size_t count,
                                       std::chrono::seconds patience = std::chrono::seconds(30)) {
    std::vector<nlohmann::json> found;
    eventually(
        [&] {
          found = mails_to(inspect_mail(smtp->messages()), address, kind);
          return found.size() >= count;
        },
        patience);
    return found;
  }
  std::string outbox_status(const std::string& email, const std::string& kind) {
    auto connection = service->connect();
    pqxx::read_transaction tx(connection);
    auto rows = tx.exec_params("SELECT o.status FROM outbox o JOIN registrations r ON r.id = o.registration_id "
                               "WHERE r.email = $1 AND o.kind = $2",
                               email, kind);
    return rows.empty() ? "" : rows[0][0].as<std::string>();
  }
};

TEST_F(Notifications, ConfirmationArrivesWithAnInviteWhosePartMethodMatches) {
  const std::string email = unique_email("confirm");
  register_for("south-south-2021", email, "Asia/Kathmandu");
  const auto mails = wait_for(email, "confirmation", 1);
  ASSERT_EQ(mails.size(), 1u);
  const auto& mail = mails[0];
  EXPECT_TRUE(mail["headers_ascii"]);
  EXPECT_LE(mail["header_lines_max"].get<int>(), 998);
  EXPECT_EQ(mail["headers"]["Subject"].get<std::string>().rfind("You are registered: South-South cooperation", 0), 0u);
  EXPECT_EQ(mail["headers"]["To"], "Person Asia/Kathmandu <" + email + ">");
  EXPECT_FALSE(mail["headers"]["Message-ID"].get<std::string>().empty());
  EXPECT_NE(mail["headers"]["List-Unsubscribe"].get<std::string>().find("/r/"), std::string::npos);
  std::vector<std::string> types;
  std::string calendar_method;
  for (const auto& part : mail["parts"]) {
    types.push_back(part["type"]);
    if (part["type"] == "text/calendar") calendar_method = part["method"];
  }
  EXPECT_EQ(types, (std::vector<std::string>{"multipart/mixed", "multipart/alternative", "text/plain", "text/html",
                                             "text/calendar"}));
  EXPECT_EQ(calendar_method, "REQUEST");
  EXPECT_EQ(mail["calendar"]["method"], calendar_method);  // iMIP: the part's method= is the METHOD inside
  EXPECT_EQ(mail["calendar"]["events"][0]["start"], "2021-09-10T13:00:00Z");
  // The personal join link is in the e-mail and its invite, and leads to the meeting.
  const std::string text = mail["text"];
  const auto join = text.find("/j/");
  ASSERT_NE(join, std::string::npos) << text;
  const std::string join_path = text.substr(join, 3 + 40);
  EXPECT_NE(mail["calendar"]["events"][0]["location"].get<std::string>().find(join_path), std::string::npos);
  // Times in the registrant's zone (Kathmandu, +05:45) and the event's (New York).
  EXPECT_NE(text.find("18:45"), std::string::npos) << text;
  EXPECT_NE(text.find("09:00"), std::string::npos) << text;
  EXPECT_EQ(outbox_status(email, "confirmation"), "sent");
}

TEST_F(Notifications, TimesAreShownInEachRegistrantsZone) {
  const std::string lima = unique_email("lima");
  const std::string kathmandu = unique_email("kathmandu");
  register_for("south-south-2021", lima, "America/Lima");
  register_for("south-south-2021", kathmandu, "Asia/Kathmandu");
  const auto to_lima = wait_for(lima, "confirmation", 1);
  const auto to_kathmandu = wait_for(kathmandu, "confirmation", 1);
  ASSERT_EQ(to_lima.size(), 1u);
  ASSERT_EQ(to_kathmandu.size(), 1u);
  // Published conversions of 2021-09-10 13:00 UTC: Lima 08:00 (-05:00), Kathmandu 18:45 (+05:45).
  const std::string lima_text = to_lima[0]["text"];
  EXPECT_NE(lima_text.find("Your time (America/Lima): Friday 10 September 2021, 08:00 \u2013 10:00 (UTC-05:00)"),
            std::string::npos)
      << lima_text;
  const std::string kathmandu_text = to_kathmandu[0]["text"];
  EXPECT_NE(kathmandu_text.find("Your time (Asia/Kathmandu): Friday 10 September 2021, 18:45 \u2013 20:45 (UTC+05:45)"),
            std::string::npos)
      << kathmandu_text;
  EXPECT_NE(kathmandu_text.find("Event time (America/New_York): Friday 10 September 2021, 09:00 \u2013 11:00"),
            std::string::npos);
}

TEST_F(Notifications, APermanentlyFailingAddressEndsFailedWithoutBlockingOthers) {
  const std::string bad = unique_email("bounce");
  const std::string good = unique_email("fine");
  register_for("south-south-2021", bad, "UTC");
  register_for("south-south-2021", good, "UTC");
  EXPECT_EQ(wait_for(good, "confirmation", 1).size(), 1u);
  EXPECT_TRUE(eventually([&] { return outbox_status(bad, "confirmation") == "failed"; }, std::chrono::seconds(20)));
  auto connection = service->connect();
  pqxx::read_transaction tx(connection);
  const auto error = tx.exec_params1("SELECT o.last_error FROM outbox o JOIN registrations r ON r.id = o.registration_id "
                                     "WHERE r.email = $1",
                                     bad)[0]
                         .as<std::string>();
  EXPECT_NE(error.find("550"), std::string::npos) << error;
}

TEST_F(Notifications, CancellationSendsACancelWhosePartMethodMatches) {
  const std::string email = unique_email("leaver");
  const auto registered = register_for("south-south-2021", email, "Africa/Lagos");
  ASSERT_EQ(wait_for(email, "confirmation", 1).size(), 1u);
  ASSERT_EQ(client.del("/api/v1/registrations/" + registered["manage_token"].get<std::string>()).status, 200);
  const auto mails = wait_for(email, "cancellation", 1);
  ASSERT_EQ(mails.size(), 1u);
  std::string part_method;
  for (const auto& part : mails[0]["parts"]) {
    if (part["type"] == "text/calendar") part_method = part["method"];
  }
  EXPECT_EQ(part_method, "CANCEL");
  EXPECT_EQ(mails[0]["calendar"]["method"], "CANCEL");
  EXPECT_EQ(mails[0]["calendar"]["events"][0]["status"], "CANCELLED");
  EXPECT_EQ(mails[0]["calendar"]["events"][0]["sequence"], 1);
  EXPECT_EQ(mails[0]["text"].get<std::string>().find("/j/"), std::string::npos);  // no join link any more
}

TEST_F(Notifications, AWaitlistedRegistrantIsToldAndThenPromoted) {
  ASSERT_TRUE(create_event(
      join_event("tiny-room", "Asia/Dhaka", {{{"starts_local", "2031-05-05T15:00"}, {"duration_minutes", 60}}})));
  client.patch("/api/v1/events/tiny-room", {{"capacity", 1}}, admin());
  const std::string first = unique_email("seated");
  const std::string second = unique_email("waiting");
  const auto seated = register_for("tiny-room", first, "Asia/Dhaka");
  const auto waiting = register_for("tiny-room", second, "Asia/Dhaka");
  ASSERT_EQ(waiting["status"], "waitlisted");
  const auto told = wait_for(second, "confirmation", 1);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0]["headers"]["Subject"], "You are on the waiting list: Event tiny-room");
  EXPECT_EQ(told[0]["text"].get<std::string>().find("/j/"), std::string::npos);
  ASSERT_EQ(client.del("/api/v1/registrations/" + seated["manage_token"].get<std::string>()).status, 200);
  const auto promoted = wait_for(second, "promotion", 1);
  ASSERT_EQ(promoted.size(), 1u);
  EXPECT_NE(promoted[0]["text"].get<std::string>().find("/j/"), std::string::npos);
}

TEST_F(Notifications, MovingASessionSendsAnUpdateWithTheNewTimeAndAHigherSequence) {
  ASSERT_TRUE(create_event(
      join_event("moves", "America/Lima", {{{"starts_local", "2031-06-01T10:00"}, {"duration_minutes", 60}}})));
  const std::string email = unique_email("mover");
  register_for("moves", email, "Asia/Kathmandu");
  ASSERT_EQ(wait_for(email, "confirmation", 1).size(), 1u);
  const auto event = client.get("/api/v1/events/moves").json();
  const std::string session = "/api/v1/events/moves/sessions/" + std::to_string(event["sessions"][0]["id"].get<int>());
  ASSERT_EQ(client.patch(session, {{"starts_local", "2031-06-01T12:00"}}, admin()).status, 200);
  const auto updates = wait_for(email, "update", 1);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["calendar"]["events"][0]["start"], "2031-06-01T17:00:00Z");
  EXPECT_EQ(updates[0]["calendar"]["events"][0]["sequence"], 1);
  // Lima 12:00 (-05:00) is 22:45 in Kathmandu.
  EXPECT_NE(updates[0]["text"].get<std::string>().find("22:45"), std::string::npos);
}

TEST_F(Notifications, ASessionSoonGivesExactlyOneReminderPerRegistrant) {
  // A session 3 minutes ahead, with a reminder 170 s before it: due about 10 s from now.
  const auto now = std::chrono::system_clock::now();
  const auto starts = std::chrono::time_point_cast<std::chrono::seconds>(now + std::chrono::minutes(3));
  const auto ends = starts + std::chrono::minutes(30);
  auto iso = [](auto t) { return date::format("%FT%TZ", t); };
  ASSERT_TRUE(create_event(
      join_event("soon", "UTC", {{{"starts_at", iso(starts)}, {"ends_at", iso(ends)}}}, {"PT170S", "P1D"})));
  std::vector<std::string> people;
  for (int i = 0; i < 3; ++i) {
    people.push_back(unique_email("remind" + std::to_string(i)));
    register_for("soon", people.back(), "Pacific/Kiritimati");
  }
  for (const auto& person : people) EXPECT_EQ(wait_for(person, "reminder", 1, std::chrono::seconds(60)).size(), 1u);
  std::this_thread::sleep_for(std::chrono::seconds(4));  // long enough for a duplicate to show up
  const auto all = inspect_mail(smtp->messages());
  for (const auto& person : people) {
    EXPECT_EQ(mails_to(all, person, "reminder").size(), 1u) << person;  // P1D was past at registration: none
  }
}

// A message of a kind this version does not know (a newer server wrote it during a rolling upgrade,
// or someone by hand) is never sent as another kind: it fails, with the reason, and nothing leaves.
TEST_F(Notifications, AMessageOfUnknownKindFailsWithTheReasonAndIsNotSent) {
  const std::string email = unique_email("unknown-kind");
  register_for("south-south-2021", email, "Asia/Kathmandu");
  ASSERT_EQ(wait_for(email, "confirmation", 1).size(), 1u);
  {
    auto connection = service->connect();
    pqxx::work tx(connection);
    // As a newer schema would allow it.
    tx.exec("ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_kind_check");
    tx.exec_params("INSERT INTO outbox (registration_id, event_id, kind, due_at) "
                   "SELECT id, event_id, 'from-the-future', now() FROM registrations WHERE email = $1",
                   email);
    tx.commit();
  }
  ASSERT_TRUE(eventually([&] { return outbox_status(email, "from-the-future") == "failed"; }, std::chrono::seconds(20)))
      << outbox_status(email, "from-the-future");
  auto connection = service->connect();
  pqxx::read_transaction tx(connection);
  const auto error = tx.exec_params1("SELECT o.last_error FROM outbox o JOIN registrations r ON r.id = o.registration_id "
                                     "WHERE r.email = $1 AND o.kind = 'from-the-future'",
                                     email)[0]
                         .as<std::string>();
  EXPECT_NE(error.find("unknown message kind 'from-the-future'"), std::string::npos) << error;
  // Only the one confirmation ever reached the address.
  EXPECT_EQ(mails_to(inspect_mail(smtp->messages()), email, "confirmation").size(), 1u);
}

TEST_F(Notifications, AlreadyRegisteredResendsTheConfirmationOnceAnHour) {
  const std::string email = unique_email("again");
  register_for("south-south-2021", email, "UTC");
  ASSERT_EQ(wait_for(email, "confirmation", 1).size(), 1u);
  for (int i = 0; i < 3; ++i) {
    auto reply = client.post("/api/v1/events/south-south-2021/registrations",
                             {{"email", email}, {"name", "Again"}, {"consent", true}});
    EXPECT_EQ(reply.status, 409);
  }
  EXPECT_EQ(wait_for(email, "confirmation", 2).size(), 2u);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(mails_to(inspect_mail(smtp->messages()), email, "confirmation").size(), 2u);
}

TEST_F(Notifications, TheJoinLinkRedirectsOnlyConfirmedRegistrantsAndRecordsAttendance) {
  const std::string email = unique_email("joiner");
  const auto registered = register_for("south-south-2021", email, "UTC");
  ASSERT_EQ(client.patch("/api/v1/events/south-south-2021", {{"join_url", "https://meet.example.org/panel"}},
                         admin())
                .status,
            200);
  const auto mails = wait_for(email, "confirmation", 1);
  ASSERT_EQ(mails.size(), 1u);
  const std::string text = mails[0]["text"];
  const std::string path = text.substr(text.find("/j/"), 3 + 40);
  auto joined = client.get(path);
  EXPECT_EQ(joined.status, 302);
  EXPECT_EQ(joined.header("Location"), "https://meet.example.org/panel");
  auto connection = service->connect();
  {
    pqxx::read_transaction tx(connection);
    EXPECT_FALSE(tx.exec_params1("SELECT first_joined_at FROM registrations WHERE email = $1", email)[0].is_null());
  }
  EXPECT_EQ(client.get("/j/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").status, 404);
  ASSERT_EQ(client.del("/api/v1/registrations/" + registered["manage_token"].get<std::string>()).status, 200);
  auto after = client.get(path);
  EXPECT_EQ(after.status, 410);
  EXPECT_EQ(after.header("Location"), "");
}

// Outages and races, each with its own server and workers: not the suite's shared service, since each
// case stops its SMTP server, kills its workers or needs a spool of its own.

TEST(NotificationsDelivery, SmtpDownMeansRetriesThenDeliveryOnceItIsBack) {
  SmtpServer smtp;
  // Enough attempts that the last does not come before the SMTP server is back, however slowly a
  // loaded machine restarts it (with 3, one run in eight gave up first).
  auto env = fast_worker(smtp.url());
  env["WORKER_MAX_ATTEMPTS"] = "8";
  Service service("convene_it_notifications_down", env);
  smtp.stop();
  const std::string email = unique_email("patient");
  Client client = service.client();
  ASSERT_EQ(client.post("/api/v1/events/south-south-2021/registrations",
                        {{"email", email}, {"name", "Patient"}, {"consent", true}})
                .status,
            201);
  auto attempts = [&] {
    auto connection = service.connect();
    pqxx::read_transaction tx(connection);
    return tx.exec1("SELECT attempts FROM outbox")[0].as<int>();
  };
  EXPECT_TRUE(eventually([&] { return attempts() >= 2; }, std::chrono::seconds(20)));
  smtp.start();
  EXPECT_TRUE(eventually([&] { return smtp.messages().size() == 1; }, std::chrono::seconds(30)));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(smtp.messages().size(), 1u);
}

TEST(NotificationsDelivery, TwoWorkersRacingSendEachMessageOnce) {
  SmtpServer smtp;
  auto env = fast_worker(smtp.url());
  Service service("convene_it_notifications_race", env);
  // The server's own worker stays, and two more join it: three workers on one outbox.
  auto worker_env = service.env();
  WorkerProcess one(worker_env), two(worker_env);
  Client client = service.client();
  std::vector<std::string> people;
  for (int i = 0; i < 30; ++i) {
    people.push_back(unique_email("race" + std::to_string(i)));
    ASSERT_EQ(client.post("/api/v1/events/south-south-2021/registrations",
                          {{"email", people.back()}, {"name", "Racer"}, {"consent", true}})
                  .status,
              201);
  }
  ASSERT_TRUE(eventually([&] { return smtp.messages().size() >= people.size(); }, std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::seconds(5));  // past a lease, so a double claim would have shown
  const auto mails = inspect_mail(smtp.messages());
  EXPECT_EQ(mails.size(), people.size());
  for (const auto& person : people) EXPECT_EQ(mails_to(mails, person, "confirmation").size(), 1u) << person;
}

TEST(NotificationsDelivery, AWorkerKilledMidBatchLosesNothingAndResendsNothingSent) {
  SmtpServer smtp("", 0.2);  // 0.2 s per message before DATA, so that the kill lands mid-batch
  auto env = fast_worker(smtp.url());
  Service service("convene_it_notifications_kill", env);
  service.restart({"--no-worker"});  // no in-process worker: only the one we kill
  ServerProcess& server = service.server();
  Client client(server.port());
  std::vector<std::string> people;
  for (int i = 0; i < 40; ++i) {
    people.push_back(unique_email("kill" + std::to_string(i)));
    ASSERT_EQ(client.post("/api/v1/events/south-south-2021/registrations",
                          {{"email", people.back()}, {"name", "Survivor"}, {"consent", true}})
                  .status,
              201);
  }
  auto one_loop = service.env();
  one_loop["WORKER_THREADS"] = "1";  // one delivery loop: at most one message in hand when killed
  std::string doomed_log;
  {
    WorkerProcess doomed(one_loop);
    ASSERT_TRUE(eventually([&] { return smtp.messages().size() >= 5; }, std::chrono::seconds(30)));
    doomed.stop(SIGKILL);  // mid-batch: it had claimed up to 20
    doomed_log = doomed.log();
  }
  const std::size_t before_restart = smtp.messages().size();
  EXPECT_LT(before_restart, people.size());
  WorkerProcess successor(service.env());
  ASSERT_TRUE(eventually([&] { return smtp.messages().size() >= people.size(); }, std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const auto mails = inspect_mail(smtp.messages());
  // Nothing lost; at most the one message the worker was handing over when killed arrives twice,
  // and then both copies carry the same Message-ID (the duplicate is detectable).
  std::map<std::string, std::set<std::string>> ids_by_person;
  std::map<std::string, int> copies;
  for (const auto& m : mails) {
    ids_by_person[m["headers"]["X-Envelope-To"]].insert(m["headers"]["Message-ID"]);
    ++copies[m["headers"]["X-Envelope-To"]];
  }
  int duplicated = 0;
  for (const auto& person : people) {
    EXPECT_EQ(ids_by_person[person].size(), 1u) << person;
    EXPECT_GE(copies[person], 1) << person << " lost";
    duplicated += copies[person] > 1;
  }
  EXPECT_LE(duplicated, 1) << doomed_log << successor.log();
  auto connection = service.connect();
  pqxx::read_transaction tx(connection);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM outbox WHERE status = 'sent'")[0].as<int>(), 40);
}

TEST(NotificationsDelivery, TheSpoolGetsWholeFilesOnly) {
  const std::string spool = "/tmp/convene-it-spool-" + std::to_string(getpid());
  std::filesystem::remove_all(spool);
  Service service("convene_it_notifications_spool",
                  {{"SPOOL_DIR", spool}, {"WORKER_POLL_MS", "100"}, {"WORKER_PLAN_SECONDS", "1"}});
  Client client = service.client();
  for (int i = 0; i < 5; ++i) {
    client.post("/api/v1/events/south-south-2021/registrations",
                {{"email", unique_email("spool")}, {"name", "Spooled"}, {"consent", true}});
  }
  auto files = [&] {
    std::vector<std::string> found;
    if (!std::filesystem::exists(spool)) return found;
    for (const auto& e : std::filesystem::directory_iterator(spool)) found.push_back(e.path().string());
    return found;
  };
  ASSERT_TRUE(eventually([&] { return files().size() == 5; }, std::chrono::seconds(20)));
  for (const auto& f : files()) EXPECT_TRUE(f.ends_with(".eml")) << f;  // no temporary left behind
  const auto mails = inspect_mail(files());
  for (const auto& m : mails) EXPECT_EQ(m["calendar"]["method"], "REQUEST");
  std::filesystem::remove_all(spool);
}

}  // namespace
}  // namespace convene::testing
