#include "http/connection.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

namespace convene::http {
namespace {

using namespace std::chrono_literals;

// Bytes read from a socket at a time (and so the most a connection keeps beyond its request).
constexpr std::size_t kReadChunk = 16 * 1024;
// A connection the server ends after an answer (a refusal, or an answer that says "Connection:
// close" with the request's body unread) is read, and what comes discarded, until the client
// closes it or this passes: closing a socket with unread bytes sends a reset, which can destroy
// the answer before the client reads it.
constexpr auto kDrain = 2s;

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

int milliseconds_until(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 3'600'000));
}

Connection::Connection(int fd, const ConnectionOptions& options)
    : fd_(fd), options_(options), idle_since_(Clock::now()) {}

Connection::~Connection() {
  ::shutdown(fd_, SHUT_RDWR);
  ::close(fd_);
}

std::string Connection::method() const {
  const std::string_view line(pending_.data(), std::min(pending_.size(), pending_.find_first_of(" \r\n")));
  return std::string(line.substr(0, 16));
}

Connection::Arrival Connection::receive() {
  if (!read_some()) return Arrival::closed;
  return scan();
}

Connection::Arrival Connection::await(std::chrono::milliseconds patience) {
  if (const Arrival arrival = scan(); arrival != Arrival::waiting) return arrival;
  if (!wait_for(fd_, POLLIN, Clock::now() + patience)) return Arrival::waiting;
  return receive();
}

Clock::time_point Connection::deadline() const {
  if (closing_) return closing_since_ + kDrain;
  if (pending_.empty()) return idle_since_ + std::chrono::seconds(options_.limits.idle_seconds);
  return request_deadline();
}

bool Connection::drain() {
  std::array<char, kReadChunk> scratch;
  for (int reads = 0; reads < 4; ++reads) {
    const ssize_t n = ::recv(fd_, scratch.data(), scratch.size(), MSG_DONTWAIT);
    if (n > 0 || (n < 0 && errno == EINTR)) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);  // still open
  }
  return true;
}

void Connection::close_gracefully(const std::string& last_words) {
  if (!last_words.empty()) ::send(fd_, last_words.data(), last_words.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(fd_, SHUT_WR);
  closing_ = true;
  closing_since_ = Clock::now();
  std::string().swap(pending_);
}

ssize_t Connection::read(char* out, std::size_t size) {
  while (consumed_ == pending_.size()) {
    if (!wait_for(fd_, POLLIN, request_deadline())) {
      deadline_passed_ = Clock::now() >= request_deadline();
      return -1;
    }
    if (!read_some()) return -1;  // the client closed or reset
  }
  const std::size_t n = std::min(size, pending_.size() - consumed_);
  std::memcpy(out, pending_.data() + consumed_, n);
  consumed_ += n;
  return static_cast<ssize_t>(n);
}

bool Connection::readable() const {
  return consumed_ < pending_.size() || wait_for(fd_, POLLIN, request_deadline());
}

bool Connection::writable() const { return wait_for(fd_, POLLOUT, Clock::now() + options_.write_timeout); }

// Sends first and waits only when the socket's buffer is full: a reply nearly always fits, and a
// poll before every send cost a system call per reply.
ssize_t Connection::write(const char* data, std::size_t size) {
  const auto deadline = Clock::now() + options_.write_timeout;
  do {
    const ssize_t n = ::send(fd_, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return n;
  } while (wait_for(fd_, POLLOUT, deadline));
  return -1;
}

void Connection::next_request() {
  ++served_;
  pending_.erase(0, consumed_);
  consumed_ = 0;
  scan_ = Scan{};
  deadline_passed_ = false;
  idle_since_ = request_started_ = Clock::now();
  // An idle connection keeps no buffer: a thousand of them would otherwise hold their largest request each.
  if (pending_.empty()) std::string().swap(pending_);
}

// One recv into the kept bytes, without waiting; false once the client has closed (or reset).
bool Connection::read_some() {
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
Connection::Arrival Connection::scan() {
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

void Connection::note_header(std::string_view line) {
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

namespace {
// The address getpeername or getsockname gives for `fd`; empty if it gives none.
Connection::Address address_of(int fd, int (*name_of)(int, sockaddr*, socklen_t*)) {
  Connection::Address found;
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (name_of(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) ip_and_port(address, length, found.ip, found.port);
  return found;
}
}  // namespace

const Connection::Address& Connection::remote() const {
  if (!remote_) remote_ = address_of(fd_, ::getpeername);
  return *remote_;
}

const Connection::Address& Connection::local() const {
  if (!local_) local_ = address_of(fd_, ::getsockname);
  return *local_;
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = connection_.remote().ip;
  port = connection_.remote().port;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = connection_.local().ip;
  port = connection_.local().port;
}

}  // namespace convene::http
