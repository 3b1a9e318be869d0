// Fuzz target: the HTTP edge, in process: the real http::Server (cpp-httplib, our pre-routing checks,
// router, handlers, error handlers) with every route of the service, started once on a loopback port,
// and one request per input.
//
// Why a socket: the pre-routing checks (404, 405, 411, 413, 415, 429), the dispatch and the error
// handlers live inside http::Server as callbacks of its private httplib::Server, so the only way to
// run them is to hand it a connection. The store points at a PostgreSQL that cannot exist (a socket
// directory that is not there), so connecting fails at once: every route runs, and those that need the
// database answer 503. What is fuzzed without a database is everything before that: routing, the
// pre-routing checks, request ids, security headers, JSON body reading, the time routes, the pages
// and files served from memory, and the problem+json replies.
//
// Input: a request in a loose HTTP form, lines ending in LF (a CR before it is dropped):
//   METHOD /path?query
//   Header: value
//   ...
//   <empty line>
//   body (the rest)
// The harness makes it well-formed HTTP/1.1 so that the server's own logic is what gets fuzzed, not
// cpp-httplib's parser: bytes the path and query cannot hold are percent-encoded (so the server
// decodes exactly the bytes given; cpp-httplib keeps one of identical key=value pairs, and so does
// the harness), header names keep token characters, values lose control characters and '%' is sent
// as %25 (cpp-httplib 0.11 percent-decodes header values), empty headers are dropped, and so are
// Host, Connection, Expect and Upgrade (the harness sets the first two). Content-Length is set to
// the body's length, except that a Content-Length the server must refuse (not a number, over
// 64 KiB) is sent as given with no body; a Transfer-Encoding header is sent as given, with no body.
// Every request says Connection: close.
//
// Properties of every response:
//  - it arrives (no hang, no dropped connection), is HTTP/1.1 with a known status, and its body is
//    as long as Content-Length says (none for HEAD);
//  - never 500 (an exception escaped); 5xx only as 503 with Retry-After (the database is away);
//  - it carries X-Request-Id (the client's when acceptable, else 16 hex digits) and the security
//    headers;
//  - an unknown path is 404 and a known path with another method 405 with Allow listing the
//    router's methods; on a route: Transfer-Encoding is 411, a bad Content-Length 413, a body to a
//    JSON route without Content-Type application/json 415 (or 429 first, when rate-limited);
//  - errors of the API (/api/..., and every pre-routing refusal) are problem+json: an object with
//    the same status, a /problems/ type and a title; 429 and 503 carry Retry-After;
//  - GET /api/v1/time/convert answers exactly what convert() answers for the query's parameters;
//  - the request metrics keep few labels whatever clients send: /metrics names only HTTP's methods
//    (others as "other") and route patterns. It is read after one in eight requests with an unknown
//    method (chosen by the method, so that a failing input fails again on its own) and after every
//    256th input.
// Run it with -close_fd_mask=2 (the access log goes to stderr) and -detect_leaks=0 (the server's
// threads allocate after each answer, so libFuzzer would leak-check every input); see fuzz/run.sh.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/config.hpp"
#include "app/context.hpp"
#include "convene/time_conversion.hpp"
#include "fuzz_common.hpp"
#include "http/request.hpp"
#include "http/server.hpp"
#include "store/store.hpp"

using namespace convene;

