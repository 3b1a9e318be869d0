#include "http/connections.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace convene::http {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// cpp-httplib's own cap on a header line (CPPHTTPLIB_HEADER_MAX_LENGTH, compiled into the library):
// a longer one it would answer 400; the gate answers 431 first, as RFC 6585 asks.
constexpr std::size_t kMaxHeaderLineBytes = 8192;
// cpp-httplib's cap on the request line (CPPHTTPLIB_REQUEST_URI_MAX_LENGTH): past it, 414.
constexpr std::size_t kMaxRequestLineBytes = 8192;
// Bytes read from a socket at a time (and so the most a connection keeps beyond its request).
constexpr std::size_t kReadChunk = 16 * 1024;
// After an answer, a keep-alive client usually sends its next request at once (a script, a
// benchmark, nginx reusing its upstream connection): waiting this long for it on the thread saves
// handing the connection to the gate and back.
constexpr auto kLinger = 2ms;
// A connection the server ends after an answer (a refusal, or an answer that says "Connection:
// close" with the request's body unread) is read, and what comes discarded, until the client
// closes it or this passes: closing a socket with unread bytes sends a reset, which can destroy
// the answer before the client reads it.
constexpr auto kDrain = 2s;
// How often the gate looks for connections past their deadline (so deadlines are this late at most).
constexpr auto kSweep = 100ms;

thread_local bool t_deadline_passed = false;
thread_local bool t_close_after_answer = false;

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) == (y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
         });
}

bool contains_ignoring_case(std::string_view text, std::string_view word) {
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    if (equals_ignoring_case(text.substr(i, word.size()), word)) return true;
  }
  return false;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n'))
    text.remove_suffix(1);
  return text;
}

int milliseconds_until(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 3'600'000));
}

// Waits until `fd` is ready for `events` or `deadline` passes; whether it became ready.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, milliseconds_until(deadline));
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

bool ip_and_port(const sockaddr_storage& address, socklen_t length, std::string& ip, int& port) {
  if (address.ss_family == AF_INET) {
    port = ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  } else if (address.ss_family == AF_INET6) {
    port = ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  } else {
    return false;
  }
  std::array<char, NI_MAXHOST> host{};
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host.data(), host.size(), nullptr, 0,
                    NI_NUMERICHOST) != 0)
    return false;
  ip = host.data();
  return true;
}

}  // namespace

bool request_deadline_passed() { return t_deadline_passed; }

void close_after_answer() { t_close_after_answer = true; }

// One client connection and the bytes it sent that no request has used yet. Belongs to the gate
// while its next request arrives, to a pool thread while that request is served.
class Connection {
 public:
  enum class Arrival { waiting, whole, closed, uri_too_long, too_many_headers, headers_too_large };

  Connection(int fd, const ConnectionOptions& options) : fd_(fd), options_(options), idle_since_(Clock::now()) {}
  ~Connection() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  bool closing() const { return closing_; }
  std::size_t served() const { return served_; }

  // What one read (without waiting) brings; then whether a whole request is here.
  Arrival receive() {
    if (!read_some()) return Arrival::closed;
    return scan();
  }

  // Waits up to `patience` for the rest of a request (on a pool thread).
  Arrival await(std::chrono::milliseconds patience) {
    if (const Arrival arrival = scan(); arrival != Arrival::waiting) return arrival;
    if (!wait_for(fd_, POLLIN, Clock::now() + patience)) return Arrival::waiting;
    return receive();
  }

  // When the gate gives up on the connection: its keep-alive timeout while no request is under way,
  // else the request's deadline; one the server is closing when the drain ends.
  Clock::time_point deadline() const {
    if (closing_) return closing_since_ + kDrain;
    if (pending_.empty()) return idle_since_ + std::chrono::seconds(options_.limits.idle_seconds);
    return request_deadline();
  }
  bool request_under_way() const { return !pending_.empty(); }
  std::string method() const {
    const std::string_view line(pending_.data(), std::min(pending_.size(), pending_.find_first_of(" \r\n")));
    return std::string(line.substr(0, 16));
  }

