// Configuration from the environment (12-factor), each variable with a default.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "convene/icalendar.hpp"
#include "convene/rate_limit.hpp"

namespace convene::app {

// Per-process rate limits (see app/rate_limiter.hpp), each "COUNT/PERIOD" or "off". The defaults let
// a campus or a ministry behind one NAT register together: 600 at once from one address, then 10 a
// second.
struct RateLimitConfig {
  RateLimit registrations_per_address{600, std::chrono::minutes(1)};  // LIMIT_REGISTRATIONS_PER_ADDRESS
  RateLimit registrations_per_email{5, std::chrono::minutes(10)};     // LIMIT_REGISTRATIONS_PER_EMAIL
  RateLimit registrations_per_domain{};                               // LIMIT_REGISTRATIONS_PER_DOMAIN (off)
  RateLimit token_misses_per_address{30, std::chrono::minutes(1)};    // LIMIT_TOKEN_MISSES_PER_ADDRESS
  RateLimit requests_per_token{120, std::chrono::minutes(1)};         // LIMIT_REQUESTS_PER_TOKEN
  RateLimit sign_ins_per_address{20, std::chrono::hours(1)};          // LIMIT_SIGN_INS_PER_ADDRESS
  RateLimit sign_ins_per_email{5, std::chrono::hours(1)};             // LIMIT_SIGN_INS_PER_EMAIL
  // TRUSTED_PROXIES: addresses (comma-separated) whose X-Forwarded-For names the real client.
  std::vector<std::string> trusted_proxies;
};

// The HTTP edge on its own port, where nothing in front (nginx) bounds what clients send or how slowly:
// how long a connection may wait between requests or take to send one, and how large a request's
// header section may be. The defaults suit browsers, scripts and nginx alike.
struct HttpLimits {
  // HTTP_IDLE_SECONDS: a keep-alive connection with no request in progress is closed after this
  // (nginx's upstream keepalive_timeout, 4 s, stays below it).
  int idle_seconds = 5;
  // HTTP_REQUEST_SECONDS: a request's line, headers and body must all arrive within this of its first
  // byte; then it is answered 408 and its connection closed, however steadily it trickles.
  int request_seconds = 10;
  // HTTP_MAX_HEADERS: header fields in one request (Apache's LimitRequestFields); more: 431.
  std::size_t max_headers = 100;
  // HTTP_MAX_HEADER_KIB: the request line and header fields together (nginx's default buffers, 4 x 8
  // KiB); more: 431. Each header line is also capped at 8 KiB (cpp-httplib's own limit).
  std::size_t max_header_bytes = 32 * 1024;
};

struct Config {
  std::string database_url = "postgresql:///convene";  // DATABASE_URL
  std::string host = "127.0.0.1";                        // HOST
  int port = 8080;                                       // PORT
  std::string base_url;                                  // BASE_URL, default http://HOST:PORT
  bool base_url_given = false;                           // BASE_URL was set (else PORT=0 means the port bound)
  std::optional<std::string> smtp_url;                   // SMTP_URL; unset: write .eml files
  std::string mail_from = "convene <noreply@localhost>"; // MAIL_FROM
  std::string spool_dir = "spool";                       // SPOOL_DIR
  std::size_t db_pool_size = 16;                         // DB_POOL_SIZE
  // DB_DEADLINE_MS (6000): the longest one statement or commit keeps a request waiting; see
  // store::PoolOptions::deadline.
  std::chrono::milliseconds db_deadline{6000};
  std::size_t http_threads = 128;                        // HTTP_THREADS: requests served at once
  HttpLimits http_limits;                                // HTTP_IDLE_SECONDS, HTTP_REQUEST_SECONDS, HTTP_MAX_HEADER*
  std::size_t invite_cache_bytes = 16u << 20;            // INVITE_CACHE_MIB (16): rendered invites kept
  // REGISTRATION_BATCH_MAX (64): at most this many concurrent registrations for one event are written
  // by one statement and committed together (app/group_commit.hpp); 0 writes each on its own.
  std::size_t registration_batch_max = 64;
  // Notification worker tuning (the defaults suit production; tests shorten them).
  int worker_lease_seconds = 120;        // WORKER_LEASE_SECONDS: a dead worker's claims expire after this
  int worker_first_retry_seconds = 30;   // WORKER_FIRST_RETRY_SECONDS: doubled at each failed attempt
  int worker_max_attempts = 8;           // WORKER_MAX_ATTEMPTS: then the message is marked failed
  int worker_poll_ms = 500;              // WORKER_POLL_MS: wait between polls when nothing is due
  int worker_plan_seconds = 10;          // WORKER_PLAN_SECONDS: how often due reminders are planned
  int worker_threads = 2;                // WORKER_THREADS: delivery loops per process
  int worker_batch = 50;                 // WORKER_BATCH: messages claimed at a time by a loop
  RateLimitConfig rate_limits;           // RATE_LIMITS=off turns every limit off

  // MAIL_FROM as a person: "Name <address>" or a bare address.
  ical::Person sender() const;
};

// Reads the environment; throws std::invalid_argument naming the variable when a value is unusable.
Config config_from_environment();

}  // namespace convene::app
