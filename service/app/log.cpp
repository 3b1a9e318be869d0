#include "app/log.hpp"

#include <unistd.h>

#include <string>

#include <nlohmann/json.hpp>

#include "convene/enum_names.hpp"

namespace convene::app::log {
namespace {

void append_string(std::string& out, std::string_view text) {
  // nlohmann-json's serializer escapes (and replaces invalid UTF-8, so a line always parses).
  out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

constexpr auto kLevelNames = enum_names<Level>(std::pair{Level::info, "info"}, std::pair{Level::warn, "warn"},
                                                std::pair{Level::error, "error"});

}  // namespace

void write(Level level, std::initializer_list<Field> fields) {
  std::string line = R"({"level":")";
  line += kLevelNames.name(level);
  line += '"';
  for (const Field& field : fields) {
    line += ',';
    append_string(line, field.name);
    line += ':';
    if (const auto* text = std::get_if<std::string_view>(&field.value)) append_string(line, *text);
    else line += std::to_string(std::get<std::int64_t>(field.value));
  }
  line += "}\n";
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace convene::app::log
