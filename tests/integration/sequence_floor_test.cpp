// `convene restore-floor` on a running installation: the binary raises the floor and prints it, the
// server already running serves invites and the feed above every SEQUENCE it mailed before (its
// listener hears the events' versions rise, so no restart is needed, although the guide has the
// command run before serving), the documents still read in Python's icalendar, the next update
// mailed carries the raised SEQUENCE, and nothing already planned is planned or mailed again.
// The point-in-time restore itself is tests/drills/restore.py.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <date/date.h>

#include "store/migrations.hpp"
#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

std::vector<int> sequences(const std::string& document) {
  std::vector<int> found;
  const std::regex sequence("\r\nSEQUENCE:(\\d+)\r\n");
  for (auto it = std::sregex_iterator(document.begin(), document.end(), sequence); it != std::sregex_iterator(); ++it)
    found.push_back(std::stoi((*it)[1]));
  return found;
}

std::string first_uid(const std::string& document) {
  std::smatch match;
  return std::regex_search(document, match, std::regex("\r\nUID:([^\r]+)\r\n")) ? match[1].str() : "";
}

// Minutes since 2020-01-01T00:00Z on this machine's clock.
long long minutes_since_2020() {
  using namespace std::chrono;
  return duration_cast<minutes>(system_clock::now() - date::sys_days{date::year{2020} / 1 / 1}).count();
}

class SequenceFloor : public ServiceSuite<"convene_it_sequence_floor"> {
 public:
  static void SetUpTestSuite() {
    spool = "/tmp/convene-it-floor-spool-" + std::to_string(getpid());
    std::filesystem::remove_all(spool);
    start({{"SPOOL_DIR", spool}, {"WORKER_POLL_MS", "100"}, {"WORKER_PLAN_SECONDS", "1"}});
  }
  static void TearDownTestSuite() {
    stop();
    std::filesystem::remove_all(spool);
  }

 protected:
  static inline std::string spool;

  // The messages of `kind` spooled for `email`, as inspect_mail reads them.
  std::vector<nlohmann::json> mailed(const std::string& email, const std::string& kind) {
    std::vector<nlohmann::json> found;
    const auto files = message_files(spool);
    if (files.empty()) return found;
    for (const auto& m : inspect_mail(files)) {
      if (m["headers"].value("X-Convene-Kind", "") == kind &&
          m["headers"].value("To", "").find(email) != std::string::npos)
        found.push_back(m);
    }
    return found;
  }
  std::vector<nlohmann::json> wait_for_mail(const std::string& email, const std::string& kind, std::size_t count) {
    std::vector<nlohmann::json> found;
    eventually(
        [&] {
          found = mailed(email, kind);
          return found.size() >= count;
        },
        std::chrono::seconds(30));
    return found;
  }
  long long outbox_rows(const std::string& slug) {
    auto connection = service->connect();
    pqxx::read_transaction tx(connection);
    return tx.exec_params1("SELECT count(*) FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.slug = $1", slug)[0]
        .as<long long>();
  }
  void expect_python_icalendar_reads(const std::string& document, const std::string& uid, const std::string& start,
                                     const std::string& end) {
    const std::string path = "/tmp/convene-it-floor-" + std::to_string(getpid()) + ".ics";
    std::ofstream(path, std::ios::binary) << document;
    const auto result = run_program({"/usr/bin/python3", std::string(CONVENE_SOURCE_DIR) + "/tests/ical/python_check.py",
                                     "--file", path, "--expect", nlohmann::json{{uid, {start, end}}}.dump()},
                                    {});
    EXPECT_EQ(result.status, 0) << result.out << "\n" << document;
    std::remove(path.c_str());
  }
};

