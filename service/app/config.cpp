#include "app/config.hpp"

#include <cstdlib>
#include <stdexcept>

namespace convene::app {
namespace {

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

long long env_number(const char* name, long long fallback, long long min, long long max) {
  auto text = env(name);
  if (!text) return fallback;
  try {
    std::size_t used = 0;
    const long long value = std::stoll(*text, &used);
    if (used == text->size() && value >= min && value <= max) return value;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument(std::string(name) + " must be a whole number from " + std::to_string(min) +
                              " to " + std::to_string(max) + ", not '" + *text + "'");
}

RateLimit env_rate_limit(const char* name, RateLimit fallback) {
  auto text = env(name);
  if (!text) return fallback;
  auto parsed = parse_rate_limit(*text);
  if (!parsed) throw std::invalid_argument(std::string(name) + ": " + parsed.error());
  return *parsed;
}

std::vector<std::string> env_list(const char* name) {
  std::vector<std::string> items;
  std::string text = env(name).value_or("");
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) items.push_back(item);
    start = comma + 1;
  }
  return items;
}

RateLimitConfig rate_limits_from_environment() {
  RateLimitConfig limits;
  limits.trusted_proxies = env_list("TRUSTED_PROXIES");
  const std::string switch_ = env("RATE_LIMITS").value_or("on");
  if (switch_ == "off") {
    limits.registrations_per_address = limits.registrations_per_email = limits.registrations_per_domain =
        limits.token_misses_per_address = limits.requests_per_token = limits.sign_ins_per_address =
            limits.sign_ins_per_email = RateLimit{};
    return limits;
  }
  if (switch_ != "on") throw std::invalid_argument("RATE_LIMITS must be on or off, not '" + switch_ + "'");
  limits.registrations_per_address = env_rate_limit("LIMIT_REGISTRATIONS_PER_ADDRESS", limits.registrations_per_address);
  limits.registrations_per_email = env_rate_limit("LIMIT_REGISTRATIONS_PER_EMAIL", limits.registrations_per_email);
  limits.registrations_per_domain = env_rate_limit("LIMIT_REGISTRATIONS_PER_DOMAIN", limits.registrations_per_domain);
  limits.token_misses_per_address = env_rate_limit("LIMIT_TOKEN_MISSES_PER_ADDRESS", limits.token_misses_per_address);
  limits.requests_per_token = env_rate_limit("LIMIT_REQUESTS_PER_TOKEN", limits.requests_per_token);
  limits.sign_ins_per_address = env_rate_limit("LIMIT_SIGN_INS_PER_ADDRESS", limits.sign_ins_per_address);
  limits.sign_ins_per_email = env_rate_limit("LIMIT_SIGN_INS_PER_EMAIL", limits.sign_ins_per_email);
  return limits;
}

}  // namespace

Config config_from_environment() {
  Config config;
  config.database_url = env("DATABASE_URL").value_or(config.database_url);
  config.host = env("HOST").value_or(config.host);
  config.port = static_cast<int>(env_number("PORT", config.port, 0, 65535));
  config.base_url_given = env("BASE_URL").has_value();
  config.base_url = env("BASE_URL").value_or("http://" + config.host + ":" + std::to_string(config.port));
  while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
  config.smtp_url = env("SMTP_URL");
  config.mail_from = env("MAIL_FROM").value_or(config.mail_from);
  config.spool_dir = env("SPOOL_DIR").value_or(config.spool_dir);
  config.db_pool_size = static_cast<std::size_t>(env_number("DB_POOL_SIZE", 16, 1, 500));
  config.db_deadline = std::chrono::milliseconds(env_number("DB_DEADLINE_MS", config.db_deadline.count(), 500, 600000));
  config.http_threads = static_cast<std::size_t>(env_number("HTTP_THREADS", 128, 4, 4096));
  const HttpLimits http;  // the defaults
  config.http_limits.idle_seconds = static_cast<int>(env_number("HTTP_IDLE_SECONDS", http.idle_seconds, 1, 3600));
  config.http_limits.request_seconds =
      static_cast<int>(env_number("HTTP_REQUEST_SECONDS", http.request_seconds, 1, 3600));
  config.http_limits.max_headers =
      static_cast<std::size_t>(env_number("HTTP_MAX_HEADERS", static_cast<long long>(http.max_headers), 10, 10000));
  config.http_limits.max_header_bytes = static_cast<std::size_t>(env_number(
                                            "HTTP_MAX_HEADER_KIB", static_cast<long long>(http.max_header_bytes >> 10), 4, 1024))
                                        << 10;
  config.invite_cache_bytes = static_cast<std::size_t>(env_number("INVITE_CACHE_MIB", 16, 0, 4096)) << 20;
  config.registration_batch_max = static_cast<std::size_t>(env_number("REGISTRATION_BATCH_MAX", 64, 0, 1000));
  config.worker_lease_seconds = static_cast<int>(env_number("WORKER_LEASE_SECONDS", 120, 2, 86400));
  config.worker_first_retry_seconds = static_cast<int>(env_number("WORKER_FIRST_RETRY_SECONDS", 30, 1, 3600));
  config.worker_max_attempts = static_cast<int>(env_number("WORKER_MAX_ATTEMPTS", 8, 1, 100));
  config.worker_poll_ms = static_cast<int>(env_number("WORKER_POLL_MS", 500, 10, 60000));
  config.worker_plan_seconds = static_cast<int>(env_number("WORKER_PLAN_SECONDS", 10, 1, 3600));
  config.worker_threads = static_cast<int>(env_number("WORKER_THREADS", 2, 1, 64));
  config.worker_batch = static_cast<int>(env_number("WORKER_BATCH", 50, 1, 1000));
  config.rate_limits = rate_limits_from_environment();
  return config;
}

ical::Person Config::sender() const {
  const std::size_t open = mail_from.rfind('<');
  const std::size_t close = mail_from.rfind('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return {mail_from, std::nullopt};
  std::string name = mail_from.substr(0, open);
  while (!name.empty() && (name.back() == ' ' || name.back() == '"')) name.pop_back();
  while (!name.empty() && (name.front() == ' ' || name.front() == '"')) name.erase(0, 1);
  return {mail_from.substr(open + 1, close - open - 1), name.empty() ? std::nullopt : std::optional(name)};
}

}  // namespace convene::app