namespace {

struct Service {
  app::Config config;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<app::Context> context;
  std::unique_ptr<http::Server> server;
  int port = 0;
};
Service* service = nullptr;  // lives as long as the process (its threads keep serving)

void start_service() {
  service = new Service;
  auto& s = *service;
  // Nothing listens there: libpq fails at once with "No such file or directory".
  s.config.database_url = "host=/nonexistent/convene-fuzz dbname=convene connect_timeout=1";
  s.config.base_url = "http://127.0.0.1";
  s.config.spool_dir = (std::filesystem::temp_directory_path() / "convene-fuzz-spool").string();
  s.config.db_pool_size = 2;
  s.config.http_threads = 4;
  store::PoolOptions pool;
  pool.url = s.config.database_url;
  pool.size = 2;
  pool.acquire_timeout = std::chrono::milliseconds(200);
  pool.connect_timeout = std::chrono::seconds(1);
  s.store = std::make_unique<store::Store>(pool);
  s.context.reset(new app::Context{*s.store, s.config, [] { return Instant{std::chrono::seconds{1631278800}}; },
                                   CursorCodec("fuzz-cursor-secret"), app::TokenMinter("fuzz-token-key")});
  s.server = std::make_unique<http::Server>(*s.context, http::ServerOptions{"127.0.0.1", 0, 4, 64});
  if (!s.server->bind()) {
    std::perror("http_routes: cannot bind 127.0.0.1");
    std::abort();
  }
  s.port = s.server->port();
  std::thread([] { service->server->serve(); }).detach();
}

// ---- Building the request ----------------------------------------------------------------------

bool is_token_char(unsigned char ch) {
  return std::isalnum(ch) || std::string_view("!#$&'*+-.^_`|~").find(static_cast<char>(ch)) != std::string_view::npos;
}

std::string percent_encode(std::string_view text, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || std::string_view("-._~").find(static_cast<char>(ch)) != std::string_view::npos ||
        (ch != '%' && keep.find(static_cast<char>(ch)) != std::string_view::npos)) {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

std::string_view trim_blanks(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

struct Request {
  std::string method;
  std::string path;                                         // as the server will see it (decoded)
  std::vector<std::pair<std::string, std::string>> params;  // likewise
  std::vector<std::pair<std::string, std::string>> headers; // likewise
  std::string body;
  std::optional<std::string> content_length;     // a refused one, sent as given
  std::optional<std::string> transfer_encoding;  // sent as given
  std::string wire;

  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n.size() == name.size() &&
          std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
        return v;
    }
    return std::nullopt;
  }
};

bool refused_length(std::string_view value) {
  std::size_t bytes = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), bytes);
  return error != std::errc() || end != value.data() + value.size() || bytes > 64 * 1024;
}