TEST_F(SequenceFloor, AfterRestoreFloorEveryCalendarIsAboveWhatWasMailedAndNothingIsMailedTwice) {
  ASSERT_TRUE(create_event(event_body("floor-panel", 20, {{"timezone", "Europe/Lisbon"},
                                                          {"sessions", {{{"starts_local", "2031-05-20T15:00"},
                                                                         {"duration_minutes", 60}}}}})));
  const auto registration = register_attendee("floor-panel", registrant("floor"));
  const std::string email = registration["email"], token = registration["manage_token"];
  const std::string invite_path = "/api/v1/registrations/" + token + "/invite.ics";
  const std::string feed_path = "/api/v1/events/floor-panel/calendar.ics";
  const auto event = client.get("/api/v1/events/floor-panel").json();
  const std::string session = "/api/v1/events/floor-panel/sessions/" + std::to_string(event["sessions"][0]["id"].get<int>());

  // Moved: an update is mailed with SEQUENCE 1 (a fresh database's floor is 0).
  ASSERT_EQ(client.patch(session, {{"starts_local", "2031-05-21T15:00"}}, admin()).status, 200);
  const auto updates = wait_for_mail(email, "update", 1);
  ASSERT_EQ(updates.size(), 1u);
  const int mailed_sequence = updates[0]["calendar"]["events"][0]["sequence"];
  EXPECT_EQ(mailed_sequence, 1);
  const auto invite_before = client.get(invite_path);
  const auto feed_before = client.get(feed_path);
  EXPECT_EQ(sequences(invite_before.body), std::vector<int>{1});
  EXPECT_EQ(sequences(feed_before.body), std::vector<int>{1});
  ASSERT_TRUE(eventually([&] { return outbox_rows("floor-panel") == 2; }, std::chrono::seconds(10)));  // confirmation, update

  const long long minutes_before = minutes_since_2020();
  const auto raised = run_convene({"restore-floor"}, service->env());
  const long long minutes_after = minutes_since_2020();
  ASSERT_EQ(raised.status, 0) << raised.transcript();
  std::smatch match;
  const std::string printed = raised.out;
  ASSERT_TRUE(std::regex_search(printed, match, std::regex(R"(sequence floor raised from (\d+) to (\d+))"))) << printed;
  EXPECT_EQ(std::stoll(match[1]), 0);
  const long long floor = std::stoll(match[2]);
  EXPECT_GE(floor, minutes_before);
  EXPECT_LE(floor, minutes_after);

  // The running server heard the change: what it serves now is above what was mailed.
  std::string invite;
  ASSERT_TRUE(eventually(
      [&] {
        invite = client.get(invite_path).body;
        return sequences(invite) == std::vector<int>{static_cast<int>(floor) + 1};
      },
      std::chrono::seconds(10)))
      << invite;
  EXPECT_GT(sequences(invite).at(0), mailed_sequence);
  EXPECT_EQ(first_uid(invite), first_uid(invite_before.body));  // the same calendar entry
  EXPECT_NE(client.get(invite_path).header("ETag"), invite_before.header("ETag"));
  expect_python_icalendar_reads(invite, first_uid(invite), "2031-05-21T14:00:00Z", "2031-05-21T15:00:00Z");
  const auto feed = client.get(feed_path);
  EXPECT_EQ(sequences(feed.body), std::vector<int>{static_cast<int>(floor) + 1});
  EXPECT_NE(feed.header("ETag"), feed_before.header("ETag"));
  // A calendar app polling with the ETag it holds gets the new copy, not 304.
  EXPECT_EQ(client.get(feed_path, {{"If-None-Match", feed_before.header("ETag")}}).status, 200);
  EXPECT_EQ(client.get(invite_path, {{"If-None-Match", invite_before.header("ETag")}}).status, 200);

  // Planning cycles (every second) add nothing: the outbox keeps the raw sequences.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(outbox_rows("floor-panel"), 2);
  EXPECT_EQ(mailed(email, "update").size(), 1u);
  EXPECT_EQ(mailed(email, "confirmation").size(), 1u);

  // The next move is mailed above the floor.
  ASSERT_EQ(client.patch(session, {{"starts_local", "2031-05-22T15:00"}}, admin()).status, 200);
  const auto next = wait_for_mail(email, "update", 2);
  ASSERT_EQ(next.size(), 2u);
  std::vector<int> mailed_sequences;
  for (const auto& m : next) mailed_sequences.push_back(m["calendar"]["events"][0]["sequence"]);
  std::sort(mailed_sequences.begin(), mailed_sequences.end());
  EXPECT_EQ(mailed_sequences, (std::vector<int>{1, static_cast<int>(floor) + 2}));
}

TEST_F(SequenceFloor, RunsOnADatabaseRestoredFromBeforeTheFloorExisted) {
  const std::string url = fresh_database("convene_it_sequence_floor_old");
  {
    pqxx::connection connection(url);
    store::apply_migrations(connection, 14);  // the schema of the release before 015
  }
  const auto raised = run_convene({"restore-floor"}, {{"DATABASE_URL", url}});
  ASSERT_EQ(raised.status, 0) << raised.transcript();
  EXPECT_NE(raised.err.find("applied migration 15"), std::string::npos) << raised.transcript();
  EXPECT_NE(raised.out.find("sequence floor raised from 0 to "), std::string::npos) << raised.transcript();
  const auto again = run_convene({"restore-floor"}, {{"DATABASE_URL", url}});
  ASSERT_EQ(again.status, 0) << again.transcript();
  pqxx::connection connection(url);
  pqxx::read_transaction tx(connection);
  const int floor = tx.exec1("SELECT floor FROM sequence_floor")[0].as<int>();
  EXPECT_NE(again.out.find("to " + std::to_string(floor)), std::string::npos) << again.transcript();
  EXPECT_GE(floor, minutes_since_2020() - 1);
}

TEST_F(SequenceFloor, IsInTheHelp) {
  const auto help = run_convene({"--help"}, {});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("convene restore-floor"), std::string::npos);
}

}  // namespace
}  // namespace convene::testing
