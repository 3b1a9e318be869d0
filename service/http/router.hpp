// Method + path routing with named parameters ("/api/v1/events/{slug}"), answering 404 for an
// unknown path and 405 (with the allowed methods) for a known path with the wrong method.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace convene::http {

using PathParams = std::map<std::string, std::string, std::less<>>;
using Handler = std::function<void(const httplib::Request&, httplib::Response&, const PathParams&)>;

struct Route {
  std::string method;
  std::string pattern;  // also the route's name in logs and metrics (never the raw path)
  bool takes_json_body = false;
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
