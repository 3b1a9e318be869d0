#include "http/pages.hpp"

#include <map>

#include "convene/pages.hpp"
#include "http/request.hpp"

namespace convene::http {
namespace {

// The page texts (keys "page.*" of the merged catalogue: web/i18n over i18n/, English filling gaps),
// parsed once. Templates use them by key ({{page.form.name}}), so labels and headings arrive in the
// visitor's language before any script runs; the shared Catalogue reads only i18n/ (the e-mail
// texts), so page titles come from here too.
const std::map<std::string, std::string>& page_texts(Language language) {
  static const auto all = [] {
    std::map<Language, std::map<std::string, std::string>> texts;
    for (Language l : kLanguages) {
      const auto catalogue = nlohmann::json::parse(page_catalogue_json(l, PageAudience::organisers));  // outlives items() below
      for (const auto& [key, value] : catalogue.items()) {
        if (key.starts_with("page.") && value.is_string()) texts[l][key] = value.get<std::string>();
      }
    }
    return texts;
  }();
  return all.at(language);
}

}  // namespace

Language page_language(const httplib::Request& request) {
  return negotiate_language(query_param(request, "lang"), header(request, "Accept-Language"));
}

std::string page_text(Language language, const std::string& key) {
  const auto& texts = page_texts(language);
  const auto it = texts.find(key);
  return it != texts.end() ? it->second : key;
}

std::map<std::string, std::string> common_values(Language language, const std::string& title_key,
                                                 PageAudience audience) {
  auto values = page_texts(language);
  values["lang"] = std::string(to_string(language));
  values["dir"] = is_right_to_left(language) ? "rtl" : "ltr";
  values["catalogue_json"] = json_for_html(page_catalogue_json(language, audience));
  values["site_name"] = page_text(language, "page.site_name");
  values["page_title"] = page_text(language, title_key);
  return values;
}

void send_page(httplib::Response& response, int status, std::string_view template_path,
               const std::map<std::string, std::string>& values) {
  const auto text = web_file(template_path);
  response.status = status;
  response.set_header("Cache-Control", "no-cache");
  response.set_header("Vary", "Accept-Language");
  const auto partial = [](std::string_view name) { return web_file("templates/partials/" + std::string(name) + ".html"); };
  response.set_content(render_template(text.value_or("<!DOCTYPE html><title>convene</title>"), values, partial),
                       "text/html; charset=utf-8");
}

}  // namespace convene::http