  // While closing: discards what the client still sends (a few reads at a time, so that a client
  // sending without pause cannot keep the gate to itself); false once it has closed its side.
  bool drain() {
    std::array<char, kReadChunk> scratch;
    for (int reads = 0; reads < 4; ++reads) {
      const ssize_t n = ::recv(fd_, scratch.data(), scratch.size(), MSG_DONTWAIT);
      if (n > 0 || (n < 0 && errno == EINTR)) continue;
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);  // still open
    }
    return true;
  }
  // Ends the connection from the server's side, after `last_words` (an answer refusing the
  // request, sent in one go without waiting: it is small and the socket's buffer empty). The client
  // sees the end at once; the connection stays until it closes its side too (see kDrain).
  void close_gracefully(const std::string& last_words = {}) {
    if (!last_words.empty()) ::send(fd_, last_words.data(), last_words.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::shutdown(fd_, SHUT_WR);
    closing_ = true;
    closing_since_ = Clock::now();
    std::string().swap(pending_);
  }

  // --- For the Stream a pool thread serves the request through -------------------------------

  // Up to `size` bytes of the request: kept ones first, then from the socket until its deadline.
  ssize_t read(char* out, std::size_t size) {
    while (consumed_ == pending_.size()) {
      if (!wait_for(fd_, POLLIN, request_deadline())) {
        t_deadline_passed = Clock::now() >= request_deadline();
        return -1;
      }
      if (!read_some()) return -1;  // the client closed or reset
    }
    const std::size_t n = std::min(size, pending_.size() - consumed_);
    std::memcpy(out, pending_.data() + consumed_, n);
    consumed_ += n;
    return static_cast<ssize_t>(n);
  }
  bool readable() const { return consumed_ < pending_.size() || wait_for(fd_, POLLIN, request_deadline()); }
  bool writable() const { return wait_for(fd_, POLLOUT, Clock::now() + options_.write_timeout); }
  ssize_t write(const char* data, std::size_t size) {
    const auto deadline = Clock::now() + options_.write_timeout;
    while (wait_for(fd_, POLLOUT, deadline)) {
      const ssize_t n = ::send(fd_, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return n;
    }
    return -1;
  }

  // The request just served is done: what came after it (a pipelined request) is the next one's.
  void next_request() {
    ++served_;
    pending_.erase(0, consumed_);
    consumed_ = 0;
    scan_ = Scan{};
    idle_since_ = request_started_ = Clock::now();
    // An idle connection keeps no buffer: a thousand of them would otherwise hold their largest request each.
    if (pending_.empty()) std::string().swap(pending_);
  }

 private:
  // Where the reading of the request line and headers has got to.
  struct Scan {
    std::size_t next_line = 0;      // offset of the first line not looked at yet
    std::size_t lines = 0;          // request line and header lines seen
    std::size_t header_end = 0;     // offset just after the blank line, once seen
    std::size_t body = 0;           // bytes after header_end the gate waits for
    int content_lengths = 0;
    std::size_t content_length = 0;
    bool content_length_valid = true;
    bool chunked_or_continue = false;  // Transfer-Encoding, or Expect: 100-continue
    Arrival refused = Arrival::waiting;  // once past a limit, for good
  };

  Clock::time_point request_deadline() const {
    return request_started_ + std::chrono::seconds(options_.limits.request_seconds);
  }

  // One recv into the kept bytes, without waiting; false once the client has closed (or reset).
  bool read_some() {
    std::array<char, kReadChunk> chunk;
    while (true) {
      const ssize_t n = ::recv(fd_, chunk.data(), chunk.size(), MSG_DONTWAIT);
      if (n > 0) {
        if (pending_.empty()) request_started_ = Clock::now();
        pending_.append(chunk.data(), static_cast<std::size_t>(n));
        return true;
      }
      if (n < 0 && errno == EINTR) continue;
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
  }

  // Reads the lines that came since the last look, the way cpp-httplib will: a request line, then
  // header lines up to an empty one (CRLF); counts them and their bytes as they come.
  Arrival scan() {
    const auto& limits = options_.limits;
    Scan& s = scan_;
    const auto refuse = [&s](Arrival why) { return s.refused = why; };
    if (s.refused != Arrival::waiting) return s.refused;
    while (s.header_end == 0) {
      const std::size_t end = pending_.find('\n', s.next_line);
      if (end == std::string::npos) {
        if (s.lines == 0 && pending_.size() > kMaxRequestLineBytes) return refuse(Arrival::uri_too_long);
        if (pending_.size() > limits.max_header_bytes) return refuse(Arrival::headers_too_large);
        if (s.lines > 0 && pending_.size() - s.next_line > kMaxHeaderLineBytes)
          return refuse(Arrival::headers_too_large);
        return Arrival::waiting;
      }
      if (end + 1 > limits.max_header_bytes) return refuse(Arrival::headers_too_large);
      const std::string_view line(pending_.data() + s.next_line, end + 1 - s.next_line);
      s.next_line = end + 1;
      if (s.lines++ == 0) {
        if (line.size() > kMaxRequestLineBytes) return refuse(Arrival::uri_too_long);
        continue;
      }
      if (line == "\r\n") {
        s.header_end = end + 1;
        break;
      }
      if (s.lines - 1 > limits.max_headers) return refuse(Arrival::too_many_headers);
      if (line.size() > kMaxHeaderLineBytes) return refuse(Arrival::headers_too_large);
      note_header(line);
    }
    // Whatever the body is, cpp-httplib reads it from the Stream; the gate waits only for one of a
    // length it can count on, so that a slow body costs no thread. A client that sent "Expect:
    // 100-continue" waits for the interim answer before it sends its body, so its request goes on
    // at once (and its body is read under the same deadline).
    if (!s.chunked_or_continue && s.content_lengths == 1 && s.content_length_valid &&
        s.content_length <= options_.max_body_bytes)
      s.body = s.content_length;
    return pending_.size() >= s.header_end + s.body ? Arrival::whole : Arrival::waiting;
  }

  void note_header(std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trimmed(line.substr(colon + 1));
    if (equals_ignoring_case(name, "Content-Length")) {
      ++scan_.content_lengths;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), scan_.content_length);
      scan_.content_length_valid = error == std::errc() && end == value.data() + value.size();
    } else if (equals_ignoring_case(name, "Transfer-Encoding") ||
               (equals_ignoring_case(name, "Expect") && contains_ignoring_case(value, "100-continue"))) {
      scan_.chunked_or_continue = true;
    }
  }

  const int fd_;
  const ConnectionOptions& options_;
  std::string pending_;        // bytes received and not yet used by a request
  std::size_t consumed_ = 0;   // of pending_, read by cpp-httplib for the request being served
  Scan scan_;
  Clock::time_point idle_since_, request_started_;
  std::size_t served_ = 0;
  bool closing_ = false;
  Clock::time_point closing_since_;
};

