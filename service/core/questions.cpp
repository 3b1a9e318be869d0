#include "convene/questions.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <set>

#include "convene/event.hpp"
#include "convene/text.hpp"
#include "field_reader.hpp"

namespace convene {

using detail::FieldReader;
using detail::Presence;

namespace {

const std::string kNoText;

// Keys are what answers are stored and exported under: short, lower-case ASCII, stable.
bool is_valid_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyCharacters || key.front() < 'a' || key.front() > 'z') return false;
  return std::all_of(key.begin(), key.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}
constexpr std::string_view kKeyRule = "must be 1 to 40 characters a-z, 0-9 and _, starting with a letter";

std::optional<std::string> read_key(FieldReader& fields, std::string_view name) {
  const nlohmann::json* value = fields.find(name);
  if (value == nullptr || !value->is_string() || !is_valid_key(value->get_ref<const std::string&>())) {
    fields.fail(name, std::string(kKeyRule));
    return std::nullopt;
  }
  return value->get<std::string>();
}

// {"en": "...", "fr": "..."}: at least one language when required, each text one line.
LocalisedText read_localised(FieldReader& fields, std::string_view name, std::size_t max_characters,
                             Presence presence) {
  LocalisedText text;
  const nlohmann::json* value = fields.find(name);
  if (value == nullptr) {
    if (presence == Presence::required) fields.fail(name, "is required: an object of texts by language, such as {\"en\": \"...\"}");
    return text;
  }
  if (!value->is_object() || (presence == Presence::required && value->empty())) {
    fields.fail(name, "must be an object of texts by language, such as {\"en\": \"...\"}");
    return text;
  }
  FieldReader texts(*value, std::string(name) + ".");
  for (const auto& [tag, _] : value->items()) {
    const auto language = kLanguageNames.parse(tag);
    if (!language) {
      texts.fail(tag, std::string(kLanguageExpected));
      continue;
    }
    if (auto line = texts.line(tag, max_characters, Presence::required)) text.texts[*language] = *line;
  }
  for (auto& error : texts.take_errors()) fields.fail(error.field, error.message);
  return text;
}

nlohmann::json localised_json(const LocalisedText& text) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [language, value] : text.texts) object[std::string(to_string(language))] = value;
  return object;
}

LocalisedText localised_from_json(const nlohmann::json& object) {
  LocalisedText text;
  for (const auto& [tag, value] : object.items())
    if (auto language = kLanguageNames.parse(tag)) text.texts[*language] = value.get<std::string>();
  return text;
}

std::vector<ChoiceOption> read_options(FieldReader& fields, const Question& question) {
  std::vector<ChoiceOption> options;
  const nlohmann::json* value = fields.find("options");
  if (!has_options(question.type)) {
    if (value != nullptr) fields.fail("options", "must be left out: only choice questions have options");
    return options;
  }
  if (value == nullptr || !value->is_array() || value->empty() || value->size() > kMaxOptions) {
    fields.fail("options", "must be a list of 1 to " + std::to_string(kMaxOptions) + " options");
    return options;
  }
  std::set<std::string> keys;
  for (std::size_t i = 0; i < value->size(); ++i) {
    const std::string at = "options[" + std::to_string(i) + "].";
    FieldReader option_fields((*value)[i], at);
    ChoiceOption option;
    if (!(*value)[i].is_object()) {
      fields.fail("options[" + std::to_string(i) + "]", "must be an object with key and label");
      continue;
    }
    if (auto key = read_key(option_fields, "key")) {
      if (!keys.insert(*key).second) option_fields.fail("key", "must differ from the other options' keys");
      option.key = *key;
    }
    option.label = read_localised(option_fields, "label", kMaxLabelCharacters, Presence::required);
    if (option_fields.present("limit") && !option_fields.is_null("limit")) {
      if (auto limit = option_fields.integer("limit", 1, kMaxCapacity, Presence::required))
        option.limit = static_cast<int>(*limit);
    }
    for (auto& error : option_fields.take_errors()) fields.fail(error.field, error.message);
    options.push_back(std::move(option));
  }
  return options;
}