Request build_request(std::string_view input) {
  Request r;
  auto next_line = [&]() -> std::optional<std::string_view> {
    if (input.empty()) return std::nullopt;
    const std::size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  const std::string_view request_line = next_line().value_or("GET /");
  const std::size_t space = request_line.find(' ');
  for (unsigned char ch : request_line.substr(0, space))
    if (is_token_char(ch)) r.method += static_cast<char>(ch);
  if (r.method.empty()) r.method = "GET";
  std::string_view target = space == std::string_view::npos ? std::string_view("/") : request_line.substr(space + 1);
  const std::size_t question = target.find('?');
  r.path = std::string(target.substr(0, question));
  if (r.path.empty() || r.path.front() != '/') r.path.insert(r.path.begin(), '/');
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (true) {
      const std::size_t amp = query.find('&');
      const std::string_view part = query.substr(0, amp);
      const std::size_t eq = part.find('=');
      std::string key(part.substr(0, eq));
      std::string value(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
      // cpp-httplib 0.11 keeps one of identical key=value pairs (?to=UTC&to=UTC shows UTC once).
      const bool repeated = std::find(r.params.begin(), r.params.end(), std::pair{key, value}) != r.params.end();
      if (!key.empty() && !repeated) r.params.emplace_back(std::move(key), std::move(value));
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  while (auto line = next_line()) {
    if (line->empty()) break;
    const std::size_t colon = line->find(':');
    if (colon == std::string_view::npos) continue;
    std::string name;
    for (unsigned char ch : line->substr(0, colon))
      if (is_token_char(ch)) name += static_cast<char>(ch);
    std::string value;
    for (unsigned char ch : trim_blanks(line->substr(colon + 1)))
      if ((ch >= 0x20 || ch == '\t') && ch != 0x7F) value += static_cast<char>(ch);
    value = std::string(trim_blanks(value));
    if (name.empty() || value.empty()) continue;
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "host" || lower == "connection" || lower == "expect" || lower == "upgrade") continue;
    if (lower == "content-length") {
      if (!r.content_length && refused_length(value)) r.content_length = value;
      continue;
    }
    if (lower == "transfer-encoding") {
      if (!r.transfer_encoding) r.transfer_encoding = value;
      continue;
    }
    r.headers.emplace_back(std::move(name), std::move(value));
  }
  r.body = std::string(input);
  const bool sends_body = !r.content_length && !r.transfer_encoding;
  if (!sends_body) r.body.clear();

  std::string target_wire = percent_encode(r.path, "/!$&'()*+,;=:@");
  if (!r.params.empty()) {
    target_wire += '?';
    for (std::size_t i = 0; i < r.params.size(); ++i)
      target_wire += (i ? "&" : "") + percent_encode(r.params[i].first, "") + "=" + percent_encode(r.params[i].second, "");
  }
  r.wire = r.method + " " + target_wire + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [name, value] : r.headers) {
    std::string sent;
    for (char ch : value) sent += ch == '%' ? std::string("%25") : std::string(1, ch);
    r.wire += name + ": " + sent + "\r\n";
  }
  if (r.content_length) r.wire += "Content-Length: " + *r.content_length + "\r\n";
  if (r.transfer_encoding) r.wire += "Transfer-Encoding: " + *r.transfer_encoding + "\r\n";
  if (sends_body && !r.body.empty()) r.wire += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  r.wire += "\r\n" + r.body;
  return r;
}

// ---- Talking to the server ---------------------------------------------------------------------

// Whether `text` holds a whole response: the head, and as many body bytes as Content-Length says.
// (cpp-httplib alone kept a connection open after refusing a request line; the server now ends it,
// and a second answer, to the unread headers taken for a request, would be bytes past Content-Length.)
bool complete(const std::string& text, bool head) {
  const std::size_t end_of_head = text.find("\r\n\r\n");
  if (end_of_head == std::string::npos) return false;
  if (head) return true;
  std::string lower = text.substr(0, end_of_head);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::size_t at = lower.find("\r\ncontent-length:");
  if (at == std::string::npos) return false;  // read to the end
  const std::size_t length = std::strtoull(lower.c_str() + at + 17, nullptr, 10);
  return text.size() - end_of_head - 4 >= length;
}

std::uint64_t exchanges = 0;  // requests answered so far

std::string exchange(const std::string& wire, bool head) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  FUZZ_CHECK(fd >= 0, "socket()");
  timeval timeout{15, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(service->port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int connected;
  do {
    connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  } while (connected != 0 && (errno == EINTR || errno == EALREADY));  // interrupted: the connect goes on
  if (connected != 0 && errno == EISCONN) connected = 0;
  FUZZ_CHECK(connected == 0, "cannot connect to the server: errno " + std::to_string(errno));
  std::size_t sent = 0;
  int send_error = 0;
  while (sent < wire.size()) {
    const ssize_t n = ::send(fd, wire.data() + sent, wire.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // the server answered early and closed: read what it said
      send_error = errno;
      break;
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string response;
  char buffer[16384];
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;  // libFuzzer's SIGALRM (the -timeout watchdog)
    if (n > 0) {
      response.append(buffer, static_cast<std::size_t>(n));
      if (complete(response, head)) break;
      continue;
    }
    FUZZ_CHECK(!(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)), "no answer within 15 s");
    FUZZ_CHECK(!response.empty(), "connection closed without an answer: recv " + std::to_string(n) + ", errno " +
                                      std::to_string(n < 0 ? errno : 0) + ", sent " + std::to_string(sent) + " of " +
                                      std::to_string(wire.size()) + " (send errno " + std::to_string(send_error) + ")");
    break;  // EOF, or a reset after the answer
  }
  // Close with a reset: no TIME_WAIT, so a long run does not run out of ports.
  linger abortive{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
  ::close(fd);
  ++exchanges;
  return response;
}

struct Response {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::optional<std::string> header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::nullopt : std::optional(it->second);
  }
};

Response parse_response(const std::string& text, bool head) {
  Response r;
  const std::size_t end_of_head = text.find("\r\n\r\n");
  FUZZ_CHECK(end_of_head != std::string::npos, "no complete response: " + fuzz::show(text));
  FUZZ_CHECK(text.rfind("HTTP/1.1 ", 0) == 0 && text.size() > 12, "bad status line: " + fuzz::show(text));
  r.status = std::atoi(text.substr(9, 3).c_str());
  std::size_t pos = text.find("\r\n") + 2;
  while (pos < end_of_head) {
    const std::size_t eol = text.find("\r\n", pos);
    const std::string line = text.substr(pos, eol - pos);
    const std::size_t colon = line.find(':');
    FUZZ_CHECK(colon != std::string::npos, "bad header line: " + fuzz::show(line));
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    r.headers.emplace(name, std::string(trim_blanks(std::string_view(line).substr(colon + 1))));
    pos = eol + 2;
  }
  r.body = text.substr(end_of_head + 4);
  if (head || r.status == 304 || r.status == 204) {
    FUZZ_CHECK(r.body.empty(), "a body after HEAD, 204 or 304");
  } else if (auto length = r.header("content-length")) {
    FUZZ_CHECK(std::to_string(r.body.size()) == *length,
               "Content-Length " + *length + " but " + std::to_string(r.body.size()) + " bytes");
  }
  return r;
}

// ---- What the answer must be -------------------------------------------------------------------

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char ch) {
    return std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == ':';
  });
}

