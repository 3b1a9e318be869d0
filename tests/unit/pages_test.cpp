// Page templates (convene/pages.hpp): escaping, raw values, shared partials.
#include "convene/pages.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "convene/embedded.hpp"

namespace convene {
namespace {

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

}  // namespace
}  // namespace convene
