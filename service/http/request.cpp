#include "http/request.hpp"

#include <random>

#include "convene/text.hpp"

namespace convene::http {
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

// "Bearer <token>", the scheme in any letter case (RFC 9110 section 11.1).
std::optional<std::string_view> bearer_token(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char ch = header[i];
    if ((ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch) != kScheme[i]) return std::nullopt;
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

}  // namespace

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
  const auto nested_too_deep = [] {
    return bad_request("The JSON body is nested more than " + std::to_string(kMaxJsonDepth) + " levels deep.");
  };
  try {
    auto body = nlohmann::json::parse(request.body, limit_depth);
    if (too_deep) return std::unexpected(nested_too_deep());
    return body;
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for numbers like 1e999
    if (too_deep) return std::unexpected(nested_too_deep());
    return std::unexpected(unreadable_json(request.body, e));
  }
}

Problem body_too_large() {
  return Problem{ProblemType::payload_too_large,
                 "Request bodies are limited to " + std::to_string(kMaxBodyBytes / 1024) + " KiB."};
}

namespace {

// The value of one cookie of the Cookie header (RFC 6265 section 5.4: "name=value; name=value").
std::optional<std::string_view> cookie(const httplib::Request& request, std::string_view name) {
  const auto cookies = header(request, "Cookie");
  if (!cookies) return std::nullopt;
  std::string_view rest = *cookies;
  while (!rest.empty()) {
    const std::size_t end = std::min(rest.find(';'), rest.size());
    std::string_view pair = rest.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=')
      return pair.substr(name.size() + 1);
    rest.remove_prefix(std::min(end + 1, rest.size()));
  }
  return std::nullopt;
}

// "https://host:port" of a URL, without its path.
std::string_view origin_of(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return url;
  const std::size_t path = url.find('/', scheme + 3);
  return url.substr(0, path);
}

}  // namespace

app::OrganiserCredentials organiser_credentials(const httplib::Request& request) {
  app::OrganiserCredentials credentials;
  if (const auto authorization = header(request, "Authorization"))
    credentials.bearer = bearer_token(*authorization).value_or(std::string_view{});
  credentials.session = cookie(request, kSessionCookie);
  return credentials;
}

std::string session_cookie(std::string_view token, std::chrono::seconds max_age, const std::string& base_url) {
  return std::string(kSessionCookie) + "=" + std::string(token) + "; Path=/; Max-Age=" +
         std::to_string(max_age.count()) + "; HttpOnly; SameSite=Strict" +
         (base_url.starts_with("https://") ? "; Secure" : "");
}

std::string expired_session_cookie(const std::string& base_url) {
  return session_cookie("", std::chrono::seconds{0}, base_url);
}

bool from_own_origin(const httplib::Request& request, const std::string& base_url) {
  // A page sent with "Referrer-Policy: no-referrer" (the sign-in page, so its token goes nowhere)
  // names its origin "null"; then Sec-Fetch-Site, which no page's script can set, decides.
  const auto origin = header(request, "Origin");
  if (origin && *origin != "null") return *origin == origin_of(base_url);
  const auto site = header(request, "Sec-Fetch-Site");
  return site && *site == "same-origin";
}