namespace {

// The request as cpp-httplib reads it: from the bytes the gate kept, then from the socket.
class ConnectionStream final : public httplib::Stream {
 public:
  explicit ConnectionStream(Connection& connection) : connection_(connection) {}
  bool is_readable() const override { return connection_.readable(); }
  bool is_writable() const override { return connection_.writable(); }
  ssize_t read(char* ptr, size_t size) override { return connection_.read(ptr, size); }
  ssize_t write(const char* ptr, size_t size) override { return connection_.write(ptr, size); }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(connection_.fd(), reinterpret_cast<sockaddr*>(&address), &length) == 0)
      ip_and_port(address, length, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(connection_.fd(), reinterpret_cast<sockaddr*>(&address), &length) == 0)
      ip_and_port(address, length, ip, port);
  }
  socket_t socket() const override { return connection_.fd(); }

 private:
  Connection& connection_;
};

}  // namespace

// A fixed number of threads that run jobs, each job on one thread. An idle thread waits on its own
// condition variable in a stack, and the one that went idle last takes the next job: cpp-httplib's
// ThreadPool wakes any waiting thread, so a keep-alive connection that comes back to the pool would
// visit all of them in turn, each growing its stack and caches to working size (measured: 100,000
// requests from 4 clients grew the server by 2.5-2.8 MiB; by 8 KiB here).
class ConnectionQueue::Pool {
 public:
  explicit Pool(std::size_t threads) {
    workers_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
    for (auto& worker : workers_) worker->thread = std::thread([this, w = worker.get()] { run(*w); });
  }
  ~Pool() { shutdown(); }

  void enqueue(std::function<void()> job) {
    std::unique_lock lock(mutex_);
    if (idle_.empty()) {
      jobs_.push_back(std::move(job));  // every thread is busy: the first to finish takes it
      return;
    }
    Worker* worker = idle_.back();
    idle_.pop_back();
    worker->job = std::move(job);
    lock.unlock();
    worker->wake.notify_one();
  }

