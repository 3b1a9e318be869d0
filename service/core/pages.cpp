#include "convene/pages.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <iomanip>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "convene/embedded.hpp"
#include "convene/mail.hpp"

namespace convene {

std::string render_template(std::string_view text, const std::map<std::string, std::string>& values,
                            const PartialLookup& partials) {
  std::string out;
  out.reserve(text.size() + 1024);
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find("{{", i);
    if (open == std::string_view::npos) break;
    const bool raw = text.substr(open, 3) == "{{{";
    const std::string_view closer = raw ? "}}}" : "}}";
    const std::size_t start = open + (raw ? 3 : 2);
    const std::size_t close = text.find(closer, start);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    const std::string name(text.substr(start, close - start));
    if (!raw && name.starts_with('>')) {
      const std::size_t first = name.find_first_not_of("> ");
      const std::string_view partial_name = first == std::string::npos ? "" : std::string_view(name).substr(first);
      if (auto partial = partials ? partials(partial_name) : std::nullopt) out += render_template(*partial, values);
    } else if (auto it = values.find(name); it != values.end()) {
      out += raw ? it->second : mail::html_escape(it->second);
    }
    i = close + closer.size();
  }
  out.append(text.substr(i));
  return out;
}

std::string json_for_html(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (char ch : json) {
    if (ch == '<') out += "\\u003c";
    else if (ch == '>') out += "\\u003e";
    else if (ch == '&') out += "\\u0026";
    else out.push_back(ch);
  }
  return out;
}

Language negotiate_language(std::optional<std::string_view> lang_parameter, std::optional<std::string_view> accept) {
  if (lang_parameter) {
    if (auto language = parse_language(*lang_parameter)) return *language;
  }
  if (!accept) return Language::en;
  // "fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5": the highest q among languages we have; ties by order.
  std::optional<Language> best;
  double best_q = 0;
  std::string_view list = *accept;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    const std::size_t semicolon = item.find(';');
    std::string_view tag = item.substr(0, semicolon);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    double q = 1;
    if (semicolon != std::string_view::npos) {
      const std::size_t at = item.find("q=", semicolon);
      if (at != std::string_view::npos) {
        try {
          q = std::stod(std::string(item.substr(at + 2)));
        } catch (const std::exception&) {
          q = 0;
        }
      }
    }
    auto language = parse_language(tag);
    if (language && q > best_q) {
      best = language;
      best_q = q;
    }
  }
  return best.value_or(Language::en);
}

std::optional<std::string_view> web_file(std::string_view path) {
  for (const auto& file : embedded_web()) {
    if (file.path == path) return file.text;
  }
  return std::nullopt;
}

const std::string& page_catalogue_json(Language language, PageAudience audience) {
  static std::once_flag built;
  static std::map<std::pair<Language, PageAudience>, std::string> catalogues;
  std::call_once(built, [] {
    const auto load = [](std::string_view text) {
      return text.empty() ? nlohmann::json::object() : nlohmann::json::parse(text);
    };
    const auto file = [](const std::vector<EmbeddedFile>& files, const std::string& path) -> std::string_view {
      for (const auto& f : files) {
        if (f.path == path) return f.text;
      }
      return {};
    };
    nlohmann::json english = load(file(embedded_catalogues(), "en.json"));
    english.update(load(file(embedded_web(), "i18n/en.json")));
    for (Language l : kLanguages) {
      const std::string name = std::string(to_string(l)) + ".json";
      nlohmann::json merged = english;
      merged.update(load(file(embedded_catalogues(), name)));
      merged.update(load(file(embedded_web(), "i18n/" + name)));
      catalogues[{l, PageAudience::organisers}] = merged.dump();
      nlohmann::json public_texts = nlohmann::json::object();
      for (const auto& [key, value] : merged.items()) {
        if (!key.starts_with("page.console.")) public_texts[key] = value;
      }
      catalogues[{l, PageAudience::everyone}] = public_texts.dump();
    }
  });
  return catalogues.at({language, audience});
}

namespace {

// Where a web address that starts at `from` ends: at a space, a character HTML would take for
// markup, or the end; then without what closes the sentence around it ("see https://un.org.").
std::size_t address_end(std::string_view text, std::size_t from) {
  std::size_t end = from;
  while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '<' &&
         text[end] != '>' && text[end] != '"')
    ++end;
  while (end > from && std::string_view(".,;:!?)'").find(text[end - 1]) != std::string_view::npos) --end;
  return end;
}

std::string line_html(std::string_view line) {
  std::string out;
  std::size_t done = 0;
  for (std::size_t at = 0; at < line.size();) {
    const std::size_t http = line.find("http", at);
    if (http == std::string_view::npos) break;
    const std::string_view rest = line.substr(http);
    const std::size_t scheme = rest.starts_with("https://") ? 8 : rest.starts_with("http://") ? 7 : 0;
    const bool starts_a_word = http == 0 || !std::isalnum(static_cast<unsigned char>(line[http - 1]));
    const std::size_t end = scheme && starts_a_word ? address_end(line, http) : http;
    if (end <= http + scheme) {
      at = http + 4;
      continue;
    }
    const std::string address = mail::html_escape(line.substr(http, end - http));
    out += mail::html_escape(line.substr(done, http - done));
    out += "<a href=\"" + address + "\" rel=\"noopener noreferrer\">" + address + "</a>";
    done = at = end;
  }
  return out + mail::html_escape(line.substr(done));
}

}  // namespace