std::optional<double> read_bound(FieldReader& fields, std::string_view name, QuestionType type) {
  const nlohmann::json* value = fields.find(name);
  if (value == nullptr) return std::nullopt;
  if (type != QuestionType::number) {
    fields.fail(name, "must be left out: only number questions have bounds");
    return std::nullopt;
  }
  if (!value->is_number()) {
    fields.fail(name, "must be a number");
    return std::nullopt;
  }
  return value->get<double>();
}

std::optional<Question> read_question(FieldReader& fields) {
  Question question;
  if (auto key = read_key(fields, "key")) question.key = *key;
  const auto type = fields.parsed("type", Presence::required, [](std::string_view t) { return kQuestionTypeNames.parse(t); },
                                  "must be short_text, long_text, one_choice, several_choices, yes_no, country or number");
  if (type) question.type = *type;
  if (auto required = fields.boolean("required", Presence::optional)) question.required = *required;
  question.label = read_localised(fields, "label", kMaxLabelCharacters, Presence::required);
  question.help = read_localised(fields, "help", kMaxHelpCharacters, Presence::optional);
  if (!type) return std::nullopt;
  question.options = read_options(fields, question);
  question.min = read_bound(fields, "min", question.type);
  question.max = read_bound(fields, "max", question.type);
  if (question.min && question.max && *question.min > *question.max) fields.fail("max", "must not be below min");
  return question;
}

// Answers are JSON values of the question's type; these read one, failing on `fields` under its key.
std::optional<nlohmann::json> read_answer(FieldReader& fields, const Question& question) {
  const std::string& key = question.key;
  switch (question.type) {
    case QuestionType::short_text:
      if (auto text = fields.line(key, kMaxShortAnswerCharacters, Presence::optional)) return *text;
      return std::nullopt;
    case QuestionType::long_text: {
      auto text = fields.paragraph(key, kMaxLongAnswerCharacters);
      if (text && !text->empty()) return *text;
      return std::nullopt;
    }
    case QuestionType::yes_no:
      if (auto flag = fields.boolean(key, Presence::optional)) return *flag;
      return std::nullopt;
    case QuestionType::country:
      if (auto country = fields.parsed(key, Presence::optional, CountryCode::parse, kCountryExpected))
        return std::string(country->code());
      return std::nullopt;
    case QuestionType::number: {
      const nlohmann::json* value = fields.find(key);
      if (value == nullptr) return std::nullopt;
      if (!value->is_number() || !std::isfinite(value->get<double>())) {
        fields.fail(key, "must be a number");
        return std::nullopt;
      }
      const double number = value->get<double>();
      if ((question.min && number < *question.min) || (question.max && number > *question.max)) {
        auto bound = [](double b) {
          std::ostringstream text;
          text << std::setprecision(15) << b;  // 1 rather than 1.0, 2.5 as 2.5
          return text.str();
        };
        std::string rule = "must be";
        if (question.min) rule += " at least " + bound(*question.min);
        if (question.min && question.max) rule += " and";
        if (question.max) rule += " at most " + bound(*question.max);
        fields.fail(key, rule);
        return std::nullopt;
      }
      return *value;
    }
    case QuestionType::one_choice: {
      const nlohmann::json* value = fields.find(key);
      if (value == nullptr) return std::nullopt;
      if (!value->is_string() || question.option(value->get_ref<const std::string&>()) == nullptr) {
        fields.fail(key, "must be one of the question's option keys");
        return std::nullopt;
      }
      return *value;
    }
    case QuestionType::several_choices: {
      const nlohmann::json* value = fields.find(key);
      if (value == nullptr) return std::nullopt;
      const auto known = [&](const nlohmann::json& v) { return v.is_string() && question.option(v.get_ref<const std::string&>()); };
      if (!value->is_array() || !std::all_of(value->begin(), value->end(), known)) {
        fields.fail(key, "must be a list of the question's option keys");
        return std::nullopt;
      }
      nlohmann::json chosen = nlohmann::json::array();
      for (const auto& option : question.options)
        if (std::find(value->begin(), value->end(), option.key) != value->end()) chosen.push_back(option.key);
      if (chosen.empty()) return std::nullopt;
      return chosen;
    }
  }
  return std::nullopt;
}

}  // namespace

