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

}  // namespace

Config config_from_environment() {
  Config config;
  config.database_url = env("DATABASE_URL").value_or(config.database_url);
  config.host = env("HOST").value_or(config.host);
  config.port = static_cast<int>(env_number("PORT", config.port, 0, 65535));
  config.base_url = env("BASE_URL").value_or("http://" + config.host + ":" + std::to_string(config.port));
  while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
  config.smtp_url = env("SMTP_URL");
  config.mail_from = env("MAIL_FROM").value_or(config.mail_from);
  config.spool_dir = env("SPOOL_DIR").value_or(config.spool_dir);
  config.db_pool_size = static_cast<std::size_t>(env_number("DB_POOL_SIZE", 16, 1, 500));
  config.http_threads = static_cast<std::size_t>(env_number("HTTP_THREADS", 128, 4, 4096));
  config.worker_lease_seconds = static_cast<int>(env_number("WORKER_LEASE_SECONDS", 120, 2, 86400));
  config.worker_first_retry_seconds = static_cast<int>(env_number("WORKER_FIRST_RETRY_SECONDS", 30, 1, 3600));
  config.worker_max_attempts = static_cast<int>(env_number("WORKER_MAX_ATTEMPTS", 8, 1, 100));
  config.worker_poll_ms = static_cast<int>(env_number("WORKER_POLL_MS", 500, 10, 60000));
  config.worker_plan_seconds = static_cast<int>(env_number("WORKER_PLAN_SECONDS", 10, 1, 3600));
  config.worker_threads = static_cast<int>(env_number("WORKER_THREADS", 2, 1, 64));
  config.worker_batch = static_cast<int>(env_number("WORKER_BATCH", 50, 1, 1000));
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
