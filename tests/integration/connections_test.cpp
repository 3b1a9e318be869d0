// Connections that cannot starve the server (issue 17, part 5): the server on its own port, no nginx
// in front, against clients that hold connections open, trickle their headers or send huge ones.
//
//   - 1,000 idle keep-alive connections (half of them served once, half silent since connecting)
//     hold no thread, and a new client is answered at once;
//   - 300 clients sending one header line every 2 s do not stop anyone else being answered, and
//     each is answered 408 and cut off once HTTP_REQUEST_SECONDS have passed since its first byte;
//   - too many header fields, too many header bytes, a header line or request line too long: 431
//     (414 for the request line) with a problem body, before more than the limit is kept;
//   - an answer that says "Connection: close" ends its connection: an unread body, or the headers
//     after a request line cpp-httplib refused, are not read as a request;
//   - after floods of large headers (accepted ones and refused ones) RSS is back near where it was;
//   - a connection whose next request has come does not keep its thread while another waits for one.
//
// Every case prints what it measured on lines starting with "[ figures ]". The bounds are generous
// (correctness, not a benchmark: bench/connections.sh measures).
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double seconds_since(Clock::time_point from) { return std::chrono::duration<double>(Clock::now() - from).count(); }

// One answer read from a raw socket.
struct Answer {
  int status = 0;  // 0: none (closed or timed out first)
  std::string head;
  std::string body;
  std::string header(const std::string& name) const {
    const std::string key = "\r\n" + name + ": ";
    const std::size_t at = head.find(key);
    if (at == std::string::npos) return "";
    const std::size_t start = at + key.size();
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

// Reads one answer (head, then Content-Length bytes of body) from `fd` (5 s receive timeout).
Answer read_answer(int fd) {
  Answer answer;
  std::string text;
  char buffer[16384];
  std::size_t head_end = std::string::npos;
  while ((head_end = text.find("\r\n\r\n")) == std::string::npos) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return answer;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  answer.head = text.substr(0, head_end + 2);
  answer.body = text.substr(head_end + 4);
  if (answer.head.rfind("HTTP/1.1 ", 0) == 0) answer.status = std::atoi(answer.head.c_str() + 9);
  const std::string length = answer.header("Content-Length");
  const std::size_t want = length.empty() ? 0 : std::stoul(length);
  while (answer.body.size() < want) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.body.append(buffer, static_cast<std::size_t>(n));
  }
  return answer;
}

// Whether the server closed `fd` (after its answer, if any) within `patience`.
bool closed_by_server(int fd, std::chrono::milliseconds patience) {
  const auto deadline = Clock::now() + patience;
  char buffer[4096];
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return true;
  }
  return false;
}

// Sends `text` in pieces, stopping early once the server has answered (as a client reading its
// socket would); returns the bytes sent.
std::size_t send_until_answered(int fd, std::string_view text) {
  std::size_t sent = 0;
  while (sent < text.size()) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) break;
    const std::size_t piece = std::min<std::size_t>(16384, text.size() - sent);
    if (!send_all(fd, text.substr(sent, piece))) break;
    sent += piece;
  }
  return sent;
}

const std::string kHealth = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

// GET /healthz with `count` more header fields of `line_bytes` bytes each (name, value and CRLF).
std::string health_with_headers(std::size_t count, std::size_t line_bytes) {
  std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  request.reserve(request.size() + count * line_bytes + 2);
  for (std::size_t i = 0; i < count; ++i) {
    char name[32];
    const int n = std::snprintf(name, sizeof name, "X-Header-%05zu: ", i);
    request += name;
    request.append(line_bytes - static_cast<std::size_t>(n) - 2, 'v');
    request += "\r\n";
  }
  return request + "\r\n";
}

// One request on a new connection: its answer, and, if it was a refusal, whether the server then
// closed the connection.
struct Exchange {
  Answer answer;
  std::size_t sent = 0;
  bool closed = false;
};
Exchange round_trip(int port, const std::string& request) {
  Exchange out;
  const int fd = connect_raw(port);
  if (fd < 0) return out;
  out.sent = send_until_answered(fd, request);
  out.answer = read_answer(fd);
  out.closed = out.answer.status >= 400 && closed_by_server(fd, 3s);
  ::close(fd);
  return out;
}

// The connections a case opens need descriptors here as in the server (which raises its own).
void need_open_files(long count) {
  const long limit = raise_open_file_limit();
  if (limit < count) GTEST_SKIP() << "needs " << count << " open files, the limit is " << limit;
}

