// The web pages: templates from web/templates, filled on the server in the visitor's language with
// what a slow link should show before any script arrives (routes_pages.cpp).
#pragma once

#include <httplib.h>

#include "app/join.hpp"

namespace convene::http {

// GET /j/{token}: a redirect to the meeting, or a page saying why not, in the registrant's language
// (or the one the page's language switcher asked for: `lang`).
void send_join(httplib::Response& response, const app::JoinOutcome& outcome, std::optional<std::string_view> lang);

}  // namespace convene::http
