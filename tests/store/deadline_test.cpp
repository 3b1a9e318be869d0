// convene's own deadline on statements and commits (store/deadline.hpp): a round trip still waiting at
// DB_DEADLINE_MS is cancelled, or its socket shut when the server is silent, and reported as
// DeadlinePassed (outcome unknown), the connection never reused. The synchronous-standby case, a
// commit waiting for a standby that is gone, is the standby-lost drill (tests/drills) on real
// replicated clusters; here the two ways out are shown on one server.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "store/deadline.hpp"
#include "support/store_suite.hpp"

namespace convene::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A statement that would outlive any deadline: PostgreSQL's own timeout is lifted in its transaction.
const store::Statement kSleep{"test_deadline_sleep", "SELECT pg_sleep($1::float8)"};
const store::Statement kOne{"test_deadline_one", "SELECT 1 AS one"};

using StoreDeadline = StoreSuite<"convene_st_deadline">;

store::PoolOptions options_with_deadline(const std::string& url, std::chrono::milliseconds deadline) {
  store::PoolOptions options{url, 2};
  options.deadline = deadline;
  return options;
}

// A relay to PostgreSQL that can go silent, as a server behind a dead network does: once frozen it
// neither forwards nor answers, and takes no new connection. Clients reach it on a unix socket (so the
// test cluster's local trust applies) in a folder of its own; it reaches the server as `url` does.
class FreezingRelay {
 public:
  explicit FreezingRelay(const std::string& url) {
    pqxx::connection probe(url);
    const std::string host = probe.hostname() != nullptr ? probe.hostname() : "";
    const std::string port = probe.port();
    if (!host.empty() && host.front() == '/') {
      upstream_unix_ = host + "/.s.PGSQL." + port;
    } else {
      upstream_host_ = host.empty() ? "127.0.0.1" : host;
      upstream_port_ = std::stoi(port);
    }
    char folder[] = "/tmp/convene-relay-XXXXXX";
    folder_ = ::mkdtemp(folder);
    listener_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = folder_ + "/.s.PGSQL.5432";
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener_, 16) != 0)
      throw std::runtime_error("the relay cannot listen on " + path);
    // The same database and user as `url`, through the relay.
    url_ = store::conninfo_for_host(url, folder_, "5432");
    thread_ = std::thread([this] { run(); });
  }
  ~FreezingRelay() {
    stopping_ = true;
    thread_.join();
    ::close(listener_);
    std::filesystem::remove_all(folder_);
  }
  const std::string& url() const { return url_; }
  void freeze() { frozen_ = true; }

 private:
  int connect_upstream() const {
    if (!upstream_unix_.empty()) {
      const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un address{};
      address.sun_family = AF_UNIX;
      std::snprintf(address.sun_path, sizeof address.sun_path, "%s", upstream_unix_.c_str());
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
      return fd;
    }
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    ::inet_pton(AF_INET, upstream_host_.c_str(), &address.sin_addr);
    address.sin_port = htons(static_cast<std::uint16_t>(upstream_port_));
    ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    return fd;
  }

  void run() {
    std::vector<std::pair<int, int>> pairs;  // client, upstream
    while (!stopping_) {
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      for (auto [client, upstream] : pairs) {
        fds.push_back({client, POLLIN, 0});
        fds.push_back({upstream, POLLIN, 0});
      }
      if (frozen_) {
        std::this_thread::sleep_for(50ms);
        continue;
      }
      if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
      if (fds[0].revents & POLLIN) pairs.emplace_back(::accept(listener_, nullptr, nullptr), connect_upstream());
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
        const auto [client, upstream] = pairs[(i - 1) / 2];
        const int from = i % 2 == 1 ? client : upstream, to = i % 2 == 1 ? upstream : client;
        char buffer[16384];
        const ssize_t n = ::read(from, buffer, sizeof buffer);
        if (n > 0) ::send(to, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL);
      }
    }
    for (auto [client, upstream] : pairs) {
      ::close(client);
      ::close(upstream);
    }
  }

  std::string upstream_unix_, upstream_host_;
  int upstream_port_ = 0;
  std::string folder_, url_;
  int listener_ = -1;
  std::atomic<bool> frozen_{false}, stopping_{false};
  std::thread thread_;
};

