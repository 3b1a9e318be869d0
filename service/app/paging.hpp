// Keyset pagination, the one way every list is paged: ?limit= (default 50, 1-500) and an opaque
// cursor naming the last row shown, signed for one list (CursorCodec) so that a cursor of another
// list, or of another server, is refused. A page is read with one row more than it shows: that row
// tells whether there is a next page.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/context.hpp"

namespace convene::app {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

struct PageRequest {
  std::string list;        // what is paged, with what decides its rows ("roster:south-south-2021")
  int limit = kDefaultPageSize;
  std::int64_t after = 0;  // the id of the last row of the page before
  int rows_to_read() const { return limit + 1; }
};

// Reads ?limit= and ?cursor= (absent: nullopt) for `list`. A bad limit joins `errors`, so that it is
// reported in one 422 with the list's other parameters; a cursor not issued for `list` is a 400,
// reported only when `errors` is empty.
Result<PageRequest> page_request(const Context& context, std::string list, std::optional<std::string_view> limit,
                                 std::optional<std::string_view> cursor, FieldErrors& errors);
// The same, for a list with no other parameters.
Result<PageRequest> page_request(const Context& context, std::string list, std::optional<std::string_view> limit,
                                 std::optional<std::string_view> cursor);

// A list's filter parameter (?status=, ?kind=): absent, nullopt; else `parse`d. A value it does not
// know, or `not_asked_for` (a value shown under another name), joins `errors` as "`field` must be
// `expected`".
template <class Value>
std::optional<Value> list_filter(std::optional<std::string_view> given, std::optional<Value> (*parse)(std::string_view),
                                 std::string_view field, std::string_view expected, FieldErrors& errors,
                                 std::optional<Value> not_asked_for = std::nullopt) {
  if (!given) return std::nullopt;
  const std::optional<Value> value = parse(*given);
  if (value && value != not_asked_for) return value;
  errors.push_back({std::string(field), "must be " + std::string(expected)});
  return std::nullopt;
}

// {"items": [...], "next_cursor": ...} from rows read with page.rows_to_read().
template <class Row, class IdOf, class ToJson>
nlohmann::json page_json(const Context& context, const PageRequest& page, std::vector<Row> rows, IdOf id_of,
                         ToJson to_json) {
  const bool more = rows.size() > static_cast<std::size_t>(page.limit);
  if (more) rows.pop_back();
  nlohmann::json items = nlohmann::json::array();
  for (const auto& row : rows) items.push_back(to_json(row));
  nlohmann::json body{{"items", std::move(items)}, {"next_cursor", nullptr}};
  if (more) body["next_cursor"] = context.cursors.encode(page.list, id_of(rows.back()));
  return body;
}

}  // namespace convene::app
