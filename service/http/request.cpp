#include "http/request.hpp"

#include "convene/text.hpp"

namespace convene::http {

std::optional<std::string_view> header(const httplib::Request& request, const char* name) {
  auto it = request.headers.find(name);  // httplib's header map compares names case-insensitively
  if (it == request.headers.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<std::string_view> query_param(const httplib::Request& request, const char* name) {
  auto it = request.params.find(name);
  if (it == request.params.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::vector<std::string_view> query_params(const httplib::Request& request, const char* name) {
  std::vector<std::string_view> values;
  auto [first, last] = request.params.equal_range(name);
  for (auto it = first; it != last; ++it) values.emplace_back(it->second);
  return values;
}

namespace {

// Where a parser stopped, as people count: line and column (in characters) of byte `offset`.
std::string position_in(std::string_view body, std::size_t offset) {
  offset = std::min(offset, body.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (body[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(body[i]) & 0xC0) != 0x80) {
      ++column;  // continuation bytes of a UTF-8 character do not move the column
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// What is wrong with a body the parser refused, in our words: the library's message quotes the
// request and names its own internals, so neither reaches the client.
Problem unreadable_json(std::string_view body, const nlohmann::json::exception& error) {
  if (body.empty()) return bad_request("The request body is empty; send a JSON object.");
  if (const auto* parse = dynamic_cast<const nlohmann::json::parse_error*>(&error)) {
    // `byte` is 1-based and points at the character that could not be read.
    const std::size_t at = parse->byte == 0 ? 0 : parse->byte - 1;
    if (at >= body.size())
      return bad_request("The JSON body ends before it is complete (at " + position_in(body, body.size()) + ").");
    return bad_request("The JSON body is not valid at " + position_in(body, at) +
                       ": a character there cannot continue what came before it.");
  }
  // out_of_range: a number beyond what a double holds (1e999).
  return bad_request("The JSON body holds a number too large to read.");
}

}  // namespace

std::expected<nlohmann::json, Problem> json_body(const httplib::Request& request) {
  // nlohmann-json keeps string bytes as they come; text must be UTF-8 before anything stores it.
  if (!is_valid_utf8(request.body)) return std::unexpected(bad_request("The body is not valid UTF-8."));
  bool too_deep = false;
  // The callback sees the nesting depth while parsing, so a hostile body of 60,000 '[' is refused
  // before it becomes a deep tree.
  auto limit_depth = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxJsonDepth) too_deep = true;
    return !too_deep;
  };
  const Problem nested_too_deep =
      bad_request("The JSON body is nested more than " + std::to_string(kMaxJsonDepth) + " levels deep.");
  try {
    auto body = nlohmann::json::parse(request.body, limit_depth);
    if (too_deep) return std::unexpected(nested_too_deep);
    return body;
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for numbers like 1e999
    if (too_deep) return std::unexpected(nested_too_deep);
    return std::unexpected(unreadable_json(request.body, e));
  }
}

std::string client_key(const httplib::Request& request, const app::RateLimiters& limits) {
  return convene::client_key(request.remote_addr, header(request, "X-Forwarded-For"), limits.trusted_proxies);
}

void send_rate_limited(httplib::Response& response, const RateDecision& decision, const std::string& detail) {
  const long seconds = decision.retry_after_seconds();
  response.set_header("Retry-After", std::to_string(seconds));
  send_problem(response, Problem{429, "rate-limited", "Too many requests",
                                 detail + " Please try again in " + std::to_string(seconds) +
                                     (seconds == 1 ? " second." : " seconds.")});
}

void allow_any_origin(httplib::Response& response) { response.set_header("Access-Control-Allow-Origin", "*"); }

void send_json(httplib::Response& response, int status, std::string body) {
  response.status = status;
  response.set_content(std::move(body), "application/json");
}

void send_problem(httplib::Response& response, const Problem& problem) {
  response.status = problem.status;
  // Details may quote the request (a path with %FF in it): invalid UTF-8 is replaced, never thrown on.
  response.set_content(nlohmann::json(problem).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/problem+json");
  if (problem.status == 401) response.set_header("WWW-Authenticate", "Bearer realm=\"convene\"");
}

void send_result(httplib::Response& response, const app::Result& result) {
  if (!result) return send_problem(response, result.error());
  if (result->replayed) response.set_header("Idempotent-Replayed", "true");
  if (!result->location.empty()) response.set_header("Location", result->location);
  send_json(response, result->status, result->body);
}

}  // namespace convene::http

namespace convene::http {

void send_calendar(httplib::Response& response, const std::expected<app::CalendarDocument, Problem>& document) {
  if (!document) return send_problem(response, document.error());
  response.set_header("ETag", document->etag);
  // Calendar apps poll: they revalidate with If-None-Match instead of refetching. The public feed
  // may be kept 10 s by shared caches (nginx); a registrant's invite is theirs alone.
  response.set_header("Cache-Control", document->method == "PUBLISH" ? "public, max-age=10" : "private, no-cache");
  if (!document->body) {
    response.status = 304;
    return;
  }
  response.status = 200;
  response.set_header("Content-Disposition", "attachment; filename=\"" + document->filename + "\"");
  response.set_content(*document->body, "text/calendar; charset=utf-8; method=" + document->method);
}

}  // namespace convene::http