const std::string& LocalisedText::in(Language language) const {
  if (auto found = texts.find(language); found != texts.end()) return found->second;
  if (auto english = texts.find(Language::en); english != texts.end()) return english->second;
  return texts.empty() ? kNoText : texts.begin()->second;  // std::map keeps the six in enum order
}

const ChoiceOption* Question::option(std::string_view wanted) const {
  for (const auto& o : options)
    if (o.key == wanted) return &o;
  return nullptr;
}

const Question* Questionnaire::find(std::string_view key) const {
  for (const auto* list : {&asked, &retired})
    for (const auto& q : *list)
      if (q.key == key) return &q;
  return nullptr;
}

std::expected<Questionnaire, FieldErrors> parse_questions(const nlohmann::json& list, const Questionnaire& current) {
  const nlohmann::json no_body = nlohmann::json::object();
  FieldReader fields(no_body);
  if (!list.is_array() || list.size() > kMaxQuestions) {
    fields.fail("questions", "must be a list of at most " + std::to_string(kMaxQuestions) + " questions");
    return std::unexpected(fields.take_errors());
  }
  Questionnaire next;
  std::set<std::string> keys;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = "questions[" + std::to_string(i) + "]";
    if (!list[i].is_object()) {
      fields.fail(at, "must be an object with key, type and label");
      continue;
    }
    FieldReader question_fields(list[i], at + ".");
    auto question = read_question(question_fields);
    if (question && !question->key.empty()) {
      if (!keys.insert(question->key).second) question_fields.fail("key", "must differ from the other questions' keys");
      if (const Question* before = current.find(question->key); before && before->type != question->type)
        question_fields.fail("type", "must stay " + std::string(to_string(before->type)) + ": answers to \"" +
                                         question->key + "\" were given as that; ask with a new key instead");
    }
    for (auto& error : question_fields.take_errors()) fields.fail(error.field, error.message);
    if (question) next.asked.push_back(*std::move(question));
  }
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  // What is no longer asked is retired (with its latest definition), so its answers keep their meaning.
  for (const auto* list_before : {&current.asked, &current.retired})
    for (const auto& q : *list_before)
      if (!keys.contains(q.key) && !next.find(q.key)) next.retired.push_back(q);
  return next;
}

nlohmann::json questions_json(const std::vector<Question>& questions) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& q : questions) {
    nlohmann::json question = {{"key", q.key}, {"type", to_string(q.type)}, {"required", q.required},
                               {"label", localised_json(q.label)}};
    if (!q.help.empty()) question["help"] = localised_json(q.help);
    if (has_options(q.type)) {
      question["options"] = nlohmann::json::array();
      for (const auto& o : q.options) {
        nlohmann::json option = {{"key", o.key}, {"label", localised_json(o.label)}};
        if (o.limit) option["limit"] = *o.limit;
        question["options"].push_back(option);
      }
    }
    if (q.min) question["min"] = *q.min;
    if (q.max) question["max"] = *q.max;
    list.push_back(question);
  }
  return list;
}

nlohmann::json questionnaire_json(const Questionnaire& questionnaire) {
  return {{"asked", questions_json(questionnaire.asked)}, {"retired", questions_json(questionnaire.retired)}};
}

Questionnaire questionnaire_from_json(const nlohmann::json& stored) {
  Questionnaire questionnaire;
  auto read = [](const nlohmann::json& list) {
    std::vector<Question> questions;
    for (const auto& q : list) {
      Question question;
      question.key = q.at("key").get<std::string>();
      question.type = kQuestionTypeNames.parse(q.at("type").get<std::string>()).value_or(QuestionType::short_text);
      question.required = q.value("required", false);
      question.label = localised_from_json(q.at("label"));
      if (q.contains("help")) question.help = localised_from_json(q["help"]);
      for (const auto& o : q.value("options", nlohmann::json::array())) {
        ChoiceOption option{o.at("key").get<std::string>(), localised_from_json(o.at("label")), std::nullopt};
        if (o.contains("limit")) option.limit = o["limit"].get<int>();
        question.options.push_back(std::move(option));
      }
      if (q.contains("min")) question.min = q["min"].get<double>();
      if (q.contains("max")) question.max = q["max"].get<double>();
      questions.push_back(std::move(question));
    }
    return questions;
  };
  if (stored.is_object()) {
    questionnaire.asked = read(stored.value("asked", nlohmann::json::array()));
    questionnaire.retired = read(stored.value("retired", nlohmann::json::array()));
  }
  return questionnaire;
}

