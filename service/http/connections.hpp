// Connections on the server's own port (issue 17): what keeps clients that hold connections open,
// trickle their requests or send huge headers from starving everyone else, with nothing in front.
//
// cpp-httplib 0.11 serves each connection on one thread of its pool from accept to close: an idle
// keep-alive connection holds its thread for the keep-alive timeout, a request line and headers may
// take any time as long as each byte comes within the read timeout, and headers have no limit in
// number. Debian ships it compiled, so its macros cannot change that; instead the server hands
// every accepted socket to a ConnectionQueue (through its virtual process_and_close_socket) and
// asks cpp-httplib only to parse and answer requests that have arrived whole:
//
//   - the gate, one thread on epoll, holds every connection that has no whole request yet: idle
//     keep-alive connections and requests still arriving cost a file descriptor and their bytes,
//     never a thread. It reads what comes, counts header lines and bytes as they come (431 past
//     the limits, before more is kept), waits for the body announced by Content-Length (up to the
//     body limit), and closes idle connections after HttpLimits::idle_seconds and answers 408 to
//     requests not whole after HttpLimits::request_seconds;
//   - the pool, `threads` threads (the one that went idle last takes the next request, so that a
//     light load keeps to a few warm threads), serves whole requests (cpp-httplib's parser and our handlers),
//     from a Stream over the bytes the gate kept. A request it must read more of (a body sent after
//     "Expect: 100-continue", or one larger than the gate waits for) is read under the same deadline.
//     After an answer it waits a moment (kLinger) for the next request, then gives the connection
//     back to the gate; while other connections wait for a thread it does not wait, and a next
//     request already here goes behind theirs, so that no connection keeps a thread to itself; an
//     answer that says "Connection: close" ends the connection (the gate reads and discards what
//     still comes until the client closes, so that the answer is not lost to a reset).
//
// Threads: accept runs on cpp-httplib's listening thread (which only looks at a new socket once and
// hands it on), the gate on its own, requests on the pool's. A connection belongs to one of them at
// a time and is passed on under a mutex.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <httplib.h>

#include "http/connection.hpp"

namespace convene::http {

class ConnectionQueue : public httplib::TaskQueue {
 public:
  // Serves one request that has arrived whole on `stream`: cpp-httplib's process_request. Returns
  // false when the connection cannot go on; sets `connection_closed` when the request said so.
  using Serve = std::function<bool(httplib::Stream& stream, bool close_connection, bool& connection_closed)>;
  // The whole HTTP response (status line to body) that refuses a request the gate will not take:
  // 408 for one too slow, 414 for a request line too long, 431 for headers too many or too large. `method` is the request line's
  // first word, as far as it came (for the log and metrics).
  using Refusal = std::function<std::string(int status, const std::string& detail, const std::string& method)>;

  ConnectionQueue(ConnectionOptions options, Serve serve, Refusal refusal);
  ~ConnectionQueue() override;

  // httplib::TaskQueue: the listening thread enqueues one task per accepted socket, which calls
  // the server's process_and_close_socket, which calls accepted(). It runs at once.
  void enqueue(std::function<void()> task) override;
  // Stops the gate (closing the connections it holds: none has a request in flight), then lets the
  // pool finish the requests it has and joins its threads.
  void shutdown() override;

  // Takes an accepted socket (on the listening thread, without waiting): to the pool if its request
  // is already whole, else to the gate.
  void accepted(int fd);

 private:
  class Pool;
  class Gate;
  void serve(ConnectionPtr connection);  // on a pool thread
  void dispatch(ConnectionPtr connection);

  ConnectionOptions options_;
  Serve serve_;
  Refusal refusal_;
  std::unique_ptr<Pool> pool_;
  std::unique_ptr<Gate> gate_;
};

// Whether the request this thread is serving ran past HttpLimits::request_seconds while its body
// was read (cpp-httplib then answers 400; the error handler makes it 408).
bool request_deadline_passed();
// The answer being written says "Connection: close": the connection ends after it (cpp-httplib 0.11
// goes on reading the connection otherwise). Called on the thread serving the request.
void close_after_answer();

}  // namespace convene::http