TEST(Connections, AThousandIdleKeepAliveConnectionsHoldNoThreadAndANewClientIsAnsweredAtOnce) {
  need_open_files(2200);
  if (IsSkipped()) return;
  Service service("convene_it_connections_idle");
  const int port = service.server().port();
  const pid_t pid = service.server().pid();
  ASSERT_EQ(Client(port).get("/healthz").status, 200);  // serving: its threads are all there
  std::this_thread::sleep_for(300ms);                    // and that client's connection is closed
  const long threads_before = thread_count(pid);
  const int sockets_before = open_sockets(pid);

  // Half served once and waiting for their next request, half silent since they connected.
  constexpr int kIdle = 1000;
  std::vector<int> fds;
  const auto opening = Clock::now();
  for (int i = 0; i < kIdle; ++i) {
    const int fd = connect_raw(port);
    ASSERT_GE(fd, 0) << "connection " << i << " refused";
    fds.push_back(fd);
    if (i % 2 == 0) {
      ASSERT_TRUE(send_all(fd, kHealth));
      ASSERT_EQ(read_answer(fd).status, 200) << "connection " << i << " was not served (" << seconds_since(opening)
                                             << " s after the first)";
    }
  }
  const double opened_in = seconds_since(opening);
  std::this_thread::sleep_for(300ms);
  const int sockets_during = open_sockets(pid);
  const long threads_during = thread_count(pid);

  const auto asked = Clock::now();
  const int answered = round_trip(port, kHealth).answer.status;
  const double answered_in = seconds_since(asked);
  // An idle connection that was served once is served again.
  ASSERT_TRUE(send_all(fds[0], kHealth));
  const int again = read_answer(fds[0]).status;

  std::printf("[ figures ] %d idle connections opened in %.2f s (%d served once): server sockets %d -> %d, threads "
              "%ld -> %ld; /healthz on a new connection answered %d in %.1f ms; a served one again: %d\n",
              kIdle, opened_in, kIdle / 2, sockets_before, sockets_during, threads_before, threads_during,
              answered, answered_in * 1000, again);
  EXPECT_LT(opened_in, 10.0) << "serving the first connections was held up by the idle ones";
  EXPECT_EQ(answered, 200);
  EXPECT_LT(answered_in, 2.0);
  EXPECT_EQ(again, 200);
  EXPECT_GE(sockets_during, sockets_before + kIdle) << "the server did not hold the idle connections";
  EXPECT_LE(threads_during, threads_before + 2) << "idle connections took threads";

  for (const int fd : fds) ::close(fd);
  EXPECT_TRUE(eventually([&] { return open_sockets(pid) <= sockets_before + 2; }, 5s))
      << open_sockets(pid) << " sockets held after the clients closed";
}

