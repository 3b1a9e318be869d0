#include "http/metrics.hpp"

#include <cstdio>

namespace convene::http {

std::string metric_label_value(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '\\' || ch == '"') out.push_back('\\');
    if (ch == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(ch);
  }
  return out + "\"";
}

void write_metric_help(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void RequestMetrics::record(const std::string& route, const std::string& request_method, int status,
                            std::chrono::microseconds duration) {
  // A client may send any token as a method (cpp-httplib refuses it with 400, and logs it): each one
  // would become a label kept for ever, so methods outside HTTP's own are counted as "other".
  static const std::string kOther = "other";
  const bool standard = request_method == "GET" || request_method == "HEAD" || request_method == "POST" ||
                        request_method == "PUT" || request_method == "PATCH" || request_method == "DELETE" ||
                        request_method == "OPTIONS";
  const std::string& method = standard ? request_method : kOther;
  const double seconds = static_cast<double>(duration.count()) / 1e6;
  std::lock_guard lock(mutex_);
  ++requests_[{route, method, status}];
  Histogram& h = durations_[{route, method}];
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  if (bucket < kBuckets.size()) ++h.counts[bucket];
  ++h.count;
  h.sum += seconds;
}

void RequestMetrics::write(std::string& out) const {
  std::lock_guard lock(mutex_);
  write_metric_help(out, "convene_http_requests_total", "counter", "HTTP requests answered, by route pattern, method and status.");
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out += "convene_http_requests_total{route=" + metric_label_value(route) + ",method=" + metric_label_value(method) +
           ",status=\"" + std::to_string(status) + "\"} " + std::to_string(count) + "\n";
  }
  write_metric_help(out, "convene_http_request_duration_seconds", "histogram",
                    "Time from reading a request to writing its answer, by route pattern and method.");
  char number[32];
  for (const auto& [key, h] : durations_) {
    const std::string labels = "route=" + metric_label_value(key.first) + ",method=" + metric_label_value(key.second);
    long cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      std::snprintf(number, sizeof number, "%g", kBuckets[i]);
      out += "convene_http_request_duration_seconds_bucket{" + labels + ",le=\"" + number + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    out += "convene_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    std::snprintf(number, sizeof number, "%.6f", h.sum);
    out += "convene_http_request_duration_seconds_sum{" + labels + "} " + number + "\n";
    out += "convene_http_request_duration_seconds_count{" + labels + "} " + std::to_string(h.count) + "\n";
  }
}

}  // namespace convene::http
