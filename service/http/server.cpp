#include "http/server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <chrono>

#include <httplib.h>

#include "app/log.hpp"
#include "app/problems.hpp"
#include "convene/unavailable.hpp"
#include "http/connections.hpp"
#include "http/request.hpp"

namespace convene::http {
namespace {

// A response that cannot be written within this (a client that reads nothing) ends its connection.
constexpr std::chrono::seconds kWriteTimeout{10};
// Requests on one keep-alive connection before it is closed: no limit in practice (nginx's
// upstream connections carry request after request).
constexpr std::size_t kKeepAliveMaxCount = 100000;

// Per-request facts the logger needs after the handler ran (cpp-httplib serves a request on one
// thread from start to finish, so thread-local storage is per request).
struct RequestFacts {
  std::chrono::steady_clock::time_point started;
  std::string request_id;
  const char* route = "unmatched";
  Router::Match match;
  std::string client;             // the rate-limit key of the client (its address)
  bool presents_secret = false;   // a {token} in the path or an organiser token in the header
};
thread_local RequestFacts current;

// cpp-httplib fixes its listen backlog at 5, so a burst of new connections loses handshakes and
// waits a second for the SYN retry. The listening socket is protected, not private: a subclass
// can reach it and raise the backlog (listen() on a listening socket only updates the backlog).
//
// And cpp-httplib would serve each connection on a thread from accept to close; its virtual
// process_and_close_socket hands the socket to our ConnectionQueue instead (http/connections.hpp),
// which calls cpp-httplib's process_request (protected) for each request once it has arrived whole.
class ListeningServer : public httplib::Server {
 public:
  bool raise_backlog(int backlog) { return ::listen(svr_sock_, backlog) == 0; }
  bool serve_request(httplib::Stream& stream, bool close_connection, bool& connection_closed) {
    return process_request(stream, close_connection, connection_closed, nullptr);
  }
  ConnectionQueue* queue = nullptr;  // the one new_task_queue made for the current listen