TEST(Connections, ClientsTricklingHeadersStarveNobodyAndAreAnswered408AtTheRequestDeadline) {
  need_open_files(1000);
  if (IsSkipped()) return;
  constexpr int kDeadlineSeconds = 4;  // the default is 10 s; shorter, so the case takes 12 s
  Service service("convene_it_connections_trickle", {{"HTTP_REQUEST_SECONDS", std::to_string(kDeadlineSeconds)}});
  const int port = service.server().port();
  const pid_t pid = service.server().pid();
  ASSERT_EQ(Client(port).get("/healthz").status, 200);
  std::this_thread::sleep_for(300ms);
  const int sockets_before = open_sockets(pid);

  constexpr int kSlow = 300;
  constexpr auto kGap = 2s;
  constexpr auto kTrickle = 10s;
  std::vector<int> fds;
  std::vector<Clock::time_point> first_byte;
  for (int i = 0; i < kSlow; ++i) {
    const int fd = connect_raw(port);
    ASSERT_GE(fd, 0) << "connection " << i << " refused";
    ASSERT_TRUE(send_all(fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    fds.push_back(fd);
    first_byte.push_back(Clock::now());
  }
  const auto started = Clock::now();

  // The slow clients: a header line each every 2 s, as long as the server keeps them.
  std::mutex mutex;
  std::vector<double> cut_after(kSlow, -1);  // seconds after the first byte the server answered or closed
  std::vector<std::string> answers(kSlow);
  std::atomic<bool> done{false};
  std::thread dripper([&] {
    for (int line = 1; Clock::now() - started < kTrickle; ++line) {
      std::this_thread::sleep_for(kGap);
      for (int i = 0; i < kSlow; ++i) {
        {
          std::lock_guard lock(mutex);
          if (cut_after[i] >= 0) continue;
        }
        send_all(fds[i], "X-Trickle-" + std::to_string(line) + ": a\r\n");
      }
    }
  });
  std::thread watcher([&] {
    std::vector<bool> watching(kSlow, true);
    while (!done) {
      std::vector<pollfd> polls;
      std::vector<int> index;
      for (int i = 0; i < kSlow; ++i) {
        if (watching[i]) {
          polls.push_back({fds[i], POLLIN, 0});
          index.push_back(i);
        }
      }
      if (polls.empty() || ::poll(polls.data(), polls.size(), 100) <= 0) continue;
      for (std::size_t k = 0; k < polls.size(); ++k) {
        if (polls[k].revents == 0) continue;
        const int i = index[k];
        char buffer[4096];
        const ssize_t n = ::recv(fds[i], buffer, sizeof buffer, MSG_DONTWAIT);
        std::lock_guard lock(mutex);
        if (cut_after[i] < 0) cut_after[i] = std::chrono::duration<double>(Clock::now() - first_byte[i]).count();
        if (n > 0) answers[i].append(buffer, static_cast<std::size_t>(n));
        else watching[i] = false;  // closed
      }
    }
  });

  // Meanwhile a polite client: /healthz on a new connection every 100 ms (giving up after 5 s).
  std::vector<double> polite;
  int failures = 0;
  int sockets_during = 0;
  while (Clock::now() - started < kTrickle) {
    const auto asked = Clock::now();
    const int status = round_trip(port, kHealth).answer.status;  // 0 after 5 s without an answer
    polite.push_back(seconds_since(asked));
    failures += status != 200;
    if (sockets_during == 0 && Clock::now() - started > 1s) sockets_during = open_sockets(pid);
    std::this_thread::sleep_for(100ms);
  }
  dripper.join();
  std::this_thread::sleep_for(500ms);
  done = true;
  watcher.join();

  int answered_408 = 0, problem_bodies = 0, still_open = 0;
  double earliest = kTrickle.count(), latest = 0;
  for (int i = 0; i < kSlow; ++i) {
    if (cut_after[i] < 0) {
      ++still_open;
      continue;
    }
    earliest = std::min(earliest, cut_after[i]);
    latest = std::max(latest, cut_after[i]);
    answered_408 += answers[i].rfind("HTTP/1.1 408", 0) == 0;
    problem_bodies += answers[i].find("application/problem+json") != std::string::npos &&
                      answers[i].find("\"status\":408") != std::string::npos;
  }
  for (const int fd : fds) ::close(fd);
  std::sort(polite.begin(), polite.end());
  std::printf("[ figures ] %d clients trickling a header line every 2 s (server sockets %d -> %d): %d answered 408 "
              "and cut off %.1f-%.1f s after their first byte (deadline %d s), %d still open; meanwhile /healthz on "
              "new connections: %zu requests, median %.1f ms, max %.1f ms, %d failed\n",
              kSlow, sockets_before, sockets_during, answered_408, earliest, latest, kDeadlineSeconds, still_open,
              polite.size(), 1000 * polite[polite.size() / 2], 1000 * polite.back(), failures);
  EXPECT_EQ(failures, 0);
  EXPECT_GT(polite.size(), 40u);
  EXPECT_LT(polite.back(), 1.0) << "a polite client waited while the slow ones trickled";
  EXPECT_EQ(still_open, 0) << "slow requests outlived the request deadline";
  EXPECT_EQ(answered_408, kSlow);
  EXPECT_EQ(problem_bodies, kSlow);
  EXPECT_GE(sockets_during, sockets_before + kSlow) << "the server did not hold the slow connections";
  EXPECT_GE(earliest, kDeadlineSeconds - 0.1);
  EXPECT_LT(latest, kDeadlineSeconds + 1.5);
  EXPECT_TRUE(eventually([&] { return open_sockets(pid) <= sockets_before + 2; }, 5s));
}

TEST(Connections, TooManyOrTooLargeHeadersAre431WithAProblemBeforeMoreThanTheLimitIsKept) {
  Service service("convene_it_connections_headers");
  service.restart({"--no-worker"});  // nothing else moving in the process
  ServerProcess& server = service.server();
  const int port = server.port();
  const pid_t pid = server.pid();
  auto expect_refused = [](const Exchange& e, int status, const std::string& detail_part, const std::string& what) {
    EXPECT_EQ(e.answer.status, status) << what << ": " << e.answer.head;
    EXPECT_EQ(e.answer.header("Content-Type"), "application/problem+json") << what;
    EXPECT_EQ(e.answer.header("Connection"), "close") << what;
    EXPECT_FALSE(e.answer.header("X-Request-Id").empty()) << what;
    EXPECT_FALSE(e.answer.header("Content-Security-Policy").empty()) << what;
    try {
      const auto body = nlohmann::json::parse(e.answer.body);
      EXPECT_EQ(body.value("status", 0), status) << what;
      EXPECT_EQ(body.value("type", ""), "/problems/bad-request") << what;
      EXPECT_NE(body.value("detail", "").find(detail_part), std::string::npos) << what << ": " << body.dump();
    } catch (const std::exception& error) {
      ADD_FAILURE() << what << ": not JSON: " << e.answer.body;
    }
    EXPECT_TRUE(e.closed) << what << ": the connection stayed open";
  };

  // At the limits: 100 header fields (Host and 99 more), 32 KiB in all, header lines of 8 KiB.
  EXPECT_EQ(round_trip(port, health_with_headers(99, 40)).answer.status, 200);
  EXPECT_EQ(round_trip(port, health_with_headers(3, 8192)).answer.status, 200);
  // Past them.
  expect_refused(round_trip(port, health_with_headers(100, 40)), 431, "at most 100 header fields", "101 header fields");
  expect_refused(round_trip(port, health_with_headers(5, 7000)), 431, "32 KiB", "35 KB of headers");
  expect_refused(round_trip(port, health_with_headers(1, 8193)), 431, "8 KiB", "a header line of 8,193 bytes");
  expect_refused(round_trip(port, "GET /healthz?" + std::string(8200, 'q') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
                 414, "request line", "a request line of 8 KiB");

  // The request: 5,000 headers of 8 KB (40 MB). Refused once the limit is passed: the
  // client, reading its socket as it sends, stops after a fraction of it (what the sockets'
  // buffers took meanwhile; the server reads no more than the limit).
  const long rss_before = rss_kib(pid);
  const std::string huge = health_with_headers(5000, 8192);
  std::vector<Exchange> floods;
  for (int i = 0; i < 10; ++i) floods.push_back(round_trip(port, huge));
  const long rss_after = rss_kib(pid);
  std::size_t most_sent = 0;
  for (const auto& e : floods) {
    expect_refused(e, 431, "32 KiB", "5,000 headers of 8 KB");
    most_sent = std::max(most_sent, e.sent);
  }
  std::printf("[ figures ] 10 requests of 5,000 headers of 8 KB (%.1f MB each): answered %d after at most %zu KiB "
              "sent; server RSS %ld -> %ld KiB\n",
              static_cast<double>(huge.size()) / 1e6, floods.front().answer.status, most_sent / 1024, rss_before,
              rss_after);
  EXPECT_LT(rss_after - rss_before, 4 * 1024) << "the refused headers were kept";
  // And it still serves.
  EXPECT_EQ(round_trip(port, kHealth).answer.status, 200);
}

TEST(Connections, AnAnswerThatSaysCloseEndsItsConnectionSoWhatWasLeftUnreadIsNeverReadAsARequest) {
  Service service("convene_it_connections_close");
  const int port = service.server().port();
  // Refusals decided from the headers leave the body unread and say "Connection: close"; a body
  // that is itself a request must not be answered as one (cpp-httplib 0.11 alone would read on).
  const std::string inner = kHealth;
  const std::string length = std::to_string(inner.size());
  const std::string json_event = "POST /api/v1/events/south-south-2021/registrations HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  const std::vector<std::string> heads = {
      "POST /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + length + "\r\n\r\n",           // 404
      json_event + "Content-Type: text/plain\r\nContent-Length: " + length + "\r\n\r\n",                 // 415
      json_event + "Content-Type: application/json\r\nContent-Length: 70000\r\n\r\n",                    // 413
  };
  for (const std::string& head : heads) {
    const int fd = connect_raw(port);
    ASSERT_GE(fd, 0);
    // The body a moment after the head, as a slow network delivers it.
    ASSERT_TRUE(send_all(fd, head));
    std::this_thread::sleep_for(200ms);
    send_all(fd, inner);
    const Answer answer = read_answer(fd);
    EXPECT_GE(answer.status, 400) << head;
    EXPECT_EQ(answer.header("Connection"), "close") << head;
    // Nothing more comes: no answer to the inner request, and the end of the connection.
    char buffer[4096];
    const ssize_t more = ::recv(fd, buffer, sizeof buffer, 0);
    EXPECT_EQ(more, 0) << head << "\nthen: " << std::string(buffer, static_cast<std::size_t>(std::max<ssize_t>(more, 0)));
    ::close(fd);
  }
  // A request line cpp-httplib cannot parse leaves the headers after it unread: 400, and the end of
  // the connection, not a second 400 for the headers read as a request (found by fuzz/http_routes,
  // corpus regression_bad_request_line_closes.http).
  const int fd = connect_raw(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, "BREW /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Then: more\r\n\r\n"));
  const Answer answer = read_answer(fd);
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.header("Connection"), "close");
  char buffer[4096];
  const ssize_t more = ::recv(fd, buffer, sizeof buffer, 0);
  EXPECT_EQ(more, 0) << "then: " << std::string(buffer, static_cast<std::size_t>(std::max<ssize_t>(more, 0)));
  ::close(fd);
}