TEST_F(StoreDeadline, AStatementStillRunningAtTheDeadlineIsCancelledAndItsOutcomeUnknown) {
  store::Store bounded(options_with_deadline(url, 1000ms));
  const auto started = Clock::now();
  EXPECT_THROW(bounded.transact([&](store::Tx& tx) {
    store::sql(tx).exec("SET LOCAL statement_timeout = 0");
    store::exec(tx, kSleep, 30);
  }),
               store::DeadlinePassed);
  const auto took = Clock::now() - started;
  EXPECT_GE(took, 1000ms);
  EXPECT_LT(took, 2500ms) << "the cancel should end the statement well before the socket is shut";
  // The cancel reached the server: nothing of that statement is still running there.
  EXPECT_TRUE(eventually(
      [&] {
        auto connection = connect();
        return pqxx::nontransaction(connection)
                   .exec("SELECT count(*) FROM pg_stat_activity WHERE query = '" + kSleep.sql() +
                         "' AND state = 'active'")[0][0]
                   .as<int>() == 0;
      },
      3s));
  // Its connection was dropped, and the store goes on with a fresh one.
  EXPECT_EQ(bounded.pool_figures().open, 0u);
  bounded.transact([&](store::Tx& tx) { EXPECT_EQ(store::exec(tx, kOne)[0]["one"].as<int>(), 1); });
}

TEST_F(StoreDeadline, ASilentServerIsLeftAtTheDeadline) {
  FreezingRelay relay(url);
  store::Store bounded(options_with_deadline(relay.url(), 1000ms));
  bounded.transact([&](store::Tx& tx) { EXPECT_EQ(store::exec(tx, kOne)[0]["one"].as<int>(), 1); });

  relay.freeze();
  const auto started = Clock::now();
  try {
    bounded.transact([&](store::Tx& tx) { store::exec(tx, kOne); });
    ADD_FAILURE() << "a frozen server answered";
  } catch (const DatabaseUnavailable& e) {
    EXPECT_TRUE(e.outcome_unknown()) << e.what();
  }
  const auto took = Clock::now() - started;
  // The cancel cannot get through either; the socket is shut a second after the deadline.
  EXPECT_GE(took, 1000ms);
  EXPECT_LT(took, 3000ms);
  EXPECT_EQ(bounded.pool_figures().open, 0u);
}

TEST_F(StoreDeadline, RoundTripsWithinTheDeadlineAreLeftAlone) {
  store::Store bounded(options_with_deadline(url, 2000ms));  // statement_timeout: 1 s
  // Many short statements and commits, and slow ones close to the statement timeout: none is cut.
  for (int i = 0; i < 200; ++i)
    bounded.transact([&](store::Tx& tx) { EXPECT_EQ(store::exec(tx, kOne)[0]["one"].as<int>(), 1); });
  bounded.transact([&](store::Tx& tx) { store::exec(tx, kSleep, 0.8); });
  bounded.autocommit([&](store::Tx& tx) { store::exec(tx, kSleep, 0.8); });
  EXPECT_EQ(bounded.pool_figures().open, 1u);
}

TEST_F(StoreDeadline, PostgresqlsOwnTimeoutEndsASlowStatementFirstWithNothingChanged) {
  store::Store bounded(options_with_deadline(url, 2000ms));
  // statement_timeout is 1 s inside the deadline: the server ends the statement and says so.
  EXPECT_THROW(bounded.transact([&](store::Tx& tx) { store::exec(tx, kSleep, 30); }), DatabaseTimeout);
  EXPECT_EQ(bounded.pool_figures().open, 1u) << "a statement timeout leaves the connection good";
}

TEST_F(StoreDeadline, AUrlIsNarrowedToOneHostKeepingItsOtherSettings) {
  const std::string narrowed = store::conninfo_for_host(
      "postgresql://app:s3cr%27t@db1:5432,db2:5433/convene?target_session_attrs=read-write&sslmode=require",
      "db2", "5433");
  EXPECT_NE(narrowed.find("host='db2' port='5433'"), std::string::npos) << narrowed;
  EXPECT_NE(narrowed.find("user='app'"), std::string::npos) << narrowed;
  EXPECT_NE(narrowed.find("password='s3cr\\'t'"), std::string::npos) << narrowed;
  EXPECT_NE(narrowed.find("dbname='convene'"), std::string::npos) << narrowed;
  EXPECT_NE(narrowed.find("sslmode='require'"), std::string::npos) << narrowed;
  EXPECT_EQ(narrowed.find("db1"), std::string::npos) << narrowed;
  EXPECT_EQ(narrowed.find("target_session_attrs"), std::string::npos) << narrowed;
  EXPECT_THROW(store::conninfo_for_host("postgresql://[bad", "h", "1"), std::invalid_argument);
}

}  // namespace
}  // namespace convene::testing
