// The log: one JSON object per line on stderr, each written with one write(2) so that lines from
// concurrent threads never interleave. Safe from any thread. What goes in is the caller's choice,
// within one rule: no request bodies, paths, addresses, e-mails or tokens (see README, Observability).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <variant>

namespace convene::app::log {

enum class Level { info, warn, error };

struct Field {
  std::string_view name;
  std::variant<std::string_view, std::int64_t> value;
};

void write(Level level, std::initializer_list<Field> fields);

}  // namespace convene::app::log