std::expected<nlohmann::json, FieldErrors> check_answers(const std::vector<Question>& questions,
                                                         const nlohmann::json& answers) {
  // A blank answer (an empty text or list, null) is no answer: fine unless the question is required.
  nlohmann::json given = nlohmann::json::object();
  if (answers.is_object()) {
    for (const auto& [key, value] : answers.items()) {
      const bool blank = value.is_null() || (value.is_string() && trim(value.get_ref<const std::string&>()).empty()) ||
                         (value.is_array() && value.empty());
      if (!blank) given[key] = value;
    }
  }
  FieldReader fields(answers.is_object() ? given : answers, "answers.");
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  for (const auto& [key, _] : given.items()) {
    const bool asked = std::any_of(questions.begin(), questions.end(), [&](const Question& q) { return q.key == key; });
    if (!asked) fields.fail(key, "is not a question of this event");
  }
  nlohmann::json stored = nlohmann::json::object();
  for (const auto& question : questions) {
    if (auto answer = read_answer(fields, question)) stored[question.key] = *std::move(answer);
    else if (question.required && !fields.failed(question.key)) fields.fail(question.key, "is required");
  }
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  return stored;
}

std::vector<LimitedPick> limited_picks(const std::vector<Question>& questions, const nlohmann::json& answers) {
  std::vector<LimitedPick> picks;
  for (const auto& question : questions) {
    if (!has_options(question.type) || !answers.contains(question.key)) continue;
    const nlohmann::json& answer = answers[question.key];
    for (const auto& option : question.options) {
      const bool picked = answer.is_array() ? std::find(answer.begin(), answer.end(), option.key) != answer.end()
                                            : answer == option.key;
      if (picked && option.limit) picks.push_back({question.key, option.key, *option.limit});
    }
  }
  std::sort(picks.begin(), picks.end());  // one order for every registration: locks never cross
  return picks;
}

std::string answer_text(const Question& question, const nlohmann::json& answer, Language language) {
  const auto option_label = [&](const nlohmann::json& key) {
    const std::string text = key.is_string() ? key.get<std::string>() : key.dump();
    const ChoiceOption* option = question.option(text);
    return option ? option->label.in(language) : text;
  };
  if (answer.is_null()) return "";
  if (answer.is_string()) return question.type == QuestionType::one_choice ? option_label(answer) : answer.get<std::string>();
  if (answer.is_boolean()) return answer.get<bool>() ? "yes" : "no";
  if (answer.is_array()) {
    std::string joined;
    for (const auto& key : answer) joined += (joined.empty() ? "" : "; ") + option_label(key);
    return joined;
  }
  return answer.dump();
}

std::expected<nlohmann::json, std::string> answer_filter(const Questionnaire& questionnaire, std::string_view key,
                                                         std::string_view option) {
  const Question* question = questionnaire.find(key);
  if (question == nullptr) return std::unexpected("is not a question of this event");
  const std::string wanted(option);
  switch (question->type) {
    case QuestionType::one_choice: return nlohmann::json{{question->key, wanted}};
    case QuestionType::several_choices: return nlohmann::json{{question->key, nlohmann::json::array({wanted})}};
    case QuestionType::yes_no:
      if (wanted == "yes" || wanted == "no") return nlohmann::json{{question->key, wanted == "yes"}};
      return std::unexpected("must be yes or no");
    case QuestionType::country:
      if (auto country = CountryCode::parse(wanted)) return nlohmann::json{{question->key, std::string(country->code())}};
      return std::unexpected(std::string(kCountryExpected));
    default: return std::unexpected("can only filter a choice, yes/no or country question");
  }
}

}  // namespace convene
