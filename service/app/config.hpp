// Configuration from the environment (12-factor), each variable with a default.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "convene/icalendar.hpp"

namespace convene::app {

struct Config {
  std::string database_url = "postgresql:///convene";  // DATABASE_URL
  std::string host = "127.0.0.1";                        // HOST
  int port = 8080;                                       // PORT
  std::string base_url;                                  // BASE_URL, default http://HOST:PORT
  std::optional<std::string> smtp_url;                   // SMTP_URL; unset: write .eml files
  std::string mail_from = "convene <noreply@localhost>"; // MAIL_FROM
  std::string spool_dir = "spool";                       // SPOOL_DIR
  std::size_t db_pool_size = 16;                         // DB_POOL_SIZE
  std::size_t http_threads = 128;                        // HTTP_THREADS: one per open connection

  // MAIL_FROM as a person: "Name <address>" or a bare address.
  ical::Person sender() const;
};

// Reads the environment; throws std::invalid_argument naming the variable when a value is unusable.
Config config_from_environment();

}  // namespace convene::app