  // Runs the jobs queued, then ends the threads.
  void shutdown() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    for (auto& worker : workers_) worker->wake.notify_one();
    for (auto& worker : workers_) worker->thread.join();
  }

 private:
  struct Worker {
    std::condition_variable wake;
    std::function<void()> job;
    std::thread thread;
  };

  void run(Worker& worker) {
    std::unique_lock lock(mutex_);
    while (true) {
      if (!worker.job && !jobs_.empty()) {
        worker.job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      if (!worker.job) {
        if (stopping_) return;
        idle_.push_back(&worker);
        worker.wake.wait(lock, [&] { return worker.job || stopping_; });
        if (!worker.job) {
          std::erase(idle_, &worker);
          continue;  // stopping: takes what is queued, then ends
        }
      }
      auto job = std::move(worker.job);
      worker.job = nullptr;
      lock.unlock();
      job();
      job = nullptr;  // what it holds (a connection) is let go here, not under the lock
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<Worker*> idle_;  // the last one in takes the next job
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
};

// The thread that holds connections while nothing is to be done with them but wait for bytes.
class ConnectionQueue::Gate {
 public:
  explicit Gate(ConnectionQueue& queue) : queue_(queue) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (epoll_ < 0 || wake_ < 0) throw std::runtime_error(std::string("gate: ") + std::strerror(errno));
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = wake_;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &event);
    thread_ = std::thread([this] { run(); });
  }
  ~Gate() {
    stop();
    ::close(wake_);
    ::close(epoll_);
  }

  // Takes a connection to watch until its next request is whole (or its refusal is drained). A
  // connection parked after stop() is closed.
  void park(ConnectionPtr connection) {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      arriving_.push_back(std::move(connection));
    }
    signal();
  }

  // Closes every connection it holds and ends its thread.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      stopped_ = true;
    }
    signal();
    thread_.join();
  }

 private:
  void signal() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wake_, &one, sizeof one);
  }

  void run() {
    std::array<epoll_event, 256> events;
    auto next_sweep = Clock::now() + kSweep;
    while (true) {
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), milliseconds_until(next_sweep));
      std::vector<ConnectionPtr> arrived;
      {
        std::lock_guard lock(mutex_);
        if (stopped_) break;
        arrived.swap(arriving_);
      }
      for (int i = 0; i < n; ++i) {
        const int fd = events[static_cast<std::size_t>(i)].data.fd;
        if (fd == wake_) {
          std::uint64_t count;
          [[maybe_unused]] const auto read = ::read(wake_, &count, sizeof count);
          continue;
        }
        if (auto it = watched_.find(fd); it != watched_.end()) ready(it->second);
      }
      for (auto& connection : arrived) admit(std::move(connection));
      if (Clock::now() >= next_sweep) {
        sweep();
        next_sweep = Clock::now() + kSweep;
      }
    }
    watched_.clear();  // closes them
    std::lock_guard lock(mutex_);
    arriving_.clear();
  }

  // A connection handed over: its next request may be whole already (pipelined); else watch it.
  void admit(ConnectionPtr connection) {
    if (!connection->closing()) {
      const Next next = settle(*connection, connection->await(std::chrono::milliseconds(0)));
      if (next == Next::serve) return queue_.dispatch(std::move(connection));
      if (next == Next::close) return;
    }
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.fd = connection->fd();
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, connection->fd(), &event) == 0) watched_[connection->fd()] = std::move(connection);
  }

  // Bytes (or the end) came on a watched connection.
  void ready(ConnectionPtr connection) {  // a copy: it may leave watched_
    const Next next = connection->closing() ? (connection->drain() ? Next::watch : Next::close)
                                            : settle(*connection, connection->receive());
    if (next == Next::watch) return;
    forget(connection->fd());  // before the pool may have it (and close it, and its number be reused)
    if (next == Next::serve) queue_.dispatch(std::move(connection));
  }

  enum class Next { watch, serve, close };

  // What to do with a connection, given what arrived; refuses a request past the limits (and then
  // watches the connection until it is closed).
  Next settle(Connection& connection, Connection::Arrival arrival) {
    const auto& limits = queue_.options_.limits;
    switch (arrival) {
      case Connection::Arrival::waiting: return Next::watch;
      case Connection::Arrival::whole: return Next::serve;
      case Connection::Arrival::closed: return Next::close;
      case Connection::Arrival::uri_too_long:
        connection.close_gracefully(queue_.refusal_(
            414, "The request line may be at most " + std::to_string(kMaxRequestLineBytes / 1024) + " KiB.",
            connection.method()));
        return Next::watch;
      case Connection::Arrival::too_many_headers:
        connection.close_gracefully(queue_.refusal_(
            431, "A request may have at most " + std::to_string(limits.max_headers) + " header fields.",
            connection.method()));
        return Next::watch;
      case Connection::Arrival::headers_too_large:
        connection.close_gracefully(queue_.refusal_(
            431,
            "The request line and headers may be at most " + std::to_string(limits.max_header_bytes / 1024) +
                " KiB together, each header line at most " + std::to_string(kMaxHeaderLineBytes / 1024) + " KiB.",
            connection.method()));
        return Next::watch;
    }
    return Next::close;
  }

  // Connections past their deadline: idle ones are closed, slow requests answered 408.
  void sweep() {
    const auto now = Clock::now();
    std::vector<int> expired;
    for (auto& [fd, connection] : watched_) {
      if (now < connection->deadline()) continue;
      if (!connection->closing() && connection->request_under_way()) {
        connection->close_gracefully(queue_.refusal_(
            408, "The request did not arrive whole within " + std::to_string(queue_.options_.limits.request_seconds) + " s.",
            connection->method()));
      } else {
        expired.push_back(fd);
      }
    }
    for (const int fd : expired) forget(fd);
  }

  void forget(int fd) {
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
    watched_.erase(fd);
  }

  ConnectionQueue& queue_;
  int epoll_ = -1;
  int wake_ = -1;
  std::mutex mutex_;
  bool stopped_ = false;
  std::vector<ConnectionPtr> arriving_;
  std::unordered_map<int, ConnectionPtr> watched_;  // the gate's thread only
  std::thread thread_;
};

