// Prometheus metrics (text exposition format 0.0.4): what the HTTP edge counts as requests pass, and
// what is read from the database and the process when /metrics is scraped.
//
// Threads: one RequestMetrics per server; every HTTP thread records into it (under its mutex) and
// the /metrics handler reads it the same way.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace convene::http {

class RequestMetrics {
 public:
  // Upper bounds of the latency histogram, in seconds.
  static constexpr std::array<double, 13> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1.0,   2.5,   5.0};

  // One finished request: its route pattern (never the raw path), method, status and duration.
  void record(const std::string& route, const std::string& method, int status, std::chrono::microseconds duration);
  // Appends convene_http_requests_total and convene_http_request_duration_seconds.
  void write(std::string& out) const;

 private:
  struct Histogram {
    std::array<long, kBuckets.size()> counts{};  // per bucket (not cumulative; summed when written)
    long count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, long> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> durations_;
};

// Helpers for writing the exposition format.
std::string metric_label_value(std::string_view text);  // escaped, quoted
void write_metric_help(std::string& out, const char* name, const char* type, const char* help);

}  // namespace convene::http
