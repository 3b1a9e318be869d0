#include "app/log.hpp"

#include <unistd.h>

#include <string>

#include "convene/enum_names.hpp"
#include "convene/text.hpp"

namespace convene::app::log {
namespace {

constexpr auto kLevelNames = enum_names<Level>(std::pair{Level::info, "info"}, std::pair{Level::warn, "warn"},
                                                std::pair{Level::error, "error"});

}  // namespace

void write(Level level, std::initializer_list<Field> fields) {
  std::string line = R"({"level":")";
  line += kLevelNames.name(level);
  line += '"';
  for (const Field& field : fields) {
    line += ',';
    append_json_string(line, field.name);
    line += ':';
    if (const auto* text = std::get_if<std::string_view>(&field.value)) append_json_string(line, *text);
    else line += std::to_string(std::get<std::int64_t>(field.value));
  }
  line += "}\n";
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace convene::app::log
