// When the machine's tz database changes, `convene tz-refresh` recomputes every future session's
// instant from its wall time and zone. The changed database is a fixture: a copy of
// /usr/share/zoneinfo in which America/Sao_Paulo is compiled by zic from a hand-written rule that
// brings back the daylight saving time Brazil abolished in 2019. The binary sees it through a bind
// mount in a private mount namespace (unshare), so nothing outside the test changes.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

namespace fs = std::filesystem;

// The common fixture, whose service starts only where the binary can be given another tz database.
class TzRefresh : public ServiceSuite<"convene_it_tz_refresh"> {
 public:
  static void SetUpTestSuite() {
    if (geteuid() != 0 || !fs::exists("/usr/bin/unshare") || !fs::exists("/usr/sbin/zic")) return;
    start();
    fixture = fs::temp_directory_path() / ("convene-tzdata-" + std::to_string(getpid()));
    fs::remove_all(fixture);
    fs::create_directories(fixture);
    const auto copied = run_program({"/bin/cp", "-a", "/usr/share/zoneinfo", (fixture / "zoneinfo").string()}, {});
    ASSERT_EQ(copied.status, 0) << copied.transcript();
    std::ofstream(fixture / "brazil-dst.zi") << "# Brazil as if it had kept daylight saving time (test fixture)\n"
                                                "Rule Fixture 2019 max - Nov Sun>=1 0:00 1:00 -\n"
                                                "Rule Fixture 2020 max - Feb Sun>=15 0:00 0 -\n"
                                                "Zone America/Sao_Paulo -3:00 Fixture -03/-02\n";
    const auto zic = run_program({"/usr/sbin/zic", "-d", (fixture / "zoneinfo").string(), (fixture / "brazil-dst.zi").string()}, {});
    ASSERT_EQ(zic.status, 0) << zic.transcript();
    // The fixture announces itself as a newer release.
    const auto versioned =
        run_program({"/usr/bin/sed", "-i", "1s/.*/# version 2099z/", (fixture / "zoneinfo" / "tzdata.zi").string()}, {});
    ASSERT_EQ(versioned.status, 0) << versioned.transcript();
  }
  static void TearDownTestSuite() {
    stop();
    if (!fixture.empty()) fs::remove_all(fixture);
  }

 protected:
  void SetUp() override {
    if (service == nullptr) GTEST_SKIP() << "needs root, unshare and zic to give the binary another tz database";
  }

  // convene tz-refresh, seeing the fixture database instead of the system's.
  CommandResult refresh_with_fixture() {
    const std::string script = "mount --bind '" + (fixture / "zoneinfo").string() +
                               "' /usr/share/zoneinfo && exec '" CONVENE_BINARY "' tz-refresh";
    return run_program({"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script},
                       service->env());
  }

  struct Stored {
    std::string starts_at;
    int sequence;
    std::string tzdb_version;
  };
  Stored stored(std::int64_t session_id) {
    auto connection = service->connect();
    pqxx::read_transaction tx(connection);
    auto row = tx.exec_params1(
        "SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), sequence, tzdb_version "
        "FROM sessions WHERE id = $1",
        session_id);
    return {row[0].as<std::string>(), row[1].as<int>(), row[2].as<std::string>()};
  }

  static inline fs::path fixture;
};

TEST_F(TzRefresh, NewRulesMoveFutureSessionsOnceAndOldRulesMoveThemBack) {
  auto created = client.post("/api/v1/events",
                             {{"slug", "sao-paulo-2030"}, {"title", "Encontro"}, {"timezone", "America/Sao_Paulo"},
                              {"capacity", 10}, {"registration_closes_at", nullptr},
                              {"sessions", {{{"starts_local", "2030-11-10T10:00"}, {"duration_minutes", 60}},
                                            {{"starts_local", "2030-06-10T10:00"}, {"duration_minutes", 60}}}}},
                             admin());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto november = created.json()["sessions"][1]["id"].get<std::int64_t>();  // sorted by start
  const auto june = created.json()["sessions"][0]["id"].get<std::int64_t>();
  // Today's rules: no DST in Brazil, so 10:00 is 13:00Z in November as in June.
  EXPECT_EQ(stored(november).starts_at, "2030-11-10T13:00:00Z");

  auto first = refresh_with_fixture();
  ASSERT_EQ(first.status, 0) << first.transcript();
  EXPECT_NE(first.out.find("tz database 2099z"), std::string::npos) << first.transcript();
  EXPECT_NE(first.out.find("1 moved"), std::string::npos) << first.transcript();
  // Under the fixture, November is summer time (-02:00): the wall time holds, the instant moves.
  EXPECT_EQ(stored(november).starts_at, "2030-11-10T12:00:00Z");
  EXPECT_EQ(stored(november).sequence, 1);
  EXPECT_EQ(stored(november).tzdb_version, "2099z");
  EXPECT_EQ(stored(june).starts_at, "2030-06-10T13:00:00Z");  // winter: unchanged
  EXPECT_EQ(stored(june).sequence, 0);
  EXPECT_EQ(stored(june).tzdb_version, "2099z");

  auto again = refresh_with_fixture();
  ASSERT_EQ(again.status, 0) << again.transcript();
  EXPECT_NE(again.out.find("0 moved"), std::string::npos) << again.transcript();
  EXPECT_EQ(stored(november).sequence, 1);

  auto back = run_convene({"tz-refresh"}, service->env());  // the system's rules again
  ASSERT_EQ(back.status, 0) << back.transcript();
  EXPECT_NE(back.out.find("1 moved"), std::string::npos) << back.transcript();
  EXPECT_EQ(stored(november).starts_at, "2030-11-10T13:00:00Z");
  EXPECT_EQ(stored(november).sequence, 2);

  auto connection = service->connect();
  pqxx::read_transaction tx(connection);
  const auto changes = tx.exec_params(
      "SELECT reason, old_tzdb_version, new_tzdb_version, new_sequence FROM session_changes WHERE session_id = $1 "
      "ORDER BY id",
      november);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0][0].as<std::string>(), "tzdata");
  EXPECT_EQ(changes[0][2].as<std::string>(), "2099z");
  EXPECT_EQ(changes[1][1].as<std::string>(), "2099z");
  EXPECT_EQ(changes[1][3].as<int>(), 2);
  // The public read shows the moved session with its new sequence.
  auto event = client.get("/api/v1/events/sao-paulo-2030").json();
  EXPECT_EQ(event["sessions"][1]["sequence"], 2);
}

TEST_F(TzRefresh, PastSessionsAreLeftAlone) {
  ASSERT_TRUE(create_event({{"slug", "sao-paulo-2018"}, {"title", "Passado"}, {"timezone", "America/Sao_Paulo"},
                            {"capacity", 10},
                            {"sessions", {{{"starts_local", "2018-12-01T10:00"}, {"duration_minutes", 60}}}}}));
  auto result = refresh_with_fixture();
  ASSERT_EQ(result.status, 0) << result.transcript();
  EXPECT_EQ(result.out.find("sao-paulo-2018"), std::string::npos) << result.transcript();
  const auto back = run_convene({"tz-refresh"}, service->env());  // the system's rules again
  EXPECT_EQ(back.status, 0) << back.transcript();
}

}  // namespace
}  // namespace convene::testing
