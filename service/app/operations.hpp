// What operators ask a process: is it ready (/readyz), and the figures /metrics exposes.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/context.hpp"

namespace convene::app {

struct Readiness {
  bool database_reachable = false;
  std::vector<int> pending_migrations;
  bool ready() const { return database_reachable && pending_migrations.empty(); }
};
Readiness readiness(Context& context);

// What this process knows by itself.
struct ProcessFigures {
  std::size_t pool_open = 0, pool_in_use = 0, pool_size = 0;
  long sent = 0, retried = 0, failed = 0, skipped = 0, lost_claims = 0;  // summed over the worker loops
  std::size_t worker_loops = 0;
  struct Limit {
    std::string name;
    long refused = 0;
    std::size_t keys = 0;
  };
  std::vector<Limit> limits;
  InviteCache::Figures invites;
  RegistrationBatches::Figures registration_batches;
};
ProcessFigures process_figures(const Context& context);

// What only the database knows; nullopt while it cannot be reached.
struct DatabaseFigures {
  std::map<std::string, long> registrations_by_status;
  std::map<std::string, long> outbox_by_status;
  long outbox_due = 0;
  double outbox_oldest_due_seconds = 0;
  long search_backlog = 0;
};
std::optional<DatabaseFigures> database_figures(Context& context);

}  // namespace convene::app