bool json_media_type(std::string_view type) {
  std::string lower;
  for (char ch : type.substr(0, type.find(';')))
    if (ch != ' ') lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return lower == "application/json";
}

const std::set<int> kKnownStatuses = {200, 201, 202, 204, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404,
                                      405, 406, 409, 410, 411, 412, 413, 414, 415, 422, 428, 429, 503};
const std::set<std::string> kHttplibMethods = {"GET",  "HEAD",    "POST",  "PUT", "DELETE",
                                               "CONNECT", "OPTIONS", "TRACE", "PATCH", "PRI"};

void check_problem(const Response& response, const std::string& context) {
  FUZZ_CHECK(response.header("content-type").value_or("").rfind("application/problem+json", 0) == 0,
             context + ": error without problem+json");
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  FUZZ_CHECK(body.is_object(), context + ": problem is not a JSON object: " + fuzz::show(response.body));
  FUZZ_CHECK(body.value("status", 0) == response.status, context + ": problem status differs: " + response.body);
  FUZZ_CHECK(body.contains("type") && body["type"].is_string() &&
                 body["type"].get<std::string>().rfind("/problems/", 0) == 0,
             context + ": problem type: " + response.body);
  FUZZ_CHECK(body.contains("title") && body["title"].is_string() && !body["title"].get<std::string>().empty(),
             context + ": problem title: " + response.body);
}

const std::set<std::string> kStandardMethods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

