#include "app/paging.hpp"

#include <charconv>

#include "app/problems.hpp"

namespace convene::app {

Result<PageRequest> page_request(const Context& context, std::string list, std::optional<std::string_view> limit,
                                 std::optional<std::string_view> cursor, FieldErrors& errors) {
  PageRequest page{std::move(list)};
  if (limit) {
    const auto [end, error] = std::from_chars(limit->data(), limit->data() + limit->size(), page.limit);
    if (error != std::errc() || end != limit->data() + limit->size() || page.limit < 1 || page.limit > kMaxPageSize)
      errors.push_back({"limit", "must be a whole number from 1 to " + std::to_string(kMaxPageSize)});
  }
  if (!errors.empty()) return std::unexpected(validation_failed(errors));
  if (cursor) {
    const auto after = context.cursors.decode(page.list, *cursor);
    if (!after) return std::unexpected(problems::foreign_cursor());
    page.after = *after;
  }
  return page;
}

Result<PageRequest> page_request(const Context& context, std::string list, std::optional<std::string_view> limit,
                                 std::optional<std::string_view> cursor) {
  FieldErrors errors;
  return page_request(context, std::move(list), limit, cursor, errors);
}

}  // namespace convene::app
