// Web pages: templates from web/templates (compiled into the binary), filled with escaped values,
// in the language the visitor asked for.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "convene/locale.hpp"
#include "convene/questions.hpp"

namespace convene {

// {{name}} becomes the HTML-escaped value; {{{name}}} the value as it is (for markup built by the
// server and already escaped, or JSON in a <script type="application/json"> data block, which
// must then be escaped with json_for_html). Unknown names are left empty. {{> name}} is the text
// `partials` gives for that name (the parts pages share), filled with the same values; partials
// do not include further partials.
using PartialLookup = std::function<std::optional<std::string_view>(std::string_view name)>;
std::string render_template(std::string_view text, const std::map<std::string, std::string>& values,
                            const PartialLookup& partials = {});

// JSON made safe inside <script type="application/json">: "<", ">" and "&" become \u escapes, so
// no value can close the element or start a comment.
std::string json_for_html(std::string_view json);

// The page language: ?lang= when it names one we have, else the best of Accept-Language (by q),
// else English.
Language negotiate_language(std::optional<std::string_view> lang_parameter,
                            std::optional<std::string_view> accept_language);

// A file of web/ ("templates/event.html", "static/app.css"), or nullopt.
std::optional<std::string_view> web_file(std::string_view path);

// Who a page is for: the console's own texts ("page.console.*", a third of the catalogue) stay off
// the pages everyone loads over slow links.
enum class PageAudience { everyone, organisers };

// The catalogue the pages use for a language: i18n/<lang>.json (shared with e-mails) merged with
// web/i18n/<lang>.json (page texts), English filling what a language lacks. JSON text.
const std::string& page_catalogue_json(Language language, PageAudience audience);

// Paragraphs of organiser-written text as HTML: escaped, split at blank lines, line breaks kept, and
// http(s) addresses made links (without the punctuation that ends a sentence after them).
std::string paragraphs_html(std::string_view text);

// The registration form's own questions as form fields, in `language`, for the first paint: each
// named "answers.<key>" with an error slot "answer-<key>-error" (where the API's 422 for
// answers.<key> is shown) and its help in aria-describedby. Choices are fieldsets of radios or
// checkboxes; a country question is an empty <select data-countries> the page's script fills (and
// selects its data-value in). `answers` (as stored) fill the fields in, for a registrant's own page.
struct FormWords {
  std::string required;      // "(required)" beside a label
  std::string yes, no;       // the two answers of a yes/no question
  std::string country_none;  // the first option of a country list
};
std::string questions_html(const std::vector<Question>& questions, Language language, const FormWords& words,
                           const nlohmann::json& answers = nlohmann::json::object());

}  // namespace convene
