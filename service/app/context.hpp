// What every use case needs: the store, the configuration, a clock, the installation's keys, and the
// caches and limits of this process.
//
// Threads: one Context per process, shared by every HTTP thread and worker loop. Its members are
// each safe to use from any thread: the store, caches and limits lock what they share, and the rest
// does not change once the process serves.
#pragma once

#include <functional>
#include <vector>

#include "app/config.hpp"
#include "app/event_cache.hpp"
#include "app/invite_cache.hpp"
#include "app/rate_limiter.hpp"
#include "app/registration_batches.hpp"
#include "app/result.hpp"
#include "app/secrets.hpp"
#include "convene/cursor.hpp"
#include "convene/time.hpp"

namespace convene::store {
class Store;
}

namespace convene::app {

using Clock = std::function<Instant()>;
Instant system_now();

struct WorkerCounters;

struct Context {
  store::Store& store;
  const Config& config;
  Clock clock;         // callable from any thread
  CursorCodec cursors;  // signs the cursors of every list (the installation's cursor key)
  TokenMinter tokens;   // mints and recognises manage, join and organiser tokens
  EventCache events = {};
  InviteCache invites{config.invite_cache_bytes};
  // The delivery loops running in this process (for /metrics); set before serving, empty with
  // --no-worker. Their counters are atomic.
  std::vector<const WorkerCounters*> workers = {};
  RateLimiters limits{config.rate_limits};
  RegistrationBatches registration_batches{config.registration_batch_max};
};

}  // namespace convene::app
