#include "store/deadline.hpp"

#include <sys/socket.h>

#include <future>
#include <memory>
#include <stdexcept>
#include <vector>

#include "convene/request_deadline.hpp"

#include <libpq-fe.h>
#include <pqxx/connection>
#include <pqxx/nontransaction>

namespace convene::store {
namespace {

using Clock = std::chrono::steady_clock;

// Between the cancel and shutting the socket: a cancel that reaches the server ends a commit's wait
// within milliseconds; one that cannot reach it must not keep the request waiting much longer.
constexpr std::chrono::seconds kShutAfter{1};

std::string quoted(const char* value) {
  std::string out = "'";
  for (const char* c = value; *c != '\0'; ++c) {
    if (*c == '\'' || *c == '\\') out += '\\';
    out += *c;
  }
  return out + "'";
}

// A cancel that fails is not reported: the socket is shut kShutAfter later in any case.
void send_cancel(const std::string& url, const std::string& host, const std::string& port, int backend_pid) {
  try {
    pqxx::connection connection(conninfo_for_host(url, host, port));
    pqxx::nontransaction(connection).exec("SELECT pg_cancel_backend(" + std::to_string(backend_pid) + ")");
  } catch (const std::exception&) {
  }
}

}  // namespace

std::string conninfo_for_host(const std::string& url, const std::string& host, const std::string& port) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(url.c_str(), &error),
                                                                       PQconninfoFree);
  if (!options) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    throw std::invalid_argument("DATABASE_URL cannot be read: " + message);
  }
  std::string conninfo = "host=" + quoted(host.c_str()) + " port=" + quoted(port.c_str());
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    const std::string keyword = option->keyword;
    if (option->val == nullptr || keyword == "host" || keyword == "hostaddr" || keyword == "port" ||
        keyword == "target_session_attrs")
      continue;
    conninfo += " " + keyword + "=" + quoted(option->val);
  }
  return conninfo;
}

Deadline::Deadline(std::string url, std::chrono::milliseconds limit)
    : url_(std::move(url)), limit_(limit), thread_([this] { run(); }) {}

Deadline::~Deadline() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_one();
  thread_.join();
  cancels_.clear();  // waits for cancels still connecting
}

Deadline::Watch Deadline::watch(pqxx::connection_base& connection, bool& passed, Bound bound) {
  const auto now = Clock::now();
  auto due = now + limit_;
  if (const auto request_deadline = RequestDeadline::current(); request_deadline && bound == Bound::request) {
    // Nothing is sent once the request's time is up: its transaction is rolled back.
    if (*request_deadline <= now) throw DatabaseTimeout("the request's time for the database ran out");
    due = std::min(due, *request_deadline);
  }
  Entry entry{due, connection.sock(), connection.backendpid(),
              connection.hostname() != nullptr ? connection.hostname() : "",
              connection.port() != nullptr ? connection.port() : ""};
  std::uint64_t id;
  bool sooner;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    entries_.emplace(id, std::move(entry));
    sooner = due < next_wake_;
  }
  // The watcher sleeps until the earliest time it knows of; only an earlier one needs to wake it.
  if (sooner) changed_.notify_one();
  return Watch(*this, id, passed);
}

bool Deadline::end(std::uint64_t id) noexcept {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(id);
  if (found == entries_.end()) return false;
  const bool passed = found->second.cancelled;
  entries_.erase(found);
  return passed;
}

void Deadline::Watch::stop() noexcept {
  if (deadline_ == nullptr) return;
  if (deadline_->end(id_)) *passed_ = true;
  deadline_ = nullptr;
}

void Deadline::Watch::finish() {
  stop();
  // The Store turns this into DeadlinePassed, having discarded the connection.
  if (*passed_) throw std::runtime_error("deadline passed");
}

void Deadline::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // At most one entry per connection of the pool: a scan is cheap.
    const auto now = Clock::now();
    auto next = Clock::time_point::max();
    for (auto& [id, entry] : entries_) {
      if (!entry.cancelled) {
        if (entry.due > now) {
          next = std::min(next, entry.due);
          continue;
        }
        entry.cancelled = true;
        // On a thread of its own: connecting may take up to the connect timeout when the server is
        // unreachable, and the watcher must stay on time for every other round trip. Kept, so that
        // the destructor waits for it (finished ones are let go here).
        std::erase_if(cancels_, [](const std::future<void>& cancel) {
          return cancel.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
        });
        cancels_.push_back(std::async(std::launch::async, send_cancel, url_, entry.host, entry.port, entry.backend_pid));
      }
      if (!entry.shut) {
        if (entry.due + kShutAfter > now) {
          next = std::min(next, entry.due + kShutAfter);
          continue;
        }
        // The watched thread is still inside its call (its Watch has not ended), so the socket is
        // still that connection's: shutting it makes the call fail at once.
        ::shutdown(entry.socket, SHUT_RDWR);
        entry.shut = true;
      }
    }
    next_wake_ = next;
    if (next == Clock::time_point::max()) changed_.wait(lock);
    else changed_.wait_until(lock, next);
  }
}

}  // namespace convene::store
