#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <httplib.h>

#include "app/worker.hpp"
#include "convene/embedded.hpp"
#include "http/metrics.hpp"
#include "http/request.hpp"
#include "http/server.hpp"
#include "store/migrations.hpp"

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

// What the process knows by itself: requests, pool, workers, memory, descriptors, build.
void process_metrics(std::string& out, const app::Context& context, const RequestMetrics& requests) {
  requests.write(out);
  const auto pool = context.store.pool().stats();
  gauge(out, "convene_db_pool_connections", "Database connections open in this process's pool.", static_cast<double>(pool.open));
  gauge(out, "convene_db_pool_in_use", "Database connections lent out right now.", static_cast<double>(pool.in_use));
  gauge(out, "convene_db_pool_size", "The most connections the pool may open.", static_cast<double>(pool.size));
  long sent = 0, retried = 0, failed = 0, skipped = 0, lost = 0;
  for (const auto* w : context.workers) {
    sent += w->sent, retried += w->retried, failed += w->failed, skipped += w->skipped, lost += w->lost_claims;
  }
  write_metric_help(out, "convene_worker_messages_total", "counter",
                    "Messages this process's delivery loops handled, by outcome.");
  out += "convene_worker_messages_total{outcome=\"sent\"} " + std::to_string(sent) + "\n";
  out += "convene_worker_messages_total{outcome=\"retried\"} " + std::to_string(retried) + "\n";
  out += "convene_worker_messages_total{outcome=\"failed\"} " + std::to_string(failed) + "\n";
  out += "convene_worker_messages_total{outcome=\"skipped\"} " + std::to_string(skipped) + "\n";
  out += "convene_worker_messages_total{outcome=\"lost_claim\"} " + std::to_string(lost) + "\n";
  write_metric_help(out, "convene_rate_limited_total", "counter",
                    "Requests this process refused with 429, by the limit that refused them.");
  for (const auto* limit : context.limits.all())
    out += "convene_rate_limited_total{limit=" + metric_label_value(limit->name()) + "} " + std::to_string(limit->refused()) + "\n";
  write_metric_help(out, "convene_rate_limit_keys", "gauge", "Keys (addresses, e-mails, tokens) each limit remembers now.");
  for (const auto* limit : context.limits.all())
    out += "convene_rate_limit_keys{limit=" + metric_label_value(limit->name()) + "} " + std::to_string(limit->keys()) + "\n";
  const auto invites = context.invites.figures();
  write_metric_help(out, "convene_invite_cache_requests_total", "counter",
                    "Invite downloads answered from this process's memory (hit) or rendered from the database (miss).");
  out += "convene_invite_cache_requests_total{result=\"hit\"} " + std::to_string(invites.hits) + "\n";
  out += "convene_invite_cache_requests_total{result=\"miss\"} " + std::to_string(invites.misses) + "\n";
  gauge(out, "convene_invite_cache_entries", "Rendered invites kept in memory.", static_cast<double>(invites.entries));
  gauge(out, "convene_invite_cache_bytes", "Memory the kept invites take (budget: INVITE_CACHE_MIB).",
        static_cast<double>(invites.bytes));
  gauge(out, "convene_worker_loops", "Delivery loops running in this process.", static_cast<double>(context.workers.size()));
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  gauge(out, "process_cpu_seconds_total", "User and system CPU time of this process.",
        static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
            static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6,
        "counter");
  gauge(out, "process_resident_memory_bytes", "Resident memory of this process.", static_cast<double>(resident_bytes()));
  gauge(out, "process_open_fds", "Open file descriptors of this process.", open_file_descriptors());
  write_metric_help(out, "convene_build_info", "gauge", "Version of convene and of the tz database in use.");
  out += "convene_build_info{version=\"0.1.0\",tzdb=" + metric_label_value(tzdb_version()) + "} 1\n";
}

// What only the database knows: registrations and the outbox. A database that is away leaves
// these out (and says so) rather than failing the scrape.
void database_metrics(std::string& out, app::Context& context) {
  try {
    const auto [counts, depth] = context.store.autocommit([](store::Transaction& tx) {
      return std::pair{tx.registrations_by_status(), tx.outbox_depth()};
    });
    write_metric_help(out, "convene_registrations", "gauge", "Registrations in the database, by status.");
    for (const auto& [status, n] : counts) out += "convene_registrations{status=" + metric_label_value(status) + "} " + std::to_string(n) + "\n";
    write_metric_help(out, "convene_outbox_messages", "gauge", "Messages in the outbox, by status.");
    for (const auto& [status, n] : depth.by_status) out += "convene_outbox_messages{status=" + metric_label_value(status) + "} " + std::to_string(n) + "\n";
    gauge(out, "convene_outbox_due", "Messages due now and not yet sent (the delivery backlog).", static_cast<double>(depth.due));
    gauge(out, "convene_outbox_oldest_due_seconds", "How long the oldest message due has waited.", depth.oldest_due_seconds);
    gauge(out, "convene_database_up", "Whether the database answered this scrape.", 1);
  } catch (const std::exception&) {
    gauge(out, "convene_database_up", "Whether the database answered this scrape.", 0);
  }
}

}  // namespace

void add_ops_routes(Router& router, app::Context& context, const RequestMetrics& metrics) {
  router.add({"GET", "/api/openapi.json", false, [](const httplib::Request&, httplib::Response& response, const PathParams&) {
                for (const auto& file : embedded_api()) {
                  if (file.path == "openapi.json") {
                    response.set_header("Cache-Control", "public, max-age=300");
                    allow_any_origin(response);  // so API explorers on other sites can load it
                    return response.set_content(std::string(file.text), "application/json");
                  }
                }
                send_problem(response, not_found("No OpenAPI document was built in."));
              }});

  router.add({"GET", "/metrics", false,
              [&context, &metrics](const httplib::Request&, httplib::Response& response, const PathParams&) {
                std::string out;
                process_metrics(out, context, metrics);
                database_metrics(out, context);
                response.set_content(out, "text/plain; version=0.0.4; charset=utf-8");
              }});

  router.add({"GET", "/healthz", false, [](const httplib::Request&, httplib::Response& response, const PathParams&) {
                send_json(response, 200, R"({"status":"ok"})");
              }});

  router.add({"GET", "/readyz", false, [&context](const httplib::Request&, httplib::Response& response, const PathParams&) {
                nlohmann::json body{{"ready", false}};
                try {
                  auto lease = context.store.pool().acquire();
                  try {
                    const auto pending = store::pending_migrations(*lease);
                    body["database"] = "reachable";
                    body["pending_migrations"] = pending;
                    body["ready"] = pending.empty();
                  } catch (const std::exception&) {
                    lease.discard();
                    body["database"] = "unreachable";
                  }
                } catch (const store::DatabaseUnavailable&) {
                  body["database"] = "unreachable";
                }
                if (!body["ready"].get<bool>()) response.set_header("Retry-After", "2");
                send_json(response, body["ready"].get<bool>() ? 200 : 503, body.dump());
              }});
}

}  // namespace convene::http
