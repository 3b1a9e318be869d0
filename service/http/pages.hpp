// The web pages: templates from web/templates, filled on the server in the visitor's language with
// what a slow link should show before any script arrives (routes_pages.cpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>

#include "app/join.hpp"
#include "convene/locale.hpp"
#include "convene/pages.hpp"

namespace convene::http {

// The page language: ?lang= when it names one we have, else the best of Accept-Language, else English.
Language page_language(const httplib::Request& request);
// A page text ("page.*" keys of web/i18n, English filling gaps); the key itself if none has it.
std::string page_text(Language language, const std::string& key);
// What every page template is filled with: its texts, lang and dir, the catalogue for its scripts,
// the site's name and the page's title (from `title_key`). The scripts' catalogue holds the console's
// texts only on pages for organisers.
std::map<std::string, std::string> common_values(Language language, const std::string& title_key,
                                                 PageAudience audience);
// Renders web/<template_path> with `values` (and the partials of templates/partials/).
void send_page(httplib::Response& response, int status, std::string_view template_path,
               const std::map<std::string, std::string>& values);

// GET /j/{token}: a redirect to the meeting, or a page saying why not, in the registrant's language
// (or the one the page's language switcher asked for: `lang`).
void send_join(httplib::Response& response, const app::JoinOutcome& outcome, std::optional<std::string_view> lang);

}  // namespace convene::http
