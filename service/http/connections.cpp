#include "http/connections.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

namespace convene::http {
namespace {

using namespace std::chrono_literals;

// After an answer, a keep-alive client usually sends its next request at once (a script, a
// benchmark, nginx reusing its upstream connection): waiting this long for it on the thread saves
// handing the connection to the gate and back. Only while no other connection waits for a thread.
constexpr auto kLinger = 2ms;
// How often the gate looks for connections past their deadline (so deadlines are this late at most).
constexpr auto kSweep = 100ms;

// The connection this thread serves a request of (for request_deadline_passed), and whether its
// answer says "Connection: close".
thread_local const Connection* t_serving = nullptr;
thread_local bool t_close_after_answer = false;

}  // namespace

bool request_deadline_passed() { return t_serving != nullptr && t_serving->deadline_passed(); }

void close_after_answer() { t_close_after_answer = true; }

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
      queued_.store(jobs_.size(), std::memory_order_relaxed);
      return;
    }
    Worker* worker = idle_.back();
    idle_.pop_back();
    worker->job = std::move(job);
    lock.unlock();
    worker->wake.notify_one();
  }

  // Whether a job waits for a thread (read without the lock: a moment late at worst).
  bool has_queued() const { return queued_.load(std::memory_order_relaxed) > 0; }

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
        queued_.store(jobs_.size(), std::memory_order_relaxed);
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
  std::atomic<std::size_t> queued_ = 0;  // jobs_.size(), for has_queued
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
    t_close_after_answer = false;
    t_serving = connection.get();
    ConnectionStream stream(*connection);
    const bool last = connection->served() + 1 >= options_.keep_alive_max_count;
    bool closed = false;
    const bool ok = serve_(stream, last, closed);
    t_serving = nullptr;
    if (!ok) return;  // the client is gone, or the answer could not be written: the last owner closes it
    // cpp-httplib 0.11 would go on reading a connection whose answer says "Connection: close" (sent
    // when the request's body was left unread): that body would be read as the next request.
    if (closed || last || connection->deadline_passed() || t_close_after_answer) {
      connection->close_gracefully();
      return gate_->park(std::move(connection));
    }
    connection->next_request();
    // While other connections wait for a thread, this one takes its turn behind them: had it kept
    // the thread for its next request, the connections that hold a thread would keep them and the
    // ones queued behind would wait until one of those paused (measured at 256 connections on 128
    // threads: p99 165-190 ms against a median of 17 ms).
    const bool others_wait = pool_->has_queued();
    const auto arrival = connection->await(others_wait ? 0ms : kLinger);
    if (arrival == Connection::Arrival::whole) {
      if (!others_wait) continue;
      return dispatch(std::move(connection));
    }
    if (arrival != Connection::Arrival::closed) gate_->park(std::move(connection));
    return;
  }
}

}  // namespace convene::http
