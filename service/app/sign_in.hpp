// The organiser console's sign-in: no passwords. An organiser asks for a link by e-mail; the link
// works once, for kSignInLinkLifetime; using it opens a browser session (the HTTP edge keeps its
// token in an HttpOnly cookie). Bearer tokens from `convene organiser add` keep working beside it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/context.hpp"
#include "app/organisers.hpp"

namespace convene::app {

inline constexpr std::chrono::minutes kSignInLinkLifetime{15};
// A session ends after this long without use, and this long after sign-in whatever happens.
inline constexpr std::chrono::hours kSessionIdleTimeout{2};
inline constexpr std::chrono::hours kSessionLifetime{12};

// POST /api/v1/organiser/sign-in {"email", "language"?}. The same answer whether or not the address
// belongs to an organiser (nobody learns who organises); a link is mailed only if it does. Limited
// per client address and per e-mail address.
Result<> request_sign_in(Context& context, const nlohmann::json& body, std::string_view client);

// POST /organise/sign-in/{token}: uses the link and opens a session.
struct BrowserSession {
  std::string token;  // the cookie's value, shown only now
  std::chrono::seconds lifetime;
};
Result<BrowserSession> complete_sign_in(Context& context, std::string_view link_token);

// POST /api/v1/organiser/sign-out: the session's token stops working.
Result<> sign_out(Context& context, const OrganiserCredentials& credentials);

// GET /api/v1/organiser/me: who is signed in, and the events they may manage (drafts included),
// with their figures.
Result<> who_am_i(Context& context, const OrganiserCredentials& credentials);

}  // namespace convene::app