 private:
  bool process_and_close_socket(socket_t sock) override {
    queue->accepted(sock);
    return true;
  }
};

// Methods as logs and metrics name them: a client may send any word (see RequestMetrics::record).
std::string known_method(const std::string& method) {
  for (const char* known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return method;
  }
  return "other";
}

// The whole answer with which the connection gate refuses a request before cpp-httplib sees it
// (408, 414, 431): problem+json with the security headers like every other error, then the
// connection is closed. Logged and counted like any request.
std::string refusal(int status, const std::string& detail, const std::string& method, RequestMetrics& metrics) {
  httplib::Response response;
  const std::string request_id = new_request_id();
  response.set_header("X-Request-Id", request_id);
  response.set_header("Connection", "close");
  send_problem(response, bad_request(detail), status);
  add_security_headers(response);
  const char* reason = status == 408   ? "Request Timeout"
                       : status == 414 ? "URI Too Long"
                                       : "Request Header Fields Too Large";
  std::string text = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  for (const auto& [name, value] : response.headers) text += name + ": " + value + "\r\n";
  text += "Content-Length: " + std::to_string(response.body.size()) + "\r\n\r\n" + response.body;
  metrics.record("unmatched", method, status, std::chrono::microseconds{0});
  app::log::write(app::log::Level::info, {{"request_id", request_id},
                                          {"method", known_method(method)},
                                          {"route", "unmatched"},
                                          {"status", std::int64_t{status}},
                                          {"duration_us", std::int64_t{0}}});
  return text;
}

// The token a request presents: the {token} of its path, or the organiser token of its
// Authorization header.
std::optional<std::string_view> presented_token(const httplib::Request& request, const RequestFacts& facts) {
  if (auto token = facts.match.params.find("token"); token != facts.match.params.end()) return token->second;
  const auto credentials = organiser_credentials(request);
  return credentials.bearer ? credentials.bearer : credentials.session;
}

// Guessing a token is a search through misses, so misses are what is limited: once a client's
// lookups by secret have found nothing too often, its tokens that carry no tag of ours are refused
// before they reach the database. A token with our tag is never refused for that: it was issued by
// this installation, so it is not a guess, and the people behind one address (an office, a campus)
// keep their access while a colleague mistypes links. Each token is limited too, so a leaked link
// cannot be hammered.
std::optional<Problem> refuse_token_lookup(app::Context& context, const httplib::Request& request,
                                           const RequestFacts& facts, SteadyTime now) {
  if (!facts.presents_secret) return std::nullopt;
  auto& limits = context.limits;
  const auto token = presented_token(request, facts);
  const bool ours = token && context.tokens.origin(*token) == app::TokenOrigin::minted_here;
  if (!ours) {
    if (auto d = limits.token_misses_per_address.peek(facts.client, now); !d.allowed)
      return app::problems::rate_limited(d, "Too many unknown links or tokens were tried from your network.");
  }
  if (auto path_token = facts.match.params.find("token"); path_token != facts.match.params.end()) {
    if (auto d = limits.requests_per_token.admit(path_token->second, now); !d.allowed)
      return app::problems::rate_limited(d, "This link was used too often in a short time.");
  }
  return std::nullopt;
}

}  // namespace

class Server::Impl {
 public:
  ListeningServer http;
  ServerOptions options;
  int bound_port = 0;
};

Server::Server(app::Context& context, ServerOptions options) : impl_(std::make_unique<Impl>()) {
  add_ops_routes(router_, context, metrics_);
  add_time_routes(router_, context);
  add_event_routes(router_, context);
  add_registration_routes(router_, context);
  add_organiser_routes(router_, context);
  add_page_routes(router_, context);
  add_console_routes(router_, context);

  auto& http = impl_->http;
  // Each listen gets a ConnectionQueue: the gate that holds connections until a request has arrived
  // whole, and the pool of options.threads that serves requests (http/connections.hpp).
  http.new_task_queue = [this] {
    const auto& options = impl_->options;
    ConnectionOptions connections;
    connections.threads = options.threads;
    connections.limits = options.limits;
    connections.max_body_bytes = kMaxBodyBytes;
    connections.write_timeout = kWriteTimeout;
    connections.keep_alive_max_count = kKeepAliveMaxCount;
    auto* queue = new ConnectionQueue(
        connections,
        [this](httplib::Stream& stream, bool close_connection, bool& connection_closed) {
          return impl_->http.serve_request(stream, close_connection, connection_closed);
        },
        [this](int status, const std::string& detail, const std::string& method) {
          return refusal(status, detail, method, metrics_);
        });
    impl_->http.queue = queue;
    return queue;
  };
  // Without TCP_NODELAY every keep-alive response waits ~40 ms for the client's delayed ACK.
  http.set_tcp_nodelay(true);
  // What cpp-httplib announces in Keep-Alive: timeout=, max= (the gate and pool enforce them), and
  // the timeouts it sets on each accepted socket (never met: the gate and pool do not block on one).
  http.set_keep_alive_max_count(kKeepAliveMaxCount);
  http.set_keep_alive_timeout(options.limits.idle_seconds);
  http.set_read_timeout(options.limits.request_seconds, 0);
  http.set_write_timeout(kWriteTimeout.count(), 0);
  http.set_payload_max_length(kMaxBodyBytes);

  // Everything that can be decided from the request line and headers is decided here, before
  // cpp-httplib reads the body: unknown routes, wrong methods, oversized or non-JSON bodies.
  http.set_pre_routing_handler([this, &context](const httplib::Request& request, httplib::Response& response) {
    using httplib::Server;
    current = RequestFacts{std::chrono::steady_clock::now(), {}, "unmatched", {}};
    auto given = header(request, "X-Request-Id");
    current.request_id = given && is_acceptable_request_id(*given) ? std::string(*given) : new_request_id();
    response.set_header("X-Request-Id", current.request_id);

    current.match = router_.match(request.method, request.path);
    if (current.match.route == nullptr) {
      // The body, if any, stays unread: close the connection rather than parse it as a request.
      if (header(request, "Content-Length") || header(request, "Transfer-Encoding"))
        response.set_header("Connection", "close");
      if (current.match.allowed.empty()) {
        send_problem(response, not_found("No resource at this address."));
        add_security_headers(response);
        return Server::HandlerResponse::Handled;
      }
      std::string allow;
      for (const auto& method : current.match.allowed) allow += (allow.empty() ? "" : ", ") + method;
      response.set_header("Allow", allow);
      send_problem(response, Problem{ProblemType::method_not_allowed,
                                     request.method + " is not supported here; use " + allow + "."});
      add_security_headers(response);
      return Server::HandlerResponse::Handled;
    }
    current.route = current.match.route->pattern.c_str();
    current.client = client_key(request, context.limits);
    current.presents_secret = current.match.params.contains("token") || organiser_credentials(request).present();
    if (auto refused = refuse_token_lookup(context, request, current, std::chrono::steady_clock::now())) {
      send_problem(response, *refused);
      add_security_headers(response);
      return Server::HandlerResponse::Handled;
    }

    // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 section
    // 6.3), but cpp-httplib 0.11 reads a POST, PUT or PATCH to the end of the connection instead
    // (10 s, then 400). Saying so explicitly makes it read nothing. The request object is httplib's
    // own, mutable one; only the handler signature makes it const.
    if ((request.method == "POST" || request.method == "PUT" || request.method == "PATCH") &&
        !header(request, "Content-Length") && !header(request, "Transfer-Encoding")) {
      const_cast<httplib::Request&>(request).set_header("Content-Length", "0");
    }
    // Chunked request bodies have no length to check up front; clients of this API send
    // Content-Length (nginx does too, buffering the body), so the rare other one is told to.
    if (header(request, "Transfer-Encoding")) {
      response.set_header("Connection", "close");
      send_problem(response, Problem{ProblemType::length_required,
                                     "Send the request body with a Content-Length header, not chunked."});
      add_security_headers(response);
      return Server::HandlerResponse::Handled;
    }
    if (auto length = header(request, "Content-Length")) {
      std::size_t bytes = 0;
      const auto [end, error] = std::from_chars(length->data(), length->data() + length->size(), bytes);
      if (error != std::errc() || end != length->data() + length->size() || bytes > kMaxBodyBytes) {
        response.set_header("Connection", "close");
        send_problem(response, body_too_large());
        add_security_headers(response);
        return Server::HandlerResponse::Handled;
      }
    }
    if (current.match.route->body == Body::json) {
      auto type = header(request, "Content-Type");
      if (!type || !is_json_content_type(*type)) {
        response.set_header("Connection", "close");
        send_problem(response, Problem{ProblemType::unsupported_media_type,
                                       "Requests with a body must have Content-Type: application/json."});
        add_security_headers(response);
        return Server::HandlerResponse::Handled;
      }
    }
    return Server::HandlerResponse::Unhandled;
  });

  auto dispatch = [&context](const httplib::Request& request, httplib::Response& response) {
    const Route& route = *current.match.route;
    // A browser sends the console's cookie wherever it goes to this site; a write made with it is
    // taken only from the service's own pages (CSRF). Scripts send a bearer token instead.
    if (is_unsafe_method(request.method)) {
      const auto credentials = organiser_credentials(request);
      if (credentials.session && !credentials.bearer && !from_own_origin(request, context.config.base_url))
        return send_problem(response, app::problems::cross_site_request());
    }
    std::optional<nlohmann::json> body;
    if (route.body == Body::json) {
      auto parsed = json_body(request);
      if (!parsed) return send_problem(response, parsed.error());
      body = *std::move(parsed);
    }
    try {
      route.handler(Request{request, current.match.params, body ? &*body : nullptr}, response);
    } catch (const DatabaseTimeout&) {
      // Its transaction was rolled back: whatever the request was, nothing changed.
      Problem problem{ProblemType::database_timeout,
                      "The database took too long to answer, so nothing was changed. Try again in a few seconds."};
      problem.retry_after = kRetryAfterUnavailable;
      send_problem(response, problem);
    } catch (const DatabaseUnavailable& unavailable) {
      // Only a request that never reached the database can be said to have changed nothing.
      const bool reading = request.method == "GET" || request.method == "HEAD";
      Problem problem =
          unavailable.outcome_unknown() && !reading
              ? Problem{ProblemType::outcome_unknown,
                        "The database did not confirm your request (it went away, or did not answer in time), so "
                        "it may or may not have been recorded. Try again in a few seconds with the same "
                        "Idempotency-Key to be told which."}
              : Problem{ProblemType::database_unavailable,
                        "The database is not reachable right now; nothing was changed. Try again in a few seconds."};
      problem.retry_after = kRetryAfterUnavailable;
      send_problem(response, problem);
    }
  };
  http.set_post_routing_handler([&context](const httplib::Request&, httplib::Response& response) {
    // A lookup by secret that found nothing (404 for a link's token, 401 for an organiser token)
    // counts against the client's allowance of misses.
    const bool missed = response.status == 401 || (response.status == 404 && current.match.params.contains("token"));
    if (current.presents_secret && missed)
      context.limits.token_misses_per_address.admit(current.client, std::chrono::steady_clock::now());
    add_security_headers(response);
  });
  http.Get(".*", dispatch);
  http.Post(".*", dispatch);
  http.Put(".*", dispatch);
  http.Patch(".*", dispatch);
  http.Delete(".*", dispatch);
  http.Options(".*", dispatch);

  // Errors cpp-httplib produces itself (unreadable request line, body over the limit) get the same
  // problem+json shape as ours.
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& response) {
    if (response.body.empty()) {
      // cpp-httplib refused the request before reading it whole (a request line it cannot parse
      // leaves the headers unread): what follows on the connection cannot be told from it, so the
      // connection ends with this answer (RFC 9112 section 2.2).
      response.set_header("Connection", "close");
      const int status = response.status;
      if (status == 413) {
        send_problem(response, body_too_large());
      } else if (status == 400 && request_deadline_passed()) {
        // The body did not come in time (the gate times out requests that have not arrived whole;
        // a body sent after "Expect: 100-continue" is read here, under the same deadline).
        send_problem(response, bad_request("The request did not arrive whole in time."), 408);
      } else {
        // With the status cpp-httplib found (400, 414...).
        send_problem(response, bad_request("The request is not well-formed HTTP."), status);
      }
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr error) {
    std::string what = "unknown";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    // The cause goes to the log (by request id), never to the client.
    app::log::write(app::log::Level::error,
                    {{"request_id", current.request_id}, {"route", current.route}, {"error", what}});
    send_problem(response, Problem{ProblemType::internal_error,
                                   "Something went wrong on our side; it has been logged with request id " +
                                       current.request_id + "."});
  });
  http.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
    // Every answer passes here, ours and cpp-httplib's own: the one place to see that it closes.
    if (response.get_header_value("Connection") == "close") close_after_answer();
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - current.started)
                            .count();
    metrics_.record(current.route, request.method, response.status, std::chrono::microseconds{micros});
    // The route pattern, not the path: paths carry manage tokens. No query strings, no bodies.
    app::log::write(app::log::Level::info, {{"request_id", current.request_id},
                                            {"method", request.method},
                                            {"route", current.route},
                                            {"status", std::int64_t{response.status}},
                                            {"duration_us", std::int64_t{micros}}});
    // A request cpp-httplib refuses before routing (an unreadable request line, an unknown method)
    // reaches this logger without passing pre-routing: it must not inherit this request's facts.
    current = RequestFacts{std::chrono::steady_clock::now(), "-", "unmatched", {}};
  });
  impl_->options = std::move(options);
}

Server::~Server() = default;

bool Server::bind() {
  auto& impl = *impl_;
  if (impl.options.port == 0) {
    impl.bound_port = impl.http.bind_to_any_port(impl.options.host);
    if (impl.bound_port <= 0) return false;
  } else {
    if (!impl.http.bind_to_port(impl.options.host, impl.options.port)) return false;
    impl.bound_port = impl.options.port;
  }
  return impl.http.raise_backlog(impl.options.listen_backlog);
}

int Server::port() const { return impl_->bound_port; }

void Server::serve() { impl_->http.listen_after_bind(); }

void Server::stop() { impl_->http.stop(); }

}  // namespace convene::http