bool is_unsafe_method(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::string client_key(const httplib::Request& request, const app::RateLimiters& limits) {
  return convene::client_key(request.remote_addr, header(request, "X-Forwarded-For"), limits.trusted_proxies);
}

void allow_any_origin(httplib::Response& response) { response.set_header("Access-Control-Allow-Origin", "*"); }

int status_of(ProblemType type) {
  switch (type) {
    case ProblemType::bad_request: return 400;
    case ProblemType::unauthorised: return 401;
    case ProblemType::forbidden:
    case ProblemType::cross_site_request:
    case ProblemType::invitation_required: return 403;
    case ProblemType::not_found: return 404;
    case ProblemType::method_not_allowed: return 405;
    case ProblemType::already_registered:
    case ProblemType::registration_not_open:
    case ProblemType::registration_closed:
    case ProblemType::event_cancelled:
    case ProblemType::event_changing:
    case ProblemType::registration_rejected:
    case ProblemType::capacity_reached:
    case ProblemType::option_full:
    case ProblemType::capacity_below_confirmed:
    case ProblemType::slug_taken:
    case ProblemType::announcement_sent:
    case ProblemType::invitation_used:
    case ProblemType::not_by_invitation: return 409;
    case ProblemType::length_required: return 411;
    case ProblemType::payload_too_large: return 413;
    case ProblemType::unsupported_media_type: return 415;
    case ProblemType::validation_failed:
    case ProblemType::idempotency_key_reused: return 422;
    case ProblemType::rate_limited: return 429;
    case ProblemType::internal_error: return 500;
    case ProblemType::database_unavailable:
    case ProblemType::database_timeout:
    case ProblemType::outcome_unknown: return 503;
  }
  return 500;
}

void send_json(httplib::Response& response, int status, std::string body) {
  response.status = status;
  response.set_content(std::move(body), "application/json");
}

void send_problem(httplib::Response& response, const Problem& problem) {
  send_problem(response, problem, status_of(problem.type));
}

void send_problem(httplib::Response& response, const Problem& problem, int status) {
  response.status = status;
  nlohmann::json body = problem;
  body["status"] = response.status;
  // Details may quote a request (a slug with %FF in it): invalid UTF-8 is replaced, never thrown on.
  response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/problem+json");
  if (problem.retry_after) response.set_header("Retry-After", std::to_string(problem.retry_after->count()));
  if (problem.type == ProblemType::unauthorised) response.set_header("WWW-Authenticate", "Bearer realm=\"convene\"");
}

void send_result(httplib::Response& response, const app::Result<>& result) {
  if (!result) return send_problem(response, result.error());
  if (result->replayed) response.set_header("Idempotent-Replayed", "true");
  if (!result->location.empty()) response.set_header("Location", result->location);
  switch (result->kind) {
    case app::Document::Kind::read: return send_json(response, 200, result->json);
    case app::Document::Kind::created: return send_json(response, 201, result->json);
    case app::Document::Kind::accepted: return send_json(response, 202, result->json);
    case app::Document::Kind::nothing: response.status = 204; return;
  }
}

void send_calendar(httplib::Response& response, const app::CalendarResult& document) {
  if (!document) return send_problem(response, document.error());
  const std::string method(ical::to_string(document->method));
  response.set_header("ETag", document->etag);
  // Calendar apps poll: they revalidate with If-None-Match instead of refetching. The public feed
  // may be kept 10 s by shared caches (nginx); a registrant's invite is theirs alone.
  response.set_header("Cache-Control",
                      document->method == ical::Method::publish ? "public, max-age=10" : "private, no-cache");
  if (!document->body) {
    response.status = 304;
    return;
  }
  response.status = 200;
  response.set_header("Content-Disposition", "attachment; filename=\"" + document->filename + "\"");
  response.set_content(*document->body, "text/calendar; charset=utf-8; method=" + method);
}

bool is_acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char ch : id) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                    ch == '-' || ch == '_' || ch == '.' || ch == ':';
    if (!ok) return false;
  }
  return true;
}

bool is_json_content_type(std::string_view type) {
  const std::string media(type.substr(0, type.find(';')));
  std::string lower;
  for (char ch : media) {
    if (ch != ' ') lower.push_back(ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch);
  }
  return lower == "application/json";
}

// Request ids only need to be unique, not secret: a per-thread generator is enough (and far
// cheaper than the CSPRNG every request would otherwise pay for).
std::string new_request_id() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string id(16, '0');
  std::uint64_t bits = generator();
  for (char& ch : id) {
    ch = kDigits[bits & 15];
    bits >>= 4;
  }
  return id;
}

// Security headers every response carries (RFC 9110 headers are case-insensitive; a handler that set
// its own value, e.g. a stricter Referrer-Policy on pages whose address holds a token, keeps it).
void add_security_headers(httplib::Response& response) {
  static const std::pair<const char*, const char*> kHeaders[] = {
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "strict-origin-when-cross-origin"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
  };
  for (const auto& [name, value] : kHeaders) {
    if (!response.has_header(name)) response.set_header(name, value);
  }
}

}  // namespace convene::http
