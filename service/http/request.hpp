// Reading requests and writing replies: headers, query parameters, JSON bodies, problem+json, and
// the mapping of what the use cases answer (documents, problems, calendars) to HTTP.
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "app/calendars.hpp"
#include "app/context.hpp"
#include "app/organisers.hpp"
#include "convene/problem.hpp"
#include "http/router.hpp"

namespace convene::http {

inline constexpr std::size_t kMaxBodyBytes = 64 * 1024;
inline constexpr int kMaxJsonDepth = 20;
// How long a client should wait before trying again when the database is away.
inline constexpr std::chrono::seconds kRetryAfterUnavailable{2};

std::optional<std::string_view> header(const httplib::Request& request, const char* name);
std::optional<std::string_view> query_param(const httplib::Request& request, const char* name);
// Every value of a repeated parameter (?to=A&to=B), in order.
std::vector<std::string_view> query_params(const httplib::Request& request, const char* name);

// The body as JSON, or a 400 problem: not UTF-8, not JSON (said where, in our words), or nested
// more than kMaxJsonDepth.
std::expected<nlohmann::json, Problem> json_body(const httplib::Request& request);
Problem body_too_large();

// The organiser's credentials: the token of "Authorization: Bearer <token>" (the scheme in any
// letter case), and the console's session cookie.
app::OrganiserCredentials organiser_credentials(const httplib::Request& request);

// The console's session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page
// sends it), Secure when the service is reached over https.
inline constexpr std::string_view kSessionCookie = "convene_session";
std::string session_cookie(std::string_view token, std::chrono::seconds max_age, const std::string& base_url);
std::string expired_session_cookie(const std::string& base_url);

// Whether a request comes from a page of the service itself (BASE_URL's origin): its Origin header,
// or, without one, Sec-Fetch-Site. Writes made with the session cookie must (CSRF).
bool from_own_origin(const httplib::Request& request, const std::string& base_url);
bool is_unsafe_method(std::string_view method);

// The key the client is rate-limited by: its address, or the one X-Forwarded-For names when the
// peer is a trusted proxy (TRUSTED_PROXIES).
std::string client_key(const httplib::Request& request, const app::RateLimiters& limits);
// Public, credential-free reads (events, time, feeds) may be fetched by any web page: CORS is
// granted there and nowhere else.
void allow_any_origin(httplib::Response& response);

// The status code of each problem type.
int status_of(ProblemType type);

// X-Request-Id: one a client sent is kept if it is plain (letters, digits, "-_.:", at most 128);
// else the server makes one.
bool is_acceptable_request_id(std::string_view id);
std::string new_request_id();
// Whether a Content-Type names JSON (application/json, any parameters).
bool is_json_content_type(std::string_view type);
// The security headers every response carries (CSP, nosniff, ...), unless a handler set its own.
void add_security_headers(httplib::Response& response);

void send_json(httplib::Response& response, int status, std::string body);
void send_problem(httplib::Response& response, const Problem& problem);
// The same with a status other than the type's own (a refusal cpp-httplib made: 414, 431...).
void send_problem(httplib::Response& response, const Problem& problem, int status);
// 200 with the document, 201 (with Location) for a new resource, 202 for a request taken, 204 when
// there is nothing to show; a problem otherwise.
void send_result(httplib::Response& response, const app::Result<>& result);
// text/calendar with its method, a download name and an ETag; 304 when the client's copy is current.
void send_calendar(httplib::Response& response, const app::CalendarResult& document);

}  // namespace convene::http