// A client that sent "Expect: 100-continue" has its request served at once (it waits for the
// interim answer before it sends its body), so its body is read on a pool thread, not by the gate:
// a body that then never comes is still cut off at the request's deadline, with a 408 (not the 400
// cpp-httplib makes of a failed read), and the connection ends.
TEST(Connections, ABodyThatNeverComesAfterExpectContinueIs408AtTheRequestDeadline) {
  constexpr int kDeadlineSeconds = 2;
  Service service("convene_it_connections_expect", {{"HTTP_REQUEST_SECONDS", std::to_string(kDeadlineSeconds)}});
  const int fd = connect_raw(service.server().port());
  ASSERT_GE(fd, 0);
  const auto sent = Clock::now();
  ASSERT_TRUE(send_all(fd,
                       "POST /api/v1/events/south-south-2021/registrations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Content-Type: application/json\r\nContent-Length: 50\r\nExpect: 100-continue\r\n\r\n"));
  std::string received;  // everything until the server closes: "100 Continue", then the refusal
  char buffer[4096];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10'000) <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  const double after = seconds_since(sent);
  ::close(fd);
  std::printf("[ figures ] a body promised after Expect: 100-continue and never sent: answered and closed after "
              "%.1f s (deadline %d s)\n",
              after, kDeadlineSeconds);
  EXPECT_NE(received.find("HTTP/1.1 408"), std::string::npos) << received;
  EXPECT_NE(received.find("did not arrive whole in time"), std::string::npos) << received;
  EXPECT_GE(after, kDeadlineSeconds - 0.2);
  EXPECT_LT(after, kDeadlineSeconds + 4.0);
  // The server is unharmed.
  EXPECT_EQ(Client(service.server().port()).get("/healthz").status, 200);
}