// Labels of the request metrics must stay few whatever clients send: methods HTTP defines (others
// as "other"), route patterns (never paths), statuses.
void check_metric_labels() {
  // The server logs a request after answering it: ask until every earlier exchange is counted.
  Response metrics;
  for (int attempt = 0;; ++attempt) {
    const std::uint64_t earlier = exchanges;
    metrics = parse_response(
        exchange("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", false), false);
    FUZZ_CHECK(metrics.status == 200, "/metrics answered " + std::to_string(metrics.status));
    std::uint64_t counted = 0;
    for (std::size_t pos = 0; (pos = metrics.body.find("\nconvene_http_requests_total{", pos)) != std::string::npos;) {
      pos = metrics.body.find("} ", pos);
      counted += std::strtoull(metrics.body.c_str() + pos + 2, nullptr, 10);
    }
    if (counted >= earlier) break;
    FUZZ_CHECK(attempt < 1000, "/metrics counts " + std::to_string(counted) + " of " + std::to_string(earlier) + " requests");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::set<std::string> routes = {"unmatched"};
  for (const auto& route : service->server->router().routes()) routes.insert(route.pattern);
  std::size_t pos = 0;
  while ((pos = metrics.body.find("convene_http_requests_total{", pos)) != std::string::npos) {
    const std::size_t end = metrics.body.find('\n', pos);
    const std::string line = metrics.body.substr(pos, end - pos);
    pos = end;
    const auto label = [&](const std::string& name) {
      const std::size_t at = line.find(name + "=\"");
      FUZZ_CHECK(at != std::string::npos, "no " + name + " label in " + fuzz::show(line));
      return line.substr(at + name.size() + 2, line.find('"', at + name.size() + 2) - at - name.size() - 2);
    };
    const std::string method = label("method");
    FUZZ_CHECK(kStandardMethods.count(method) == 1 || method == "other", "a method label from a client: " + fuzz::show(line));
    FUZZ_CHECK(routes.count(label("route")) == 1, "a route label that is not a pattern: " + fuzz::show(line));
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::report_fd = ::dup(2);  // kept when -close_fd_mask=2 silences the server's access log
  start_service();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Request request = build_request(std::string_view(reinterpret_cast<const char*>(data), size));
  const bool head = request.method == "HEAD";
  static std::uint64_t inputs = 0;
  struct Later {  // after this request has been answered
    bool on;
    ~Later() {
      if (on) check_metric_labels();
    }
  } later{(kStandardMethods.count(request.method) == 0 && fuzz::hash(request.method) % 8 == 0) || ++inputs % 256 == 0};
  const std::string raw = exchange(request.wire, head);
  const std::string context = request.method + " " + fuzz::show(request.path, 120);
  FUZZ_CHECK(!raw.empty(), context + ": connection closed without an answer");
  const Response response = parse_response(raw, head);
  const int status = response.status;
  FUZZ_CHECK(kKnownStatuses.count(status) == 1, context + ": status " + std::to_string(status) + "\n" + fuzz::show(raw, 2000));
  FUZZ_CHECK(status < 500 || status == 503, context + ": status " + std::to_string(status) + "\n" + fuzz::show(raw, 2000));
  if (status == 503 || status == 429) FUZZ_CHECK(response.header("retry-after").has_value(), context + ": no Retry-After");

  // Refused by cpp-httplib before our code: only for what it cannot take (its method list, long URIs).
  const bool httplib_may_refuse = kHttplibMethods.count(request.method) == 0 || request.wire.find("\r\n") > 8000;
  if (httplib_may_refuse && (status == 400 || status == 414)) return 0;
  FUZZ_CHECK(kHttplibMethods.count(request.method) == 1, context + ": unknown method got " + std::to_string(status));

  // Our pre-routing ran: request id and security headers.
  const auto id = response.header("x-request-id");
  FUZZ_CHECK(id.has_value(), context + ": no X-Request-Id (status " + std::to_string(status) + ")\n" + fuzz::show(raw, 2000));
  const auto given_id = request.header("X-Request-Id");
  if (given_id && acceptable_request_id(*given_id)) {
    FUZZ_CHECK(*id == *given_id, context + ": X-Request-Id not echoed");
  } else {
    FUZZ_CHECK(id->size() == 16 && id->find_first_not_of("0123456789abcdef") == std::string::npos,
               context + ": bad X-Request-Id " + fuzz::show(*id));
  }
  FUZZ_CHECK(response.header("x-content-type-options") == std::optional<std::string>("nosniff"), context);
  FUZZ_CHECK(response.header("x-frame-options") == std::optional<std::string>("DENY"), context);
  FUZZ_CHECK(response.header("content-security-policy").value_or("").rfind("default-src", 0) == 0, context);

  // Routing and the checks made before the body is read.
  const auto match = service->server->router().match(request.method, request.path);
  if (match.allowed.empty()) {
    FUZZ_CHECK(status == 404, context + ": unknown path answered " + std::to_string(status) + "\n" + fuzz::show(raw, 2000));
    if (!head) check_problem(response, context);
    return 0;
  }
  if (match.route == nullptr) {
    FUZZ_CHECK(status == 405, context + ": wrong method answered " + std::to_string(status));
    std::string allow;
    for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
    FUZZ_CHECK(response.header("allow") == std::optional(allow), context + ": Allow " + response.header("allow").value_or("-"));
    if (!head) check_problem(response, context);
    return 0;
  }
  std::optional<int> refusal;
  if (request.transfer_encoding) {
    refusal = 411;
  } else if (request.content_length) {
    refusal = 413;
  } else if (match.route->body == http::Body::json && !json_media_type(request.header("Content-Type").value_or(""))) {
    refusal = 415;
  }
  if (refusal) {
    FUZZ_CHECK(status == *refusal || status == 429,
               context + ": expected " + std::to_string(*refusal) + ", got " + std::to_string(status));
    if (!head) check_problem(response, context);
    return 0;
  }
  FUZZ_CHECK(status != 411 && status != 413 && status != 415, context + ": refused with " + std::to_string(status));
  const bool api = match.route->pattern.rfind("/api/", 0) == 0;
  if (api && status >= 400 && !head) check_problem(response, context);

  // The time conversion answers what the core computes.
  if (match.route->pattern == "/api/v1/time/convert" && status != 429) {
    ConversionQuery query;
    for (const auto& [key, value] : request.params) {
      if (key == "at" && !query.at) query.at = value;
      if (key == "from" && !query.from) query.from = value;
      if (key == "to") query.to.push_back(value);
      if (key == "disambiguation" && !query.disambiguation) query.disambiguation = value;
    }
    const auto expected = convert(query);
    if (expected) {
      FUZZ_CHECK(status == 200, context + ": convert() accepts but the route answered " + std::to_string(status));
      if (!head) FUZZ_CHECK(response.body == *expected, context + ": body differs from convert()");
    } else {
      FUZZ_CHECK(status == http::status_of(expected.error().type), context + ": convert() says " + std::to_string(http::status_of(expected.error().type)) +
                                                        ", the route " + std::to_string(status));
      // The problem as convert() gives it, plus the status the HTTP edge adds to every problem body.
      nlohmann::json expected_body = expected.error();
      expected_body["status"] = status;
      if (!head)
        FUZZ_CHECK(nlohmann::json::parse(response.body) == expected_body,
                   context + ": problem differs: " + response.body + "\n    convert(): " + expected_body.dump());
    }
  }
  return 0;
}
