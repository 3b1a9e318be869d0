// What every use case needs: the store, the configuration, a clock, and the shared cursor secret.
// Use cases tie core decisions to store transactions and produce the JSON replies of API.md.
#pragma once

#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/event_cache.hpp"
#include "app/invite_cache.hpp"
#include "app/rate_limiter.hpp"
#include "app/secrets.hpp"
#include "convene/cursor.hpp"
#include "convene/problem.hpp"
#include "convene/time.hpp"
#include "store/store.hpp"

namespace convene::app {

using Clock = std::function<Instant()>;
Instant system_now();

struct WorkerCounters;

struct Context {
  store::Store& store;
  const Config& config;
  Clock clock;
  CursorCodec cursors;
  TokenMinter tokens;  // mints and recognises manage, join and organiser tokens
  EventCache events = {};
  InviteCache invites{config.invite_cache_bytes};
  // The delivery loops running in this process (for /metrics); empty with --no-worker.
  std::vector<const WorkerCounters*> workers = {};
  RateLimiters limits{config.rate_limits};
};

// A successful reply: status and JSON text (kept as text so that a replay is byte for byte).
struct Reply {
  int status = 200;
  std::string body;
  bool replayed = false;     // answered from an Idempotency-Key record
  std::string location = {};  // Location header of a 201, if any
};
using Result = std::expected<Reply, Problem>;

inline Result ok_json(const nlohmann::json& body, int status = 200) {
  return Reply{status, body.dump(), false};
}

}  // namespace convene::app
