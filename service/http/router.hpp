// Method + path routing with named parameters ("/api/v1/events/{slug}"), answering 404 for an
// unknown path and 405 (with the allowed methods) for a known path with the wrong method. A route
// that takes a JSON body gets it parsed: the server refuses the request before the handler runs
// when the body is not JSON (400), not declared as JSON (415) or too large (413).
//
// Threads: the routes are added before serving and only read afterwards, from every thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace convene::http {

using PathParams = std::map<std::string, std::string, std::less<>>;

// A request as a handler sees it.
struct Request {
  const httplib::Request& raw;
  const PathParams& params;
  const nlohmann::json* body = nullptr;  // the parsed body, for routes that take one
  const std::string& param(std::string_view name) const { return params.find(name)->second; }
};
using Handler = std::function<void(const Request&, httplib::Response&)>;

enum class Body { none, json };

struct Route {
  std::string method;
  std::string pattern;  // also the route's name in logs and metrics (never the raw path)
  Body body = Body::none;
  Handler handler;
};

class Router {
 public:
  void add(Route route);

  struct Match {
    const Route* route = nullptr;   // null: no route for this method
    PathParams params;
    std::vector<std::string> allowed;  // methods the path answers (empty: unknown path)
  };
  Match match(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  // per route, split pattern
};

}  // namespace convene::http