std::string paragraphs_html(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find("\n\n", start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view paragraph = text.substr(start, end - start);
    while (!paragraph.empty() && paragraph.front() == '\n') paragraph.remove_prefix(1);  // a third blank line
    if (!paragraph.empty()) {
      std::string html;
      for (std::size_t from = 0; from <= paragraph.size();) {
        std::size_t line_end = paragraph.find('\n', from);
        if (line_end == std::string_view::npos) line_end = paragraph.size();
        if (from > 0) html += "<br>";
        html += line_html(paragraph.substr(from, line_end - from));
        from = line_end + 1;
      }
      out += "<p>" + html + "</p>\n";
    }
    start = end + 2;
  }
  return out;
}

}  // namespace convene

namespace convene {
namespace {

std::string escaped(std::string_view text) { return mail::html_escape(text); }

std::string number_text(double value) {
  std::ostringstream text;
  text << std::setprecision(15) << value;
  return text.str();
}

// Whether a stored answer holds `value` (an option's key, or yes / no).
bool holds(const nlohmann::json* answer, const std::string& value) {
  if (answer == nullptr) return false;
  if (answer->is_array()) return std::find(answer->begin(), answer->end(), value) != answer->end();
  if (answer->is_boolean()) return answer->get<bool>() == (value == "yes");
  return *answer == value;
}

// One radio or checkbox of a choice; its error is the group's.
std::string choice_html(const std::string& type, const std::string& name, const std::string& id,
                        const std::string& value, const std::string& label, const std::string& described_by,
                        bool required, bool checked) {
  return "<div class=\"choice\"><input type=\"" + type + "\" id=\"" + id + "\" name=\"" + name + "\" value=\"" +
         escaped(value) + "\" data-error=\"" + described_by.substr(described_by.rfind(' ') + 1) + "\"" +
         (required ? " required" : "") + (checked ? " checked" : "") + "><label for=\"" + id + "\" dir=\"auto\">" + escaped(label) +
         "</label></div>";
}

}  // namespace

std::string questions_html(const std::vector<Question>& questions, Language language, const FormWords& words,
                           const nlohmann::json& answers) {
  std::string out;
  for (const auto& q : questions) {
    const auto found = answers.find(q.key);
    const nlohmann::json* answer = found == answers.end() ? nullptr : &*found;
    const std::string text = answer == nullptr ? ""
                             : answer->is_string() ? answer->get<std::string>()
                                                   : answer->dump();
    const std::string id = "answer-" + q.key;
    const std::string name = "answers." + q.key;
    const std::string error_id = id + "-error";
    const std::string help_id = id + "-help";
    const std::string described_by = (q.help.empty() ? "" : help_id + " ") + error_id;
    const std::string label = "<span dir=\"auto\">" + escaped(q.label.in(language)) + "</span>" +
                              (q.required ? " <span class=\"required\">(" + escaped(words.required) + ")</span>" : "");
    const std::string help =
        q.help.empty() ? "" : "<p id=\"" + help_id + "\" class=\"hint\" dir=\"auto\">" + escaped(q.help.in(language)) + "</p>";
    const std::string error_slot = "<p id=\"" + error_id + "\" class=\"field-error\" hidden></p>";
    const std::string required = q.required ? " required" : "";
    const std::string common = " name=\"" + name + "\" aria-describedby=\"" + described_by + "\"" + required;
    const bool grouped = has_options(q.type) || q.type == QuestionType::yes_no;
    if (grouped) {
      out += "<fieldset class=\"field question\" data-question=\"" + q.key + "\" aria-describedby=\"" + described_by +
             "\"><legend>" + label + "</legend>" + help;
      const std::string type = q.type == QuestionType::several_choices ? "checkbox" : "radio";
      // A checkbox group cannot be "required" box by box: the server says when none is ticked.
      const bool each_required = q.required && type == "radio";
      if (q.type == QuestionType::yes_no) {
        out += choice_html(type, name, id + "-yes", "yes", words.yes, described_by, each_required, holds(answer, "yes"));
        out += choice_html(type, name, id + "-no", "no", words.no, described_by, each_required, holds(answer, "no"));
      }
      for (const auto& option : q.options)
        out += choice_html(type, name, id + "-" + option.key, option.key, option.label.in(language), described_by,
                           each_required, holds(answer, option.key));
      out += error_slot + "</fieldset>\n";
      continue;
    }
    out += "<div class=\"field question\" data-question=\"" + q.key + "\"><label for=\"" + id + "\">" + label + "</label>";
    switch (q.type) {
      case QuestionType::long_text:
        out += "<textarea id=\"" + id + "\"" + common + " rows=\"4\" maxlength=\"" + std::to_string(kMaxLongAnswerCharacters) +
               "\" dir=\"auto\">" + escaped(text) + "</textarea>";
        break;
      case QuestionType::number:
        out += "<input id=\"" + id + "\"" + common + " type=\"number\" step=\"any\" inputmode=\"decimal\"" +
               (q.min ? " min=\"" + number_text(*q.min) + "\"" : "") + (q.max ? " max=\"" + number_text(*q.max) + "\"" : "") +
               " value=\"" + escaped(text) + "\">";
        break;
      case QuestionType::country:
        out += "<select id=\"" + id + "\"" + common + " data-countries data-value=\"" + escaped(text) + "\"><option value=\"\">" + escaped(words.country_none) +
               "</option></select>";
        break;
      default:
        out += "<input id=\"" + id + "\"" + common + " maxlength=\"" + std::to_string(kMaxShortAnswerCharacters) +
               "\" dir=\"auto\" value=\"" + escaped(text) + "\">";
    }
    out += help + error_slot + "</div>\n";
  }
  return out;
}

}  // namespace convene