ConnectionQueue::ConnectionQueue(ConnectionOptions options, Serve serve, Refusal refusal)
    : options_(std::move(options)),
      serve_(std::move(serve)),
      refusal_(std::move(refusal)),
      pool_(std::make_unique<Pool>(options_.threads)),
      gate_(std::make_unique<Gate>(*this)) {}

ConnectionQueue::~ConnectionQueue() = default;

// The task is cpp-httplib's process_and_close_socket for a socket just accepted, which calls
// accepted(): it runs here, on the listening thread, since all it does is look at the socket once
// and hand it on without waiting. So accepting never waits for a thread of the pool.
void ConnectionQueue::enqueue(std::function<void()> task) { task(); }

void ConnectionQueue::shutdown() {
  gate_->stop();
  pool_->shutdown();
}

void ConnectionQueue::accepted(int fd) {
  auto connection = std::make_shared<Connection>(fd, options_);
  switch (connection->await(std::chrono::milliseconds(0))) {
    case Connection::Arrival::whole: return dispatch(std::move(connection));
    case Connection::Arrival::closed: return;
    default: return gate_->park(std::move(connection));  // the gate refuses what must be
  }
}

void ConnectionQueue::dispatch(ConnectionPtr connection) {
  pool_->enqueue([this, connection = std::move(connection)]() mutable { serve(std::move(connection)); });
}

void ConnectionQueue::serve(ConnectionPtr connection) {
  while (true) {
    t_deadline_passed = t_close_after_answer = false;
    ConnectionStream stream(*connection);
    const bool last = connection->served() + 1 >= options_.keep_alive_max_count;
    bool closed = false;
    const bool ok = serve_(stream, last, closed);
    if (!ok) return;  // the client is gone, or the answer could not be written: the last owner closes it
    // cpp-httplib 0.11 would go on reading a connection whose answer says "Connection: close" (sent
    // when the request's body was left unread): that body would be read as the next request.
    if (closed || last || t_deadline_passed || t_close_after_answer) {
      connection->close_gracefully();
      return gate_->park(std::move(connection));
    }
    connection->next_request();
    const auto arrival = connection->await(kLinger);
    if (arrival == Connection::Arrival::whole) continue;
    if (arrival != Connection::Arrival::closed) gate_->park(std::move(connection));
    return;
  }
}

}  // namespace convene::http
