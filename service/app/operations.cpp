#include "app/operations.hpp"

#include "app/worker.hpp"
#include "store/organiser_views.hpp"
#include "store/outbox.hpp"
#include "store/search.hpp"
#include "store/store.hpp"

namespace convene::app {

Readiness readiness(Context& context) {
  Readiness readiness;
  try {
    readiness.pending_migrations = context.store.pending_migrations();
    readiness.database_reachable = true;
  } catch (const std::exception&) {
    readiness.database_reachable = false;
  }
  return readiness;
}

ProcessFigures process_figures(const Context& context) {
  ProcessFigures figures;
  const auto pool = context.store.pool_figures();
  figures.pool_open = pool.open;
  figures.pool_in_use = pool.in_use;
  figures.pool_size = pool.size;
  for (const auto* w : context.workers) {
    figures.sent += w->sent;
    figures.retried += w->retried;
    figures.failed += w->failed;
    figures.skipped += w->skipped;
    figures.lost_claims += w->lost_claims;
  }
  figures.worker_loops = context.workers.size();
  for (const auto* limit : context.limits.all()) figures.limits.push_back({limit->name(), limit->refused(), limit->keys()});
  figures.invites = context.invites.figures();
  figures.registration_batches = context.registration_batches.figures();
  return figures;
}

std::optional<DatabaseFigures> database_figures(Context& context) {
  try {
    return context.store.autocommit([](store::Tx& tx) {
      const auto depth = store::outbox::depth(tx);
      return DatabaseFigures{store::organiser_views::registrations_by_status(tx), depth.by_status, depth.due,
                             depth.oldest_due_seconds, store::search::backlog(tx)};
    });
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace convene::app
