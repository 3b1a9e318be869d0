// Page templates (convene/pages.hpp): escaping, raw values, shared partials, organisers' text, catalogues.
#include "convene/pages.hpp"

#include <gtest/gtest.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "convene/embedded.hpp"

namespace convene {
namespace {

// The questions' fields: named for the API, with an error slot each, escaped, in the language asked,
// and filled with a registrant's answers.
TEST(QuestionsHtml, FieldsAreNamedForTheApiEscapedAndFilledIn) {
  const auto form = parse_questions(nlohmann::json::parse(R"([
    {"key": "kind", "type": "one_choice", "required": true, "label": {"en": "Kind", "fr": "Genre"},
     "options": [{"key": "gov", "label": {"en": "<Gov>"}}, {"key": "ngo", "label": {"en": "NGO"}}]},
    {"key": "needs", "type": "several_choices", "label": {"en": "Needs"},
     "options": [{"key": "captions", "label": {"en": "Captions"}}]},
    {"key": "ok", "type": "yes_no", "label": {"en": "OK?"}, "help": {"en": "Say \"yes\""}},
    {"key": "age", "type": "number", "min": 18, "max": 120.5, "label": {"en": "Age"}},
    {"key": "from", "type": "country", "label": {"en": "From"}},
    {"key": "note", "type": "long_text", "label": {"en": "Note"}}])"), {});
  ASSERT_TRUE(form.has_value());
  const FormWords words{"obligatoire", "Oui", "Non", "Non précisé"};
  const std::string html = questions_html(form->asked, Language::fr, words,
                                          nlohmann::json::parse(R"({"kind": "ngo", "ok": false, "age": 30, "from": "NP", "note": "a < b"})"));
  for (const char* part : {
           "<legend><span dir=\"auto\">Genre</span> <span class=\"required\">(obligatoire)</span></legend>",
           "id=\"answer-kind-gov\" name=\"answers.kind\" value=\"gov\" data-error=\"answer-kind-error\" required>",
           "&lt;Gov&gt;",
           "id=\"answer-kind-ngo\" name=\"answers.kind\" value=\"ngo\" data-error=\"answer-kind-error\" required checked>",
           "type=\"checkbox\" id=\"answer-needs-captions\"",
           "<p id=\"answer-kind-error\" class=\"field-error\" hidden></p>",
           "aria-describedby=\"answer-ok-help answer-ok-error\"",
           "Say &quot;yes&quot;",
           "value=\"no\" data-error=\"answer-ok-error\" checked>",
           "type=\"number\" step=\"any\" inputmode=\"decimal\" min=\"18\" max=\"120.5\" value=\"30\">",
           "data-countries data-value=\"NP\"><option value=\"\">Non précisé</option></select>",
           "dir=\"auto\">a &lt; b</textarea>"}) {
    EXPECT_NE(html.find(part), std::string::npos) << part << "\n" << html;
  }
  EXPECT_EQ(html.find("answer-needs-captions\" name=\"answers.needs\" value=\"captions\" data-error=\"answer-needs-error\" required"),
            std::string::npos)
      << "a checkbox group is not required box by box";
}

TEST(RenderTemplate, EscapesValuesUnlessRawAndLeavesUnknownNamesEmpty) {
  const std::map<std::string, std::string> values{{"name", "<b>Núñez & \"co\"</b>"}, {"html", "<li>kept</li>"}};
  EXPECT_EQ(render_template("<p>{{name}}</p>", values), "<p>&lt;b&gt;Núñez &amp; &quot;co&quot;&lt;/b&gt;</p>");
  EXPECT_EQ(render_template("<ul>{{{html}}}</ul>", values), "<ul><li>kept</li></ul>");
  EXPECT_EQ(render_template("[{{missing}}]", values), "[]");
  EXPECT_EQ(render_template("unclosed {{name", values), "unclosed {{name");
}

TEST(RenderTemplate, PartialsAreFilledWithTheSameValues) {
  const std::map<std::string, std::string> values{{"lang", "ar"}, {"title", "<Panel>"}};
  const PartialLookup partials = [](std::string_view name) -> std::optional<std::string_view> {
    if (name == "head") return "<title>{{title}}</title>";
    if (name == "nested") return "[{{> head}}]";
    return std::nullopt;
  };
  EXPECT_EQ(render_template("<html lang=\"{{lang}}\">{{> head}}", values, partials),
            "<html lang=\"ar\"><title>&lt;Panel&gt;</title>");
  EXPECT_EQ(render_template("{{>head}}", values, partials), "<title>&lt;Panel&gt;</title>");
  // One level only: a partial cannot pull in another (nor itself).
  EXPECT_EQ(render_template("{{> nested}}", values, partials), "[]");
  EXPECT_EQ(render_template("a{{> unknown}}b{{>}}c{{> }}d", values, partials), "abcd");
  // Without a lookup, partials are empty; a value cannot be named like a partial.
  EXPECT_EQ(render_template("a{{> head}}b", values), "ab");
  EXPECT_EQ(render_template("{{{> head}}}", {{"> head", "raw"}}, partials), "raw");
}

TEST(PageTemplates, EveryPartialAPageNamesExists) {
  const std::regex partial(R"(\{\{>\s*([A-Za-z0-9_]+)\s*\}\})");
  int pages = 0, uses = 0;
  for (const auto& file : embedded_web()) {
    if (!file.path.starts_with("templates/") || file.path.starts_with("templates/partials/")) continue;
    ++pages;
    const std::string text(file.text);
    for (std::sregex_iterator it(text.begin(), text.end(), partial), end; it != end; ++it) {
      ++uses;
      EXPECT_TRUE(web_file("templates/partials/" + (*it)[1].str() + ".html")) << file.path << " names " << (*it)[0];
    }
    // Every page shares the head and the site header (skip link, language switcher).
    EXPECT_NE(text.find("{{> head}}"), std::string::npos) << file.path;
    EXPECT_NE(text.find("{{> site_header}}"), std::string::npos) << file.path;
  }
  EXPECT_EQ(pages, 9);
  EXPECT_EQ(uses, 2 * pages);
}

TEST(Paragraphs, AreEscapedWithTheirLineBreaks) {
  EXPECT_EQ(paragraphs_html("One <b>bold</b> & line\nand the next\n\nSecond"),
            "<p>One &lt;b&gt;bold&lt;/b&gt; &amp; line<br>and the next</p>\n<p>Second</p>\n");
  EXPECT_EQ(paragraphs_html("Only\n\n\n\nblank lines between"), "<p>Only</p>\n<p>blank lines between</p>\n");
  EXPECT_EQ(paragraphs_html(""), "");
}

TEST(Paragraphs, WebAddressesBecomeLinksWithoutTheSentencesPunctuation) {
  EXPECT_EQ(paragraphs_html("Read https://www.un.org/en/observances/south-south-cooperation-day."),
            "<p>Read <a href=\"https://www.un.org/en/observances/south-south-cooperation-day\" "
            "rel=\"noopener noreferrer\">https://www.un.org/en/observances/south-south-cooperation-day</a>.</p>\n");
  // An ampersand is escaped in the address too; a link that ends the line ends there.
  EXPECT_EQ(paragraphs_html("(see http://a.example/?x=1&y=2)\nnext"),
            "<p>(see <a href=\"http://a.example/?x=1&amp;y=2\" rel=\"noopener noreferrer\">"
            "http://a.example/?x=1&amp;y=2</a>)<br>next</p>\n");
  // Neither a bare scheme, another scheme, nor "http" inside a word is a link; nor can an address
  // break out of its attribute.
  EXPECT_EQ(paragraphs_html("https:// and javascript:alert(1) and xhttp://a.example"),
            "<p>https:// and javascript:alert(1) and xhttp://a.example</p>\n");
  EXPECT_EQ(paragraphs_html("https://a.example/\"onmouseover=x"),
            "<p><a href=\"https://a.example/\" rel=\"noopener noreferrer\">https://a.example/</a>&quot;onmouseover=x</p>\n");
}

TEST(PageCatalogues, TheConsolesTextsGoOnlyToOrganisersPages) {
  for (Language language : kLanguages) {
    const auto everyone = nlohmann::json::parse(page_catalogue_json(language, PageAudience::everyone));
    const auto organisers = nlohmann::json::parse(page_catalogue_json(language, PageAudience::organisers));
    std::size_t console_keys = 0;
    for (const auto& [key, value] : organisers.items()) {
      if (key.starts_with("page.console.")) {
        ++console_keys;
        EXPECT_FALSE(everyone.contains(key)) << key;
      } else {
        EXPECT_EQ(everyone.value(key, nlohmann::json()), value) << key;
      }
    }
    EXPECT_GT(console_keys, 100u) << to_string(language);
    EXPECT_EQ(everyone.size() + console_keys, organisers.size());
  }
}

}  // namespace
}  // namespace convene
