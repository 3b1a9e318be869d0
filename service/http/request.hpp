// Small helpers shared by route handlers: reading requests, writing JSON and problem replies.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "app/calendars.hpp"
#include "app/context.hpp"
#include "convene/problem.hpp"

namespace convene::http {

inline constexpr std::size_t kMaxBodyBytes = 64 * 1024;
inline constexpr int kMaxJsonDepth = 20;

std::optional<std::string_view> header(const httplib::Request& request, const char* name);
std::optional<std::string_view> query_param(const httplib::Request& request, const char* name);
// Every value of a repeated parameter (?to=A&to=B), in order.
std::vector<std::string_view> query_params(const httplib::Request& request, const char* name);

// The body as JSON, or a 400 problem: not JSON, not UTF-8, or nested more than kMaxJsonDepth.
std::expected<nlohmann::json, Problem> json_body(const httplib::Request& request);

// The key the client is rate-limited by: its address, or the one X-Forwarded-For names when the
// peer is a trusted proxy (TRUSTED_PROXIES).
std::string client_key(const httplib::Request& request, const app::RateLimiters& limits);
// 429 Too Many Requests with Retry-After; `detail` says what was limited, in words a person can act on.
void send_rate_limited(httplib::Response& response, const RateDecision& decision, const std::string& detail);
// Public, credential-free reads (events, time, feeds) may be fetched by any web page: CORS is
// granted there and nowhere else.
void allow_any_origin(httplib::Response& response);

void send_json(httplib::Response& response, int status, std::string body);
void send_problem(httplib::Response& response, const Problem& problem);
void send_result(httplib::Response& response, const app::Result& result);

// text/calendar with its method, a download name and an ETag; 304 when the client's copy is current.
void send_calendar(httplib::Response& response, const std::expected<app::CalendarDocument, Problem>& document);

}  // namespace convene::http
