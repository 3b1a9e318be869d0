// One client connection on the server's own port, and the bytes it sent that no request has used
// yet. It reads what comes without waiting, and counts the request line and header lines as they
// come, the way cpp-httplib will parse them, so that limits are enforced before more is kept
// (http/connections.hpp says who holds a connection when, and why).
//
// Not thread-safe: a connection belongs to one thread at a time (the gate's while its next request
// arrives, a pool thread's while that request is served), handed over under the queue's mutexes.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <httplib.h>

#include "app/config.hpp"

namespace convene::http {

using Clock = std::chrono::steady_clock;

struct ConnectionOptions {
  std::size_t threads = 128;
  app::HttpLimits limits;
  std::size_t max_body_bytes = 64 * 1024;  // the gate waits for bodies up to this (larger ones are refused 413)
  std::chrono::seconds write_timeout{10};
  std::size_t keep_alive_max_count = 100000;  // requests on one connection, then it is closed
};

// cpp-httplib's own cap on a header line (CPPHTTPLIB_HEADER_MAX_LENGTH, compiled into the library):
// a longer one it would answer 400; the gate answers 431 first, as RFC 6585 asks.
inline constexpr std::size_t kMaxHeaderLineBytes = 8192;
// cpp-httplib's cap on the request line (CPPHTTPLIB_REQUEST_URI_MAX_LENGTH): past it, 414.
inline constexpr std::size_t kMaxRequestLineBytes = 8192;

class Connection {
 public:
  enum class Arrival { waiting, whole, closed, uri_too_long, too_many_headers, headers_too_large };

  Connection(int fd, const ConnectionOptions& options);
  ~Connection();  // closes the socket
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  bool closing() const { return closing_; }
  std::size_t served() const { return served_; }
  bool request_under_way() const { return !pending_.empty(); }
  // The request line's first word, as far as it came (for the log and metrics).
  std::string method() const;

  // What one read (without waiting) brings; then whether a whole request is here.
  Arrival receive();
  // Waits up to `patience` for the rest of a request (on a pool thread).
  Arrival await(std::chrono::milliseconds patience);
  // When the gate gives up on the connection: its keep-alive timeout while no request is under way,
  // else the request's deadline; one the server is closing when the drain ends.
  Clock::time_point deadline() const;

  // While closing: discards what the client still sends (a few reads at a time, so that a client
  // sending without pause cannot keep the gate to itself); false once it has closed its side.
  bool drain();
  // Ends the connection from the server's side, after `last_words` (an answer refusing the
  // request, sent in one go without waiting: it is small and the socket's buffer empty). The client
  // sees the end at once; the connection stays until it closes its side too, or a while passes.
  void close_gracefully(const std::string& last_words = {});

  // --- For the Stream a pool thread serves the request through -------------------------------

  // Up to `size` bytes of the request: kept ones first, then from the socket until its deadline.
  ssize_t read(char* out, std::size_t size);
  bool readable() const;
  bool writable() const;
  ssize_t write(const char* data, std::size_t size);
  // Whether a read for the request being served ran past HttpLimits::request_seconds.
  bool deadline_passed() const { return deadline_passed_; }

  // The request just served is done: what came after it (a pipelined request) is the next one's.
  void next_request();

  // The addresses of the two ends, looked up on the first request and kept: cpp-httplib asks for
  // them on every request, and getpeername plus getnameinfo each time cost about 1.5% of the
  // server's CPU per registration.
  struct Address {
    std::string ip;
    int port = 0;
  };
  const Address& remote() const;
  const Address& local() const;

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
  bool read_some();
  Arrival scan();
  void note_header(std::string_view line);

  const int fd_;
  const ConnectionOptions& options_;
  std::string pending_;        // bytes received and not yet used by a request
  std::size_t consumed_ = 0;   // of pending_, read by cpp-httplib for the request being served
  Scan scan_;
  Clock::time_point idle_since_, request_started_;
  std::size_t served_ = 0;
  bool deadline_passed_ = false;
  bool closing_ = false;
  Clock::time_point closing_since_;
  mutable std::optional<Address> remote_, local_;  // looked up on first use, once a connection
};

using ConnectionPtr = std::shared_ptr<Connection>;

// The request as cpp-httplib reads it: from the bytes the gate kept, then from the socket.
class ConnectionStream final : public httplib::Stream {
 public:
  explicit ConnectionStream(Connection& connection) : connection_(connection) {}
  bool is_readable() const override { return connection_.readable(); }
  bool is_writable() const override { return connection_.writable(); }
  ssize_t read(char* ptr, size_t size) override { return connection_.read(ptr, size); }
  ssize_t write(const char* ptr, size_t size) override { return connection_.write(ptr, size); }
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return connection_.fd(); }

 private:
  Connection& connection_;
};

// Milliseconds from now until `deadline`, for poll and epoll_wait (0 once it has passed).
int milliseconds_until(Clock::time_point deadline);

}  // namespace convene::http
