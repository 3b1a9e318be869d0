// The HTTP edge: cpp-httplib configured for many keep-alive clients, our router, request ids,
// problem+json for every error, and 503 (never a hang, never a stack trace) when PostgreSQL is away.
//
// Threads: connections wait for their requests on one thread (http/connections.hpp), and each
// request that has arrived whole is served on a thread of a pool (ServerOptions::threads); every
// handler runs there, sharing the app::Context. stop() may be called from any thread (the
// signal handler's); serve() returns once requests in flight are done.
#pragma once

#include <memory>
#include <string>

#include "app/config.hpp"
#include "app/context.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace convene::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::size_t threads = 128;  // requests served at once (idle connections hold none)
  int listen_backlog = 4096;
  app::HttpLimits limits;     // deadlines and header limits of connections (app/config.hpp)
};

class Server {
 public:
  Server(app::Context& context, ServerOptions options);
  ~Server();

  // Binds the port; returns false (with errno set) when it cannot. Then serve() until stop().
  bool bind();
  int port() const;
  void serve();
  // Stops accepting; requests in flight finish before serve() returns.
  void stop();

  const Router& router() const { return router_; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  Router router_;
  RequestMetrics metrics_;
};

// Route tables, one per area of the API (routes_*.cpp).
void add_ops_routes(Router& router, app::Context& context, const RequestMetrics& metrics);
void add_time_routes(Router& router, app::Context& context);
void add_event_routes(Router& router, app::Context& context);
void add_registration_routes(Router& router, app::Context& context);
void add_organiser_routes(Router& router, app::Context& context);
void add_page_routes(Router& router, app::Context& context);
void add_console_routes(Router& router, app::Context& context);  // sign-in, the console's pages, announcements

}  // namespace convene::http