// A keep-alive connection whose next request has already come does not keep its thread while
// another connection waits for one: it goes behind it. Set up deterministically with the fewest
// threads there can be (4): four connections each send two registrations at once (for two events),
// for addresses two test transactions are writing, so the first four wait (four threads busy) and
// each second one is already whole when its first is answered; a fifth connection asks for /healthz
// meanwhile and waits for a thread. When the first transaction ends, the four first registrations
// are answered; the health check must then be answered while the second transaction still holds the
// four second ones.
// (A thread that went on with its own connection's next request would wait on it with the others,
// and the health check until the second transaction ends.)
TEST(Connections, AConnectionWhoseNextRequestHasComeGoesBehindOnesWaitingForAThread) {
  Service service("convene_it_connections_turns", {{"HTTP_THREADS", "4"}});
  // Two events, so that no first registration is written in a batch with a second one (a batch is
  // of one event), which would hold it until the second transaction ends.
  const std::string slug = "turns", next_slug = "turns-next";
  ASSERT_TRUE(create_event(service, event_body(slug, 100)));
  ASSERT_TRUE(create_event(service, event_body(next_slug, 100)));
  constexpr int kThreads = 4;
  std::vector<std::string> first, second;
  for (int i = 0; i < kThreads; ++i) {
    first.push_back(unique_email("turn-first"));
    second.push_back(unique_email("turn-second"));
  }
  auto first_holder_connection = service.connect();
  pqxx::work first_holder(first_holder_connection);
  hold_addresses(first_holder, slug, first);
  auto second_holder_connection = service.connect();
  pqxx::work second_holder(second_holder_connection);
  hold_addresses(second_holder, next_slug, second);

  const int port = service.server().port();
  auto registration = [&](const std::string& event, const std::string& email) {
    const std::string body = nlohmann::json{{"email", email}, {"name", "Turn"}, {"consent", true}}.dump();
    return "POST /api/v1/events/" + event + "/registrations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  std::vector<int> registrants;
  for (int i = 0; i < kThreads; ++i) {
    registrants.push_back(connect_raw(port));
    ASSERT_GE(registrants.back(), 0);
    ASSERT_TRUE(send_all(registrants.back(), registration(slug, first[i]) + registration(next_slug, second[i])));
  }
  ASSERT_TRUE(eventually([&] { return backends_waiting_on_locks(service) >= 1; }, 5s)) << "nothing waited";
  std::this_thread::sleep_for(500ms);  // the four first registrations hold the four threads
  const int health = connect_raw(port);
  ASSERT_GE(health, 0);
  ASSERT_TRUE(send_all(health, kHealth));
  pollfd answered{health, POLLIN, 0};
  ASSERT_EQ(::poll(&answered, 1, 300), 0) << "the health check found a thread free: the four were not all busy";

  first_holder.abort();
  for (int fd : registrants) {
    const Answer answer = read_answer(fd);
    EXPECT_EQ(answer.status, 201) << answer.body;
  }
  // Well before the second registrations' statements could time out (5 s) and free their threads.
  const auto asked = Clock::now();
  const bool in_time = ::poll(&answered, 1, 2000) == 1;
  std::printf("[ figures ] health check, after the first registrations were answered: %s after %.3f s\n",
              in_time ? "answered" : "still waiting", seconds_since(asked));
  EXPECT_TRUE(in_time) << "the health check waited while threads served their own connections' next requests";
  EXPECT_GE(backends_waiting_on_locks(service), 1) << "the second registrations were not still waiting";
  second_holder.abort();
  EXPECT_EQ(read_answer(health).status, 200);

  for (int fd : registrants) {
    EXPECT_EQ(read_answer(fd).status, 201);
    ::close(fd);
  }
  ::close(health);
}

TEST(Connections, MemoryReturnsAfterFloodsOfLargeHeaders) {
  Service service("convene_it_connections_memory");
  service.restart({"--no-worker"});  // nothing else moving in the process
  ServerProcess& server = service.server();
  const int port = server.port();
  const pid_t pid = server.pid();

  // 5,000 requests with one 8 KB header each, from 50 keep-alive connections at once (accepted: 200),
  // and 50 requests of 5,000 headers of 8 KB (refused: 431).
  const std::string large = health_with_headers(1, 8192);
  const std::string huge = health_with_headers(5000, 8192);
  auto flood = [&] {
    std::atomic<int> answered{0}, refused{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 50; ++c) {
      clients.emplace_back([&] {
        const int fd = connect_raw(port);
        if (fd < 0) return;
        for (int i = 0; i < 100; ++i) {
          if (!send_all(fd, large) || read_answer(fd).status != 200) break;
          ++answered;
        }
        ::close(fd);
        refused += round_trip(port, huge).answer.status == 431;
      });
    }
    for (auto& client : clients) client.join();
    return std::pair{answered.load(), refused.load()};
  };
  const long rss_at_start = rss_kib(pid);
  flood();  // warm-up: every pool thread has served, malloc has its arenas
  std::this_thread::sleep_for(1s);
  const long rss_before = rss_kib(pid);
  const auto [answered, refused] = flood();
  std::this_thread::sleep_for(1s);
  const long rss_after = rss_kib(pid);
  std::printf("[ figures ] 5,000 requests with an 8 KB header (%d answered 200) and 50 of 5,000 headers of 8 KB (%d "
              "refused 431): RSS %ld KiB at start, %ld KiB after a first such flood, %ld KiB after a second (%+ld KiB)\n",
              answered, refused, rss_at_start, rss_before, rss_after, rss_after - rss_before);
  EXPECT_EQ(answered, 5000);
  EXPECT_EQ(refused, 50);
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer keeps freed memory in quarantine: RSS says nothing about what is kept there.
#else
  EXPECT_LT(rss_after - rss_before, 8 * 1024) << "RSS grew by more than 8 MiB";
  EXPECT_LT(rss_after - rss_at_start, 24 * 1024) << "RSS grew by more than 24 MiB";
#endif
}

}  // namespace
}  // namespace convene::testing
