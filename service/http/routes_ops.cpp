#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <httplib.h>

#include "app/operations.hpp"
#include "convene/embedded.hpp"
#include "convene/version.hpp"
#include "http/metrics.hpp"
#include "http/request.hpp"
#include "http/server.hpp"

namespace convene::http {
namespace {

void gauge(std::string& out, const char* name, const char* help, double value, const char* type = "gauge") {
  write_metric_help(out, name, type, help);
  char number[64];
  std::snprintf(number, sizeof number, "%.6g", value);
  out += std::string(name) + " " + number + "\n";
}

int open_file_descriptors() {
  int count = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (readdir(dir) != nullptr) ++count;
    closedir(dir);
  }
  return count - 3;  // ".", ".." and the directory's own descriptor
}

long resident_bytes() {
  long pages_total = 0, pages_resident = 0;
  std::ifstream("/proc/self/statm") >> pages_total >> pages_resident;
  return pages_resident * sysconf(_SC_PAGESIZE);
}

// Lines of one counter or gauge with a label.
template <class Map>
void labelled(std::string& out, const char* name, const char* type, const char* help, const char* label,
              const Map& values) {
  write_metric_help(out, name, type, help);
  for (const auto& [key, value] : values)
    out += std::string(name) + "{" + label + "=" + metric_label_value(key) + "} " + std::to_string(value) + "\n";
}

// What the process knows by itself: requests, pool, workers, memory, descriptors, build.
void process_metrics(std::string& out, const app::Context& context, const RequestMetrics& requests) {
  requests.write(out);
  const app::ProcessFigures f = app::process_figures(context);
  gauge(out, "convene_db_pool_connections", "Database connections open in this process's pool.", static_cast<double>(f.pool_open));
  gauge(out, "convene_db_pool_in_use", "Database connections lent out right now.", static_cast<double>(f.pool_in_use));
  gauge(out, "convene_db_pool_size", "The most connections the pool may open.", static_cast<double>(f.pool_size));
  labelled(out, "convene_worker_messages_total", "counter", "Messages this process's delivery loops handled, by outcome.",
           "outcome",
           std::vector<std::pair<std::string, long>>{{"sent", f.sent},
                                                     {"retried", f.retried},
                                                     {"failed", f.failed},
                                                     {"skipped", f.skipped},
                                                     {"lost_claim", f.lost_claims}});
  std::vector<std::pair<std::string, long>> refused, keys;
  for (const auto& limit : f.limits) {
    refused.emplace_back(limit.name, limit.refused);
    keys.emplace_back(limit.name, static_cast<long>(limit.keys));
  }
  labelled(out, "convene_rate_limited_total", "counter",
           "Requests this process refused with 429, by the limit that refused them.", "limit", refused);
  labelled(out, "convene_rate_limit_keys", "gauge", "Keys (addresses, e-mails, tokens) each limit remembers now.",
           "limit", keys);
  labelled(out, "convene_invite_cache_requests_total", "counter",
           "Invite downloads answered from this process's memory (hit) or rendered from the database (miss).",
           "result",
           std::vector<std::pair<std::string, std::uint64_t>>{{"hit", f.invites.hits}, {"miss", f.invites.misses}});
  gauge(out, "convene_invite_cache_entries", "Rendered invites kept in memory.", static_cast<double>(f.invites.entries));
  gauge(out, "convene_invite_cache_bytes", "Memory the kept invites take (budget: INVITE_CACHE_MIB).",
        static_cast<double>(f.invites.bytes));
  gauge(out, "convene_registration_batches_total", "Batches of registrations this process wrote (group commit).",
        static_cast<double>(f.registration_batches.batches), "counter");
  gauge(out, "convene_registration_batched_requests_total",
        "Registration requests those batches held (divided by the batches: the mean batch).",
        static_cast<double>(f.registration_batches.requests), "counter");
  gauge(out, "convene_worker_loops", "Delivery loops running in this process.", static_cast<double>(f.worker_loops));
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  gauge(out, "process_cpu_seconds_total", "User and system CPU time of this process.",
        static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
            static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6,
        "counter");
  gauge(out, "process_resident_memory_bytes", "Resident memory of this process.", static_cast<double>(resident_bytes()));
  gauge(out, "process_open_fds", "Open file descriptors of this process.", open_file_descriptors());
  write_metric_help(out, "convene_build_info", "gauge", "Version of convene and of the tz database in use.");
  out += "convene_build_info{version=" + metric_label_value(kVersion) + ",tzdb=" + metric_label_value(tzdb_version()) +
         "} 1\n";
}

// What only the database knows: registrations and the outbox. A database that is away leaves
// these out (and says so) rather than failing the scrape.
void database_metrics(std::string& out, app::Context& context) {
  const auto figures = app::database_figures(context);
  if (figures) {
    labelled(out, "convene_registrations", "gauge", "Registrations in the database, by status.", "status",
             figures->registrations_by_status);
    labelled(out, "convene_outbox_messages", "gauge", "Messages in the outbox, by status.", "status",
             figures->outbox_by_status);
    gauge(out, "convene_outbox_due", "Messages due now and not yet sent (the delivery backlog).",
          static_cast<double>(figures->outbox_due));
    gauge(out, "convene_outbox_oldest_due_seconds", "How long the oldest message due has waited.",
          figures->outbox_oldest_due_seconds);
    gauge(out, "convene_search_backlog",
          "Registrations noted for the roster search's index and not yet indexed by a worker (searches fold "
          "them as they go).",
          static_cast<double>(figures->search_backlog));
  }
  gauge(out, "convene_database_up", "Whether the database answered this scrape.", figures ? 1 : 0);
}

}  // namespace

void add_ops_routes(Router& router, app::Context& context, const RequestMetrics& metrics) {
  router.add({"GET", "/api/openapi.json", Body::none, [](const Request&, httplib::Response& response) {
                for (const auto& file : embedded_api()) {
                  if (file.path == "openapi.json") {
                    response.set_header("Cache-Control", "public, max-age=300");
                    allow_any_origin(response);  // so API explorers on other sites can load it
                    return response.set_content(std::string(file.text), "application/json");
                  }
                }
                send_problem(response, not_found("No OpenAPI document was built in."));
              }});

  router.add({"GET", "/metrics", Body::none, [&context, &metrics](const Request&, httplib::Response& response) {
                std::string out;
                process_metrics(out, context, metrics);
                database_metrics(out, context);
                response.set_content(out, "text/plain; version=0.0.4; charset=utf-8");
              }});

  router.add({"GET", "/healthz", Body::none, [](const Request&, httplib::Response& response) {
                send_json(response, 200, R"({"status":"ok"})");
              }});

  router.add({"GET", "/readyz", Body::none, [&context](const Request&, httplib::Response& response) {
                const app::Readiness readiness = app::readiness(context);
                nlohmann::json body{{"ready", readiness.ready()},
                                    {"database", readiness.database_reachable ? "reachable" : "unreachable"}};
                if (readiness.database_reachable) body["pending_migrations"] = readiness.pending_migrations;
                if (!readiness.ready())
                  response.set_header("Retry-After", std::to_string(kRetryAfterUnavailable.count()));
                send_json(response, readiness.ready() ? 200 : 503, body.dump());
              }});
}

}  // namespace convene::http
