#include "http/router.hpp"

#include <algorithm>

namespace convene::http {
namespace {

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    segments.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool is_parameter(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Number of literal segments when `pattern` matches `path`, or -1 when it does not.
int match_score(const std::vector<std::string>& pattern, const std::vector<std::string>& path, PathParams* params) {
  if (pattern.size() != path.size()) return -1;
  int literals = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_parameter(pattern[i])) {
      if (path[i].empty()) return -1;
      if (params) (*params)[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
    } else if (pattern[i] == path[i]) {
      ++literals;
    } else {
      return -1;
    }
  }
  return literals;
}

}  // namespace

void Router::add(Route route) {
  segments_.push_back(split(route.pattern));
  routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  if (path.empty() || path.front() != '/') return result;
  const auto segments = split(path);
  // The most literal pattern wins: /events/{slug}/registrations.csv before /events/{slug}/{x}.
  int best_for_path = -1;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    best_for_path = std::max(best_for_path, match_score(segments_[i], segments, nullptr));
  }
  if (best_for_path < 0) return result;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (match_score(segments_[i], segments, nullptr) != best_for_path) continue;
    const bool head_as_get = method == "HEAD" && routes_[i].method == "GET";
    if ((routes_[i].method == method || head_as_get) && result.route == nullptr) {
      result.route = &routes_[i];
      match_score(segments_[i], segments, &result.params);
    }
    result.allowed.push_back(routes_[i].method);
    if (routes_[i].method == "GET") result.allowed.push_back("HEAD");
  }
  std::sort(result.allowed.begin(), result.allowed.end());
  result.allowed.erase(std::unique(result.allowed.begin(), result.allowed.end()), result.allowed.end());
  return result;
}

}  // namespace convene::http
