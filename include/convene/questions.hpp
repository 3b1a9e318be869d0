// The questions an organiser adds to an event's registration form, and the answers registrants give.
//
// A question is known by its key for ever: answers are stored under keys (and choices as option
// keys), so relabelling, reordering or removing a question never changes an answer already given.
// A removed question is retired, not forgotten: its answers stay in the export, and its key cannot
// come back as another type.
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convene/enum_names.hpp"
#include "convene/locale.hpp"
#include "convene/problem.hpp"

namespace convene {

enum class QuestionType { short_text, long_text, one_choice, several_choices, yes_no, country, number };
inline constexpr auto kQuestionTypeNames = enum_names<QuestionType>(
    std::pair{QuestionType::short_text, "short_text"}, std::pair{QuestionType::long_text, "long_text"},
    std::pair{QuestionType::one_choice, "one_choice"}, std::pair{QuestionType::several_choices, "several_choices"},
    std::pair{QuestionType::yes_no, "yes_no"}, std::pair{QuestionType::country, "country"},
    std::pair{QuestionType::number, "number"});
inline std::string_view to_string(QuestionType type) { return kQuestionTypeNames.name(type); }
inline bool has_options(QuestionType type) {
  return type == QuestionType::one_choice || type == QuestionType::several_choices;
}

// A text in one or more of the six languages. Read in a language, it falls back to English, then to
// the first of the six (in their order: en, fr, es, ar, zh, ru) that it has.
struct LocalisedText {
  std::map<Language, std::string> texts;
  bool empty() const { return texts.empty(); }
  const std::string& in(Language language) const;
  friend bool operator==(const LocalisedText&, const LocalisedText&) = default;
};

struct ChoiceOption {
  std::string key;
  LocalisedText label;
  std::optional<int> limit;  // registrants who may hold this option at once (in-person seats: 30)
  friend bool operator==(const ChoiceOption&, const ChoiceOption&) = default;
};

struct Question {
  std::string key;
  QuestionType type = QuestionType::short_text;
  bool required = false;
  LocalisedText label;
  LocalisedText help;
  std::vector<ChoiceOption> options;  // one_choice and several_choices only
  std::optional<double> min, max;     // number only, inclusive
  const ChoiceOption* option(std::string_view key) const;
  friend bool operator==(const Question&, const Question&) = default;
};

// An event's form: the questions asked now, in order, and those removed since answers were given.
struct Questionnaire {
  std::vector<Question> asked;
  std::vector<Question> retired;
  const Question* find(std::string_view key) const;  // asked or retired
  friend bool operator==(const Questionnaire&, const Questionnaire&) = default;
};

inline constexpr std::size_t kMaxQuestions = 50;
inline constexpr std::size_t kMaxOptions = 50;
inline constexpr std::size_t kMaxKeyCharacters = 40;
inline constexpr std::size_t kMaxLabelCharacters = 300;
inline constexpr std::size_t kMaxHelpCharacters = 1000;
inline constexpr std::size_t kMaxShortAnswerCharacters = 300;
inline constexpr std::size_t kMaxLongAnswerCharacters = 4000;

// Reads "questions" (a list as the API shows it) as the new form of an event whose form is `current`.
// Questions left out are retired; a key keeps its type for ever (asked or retired). Errors name the
// field ("questions[2].options[0].key").
std::expected<Questionnaire, FieldErrors> parse_questions(const nlohmann::json& list, const Questionnaire& current);

// Questions as the API shows them.
nlohmann::json questions_json(const std::vector<Question>& questions);
// The stored form (asked and retired), and back. Reading trusts what parse_questions wrote.
nlohmann::json questionnaire_json(const Questionnaire& questionnaire);
Questionnaire questionnaire_from_json(const nlohmann::json& stored);

// Checks a registrant's answers against the questions asked: unknown keys refused, required ones
// present, each value of its type and within its bounds. Errors name "answers.<key>". Returns the
// answers as stored: strings trimmed, countries upper case, choices in the options' order, and
// empty answers left out.
std::expected<nlohmann::json, FieldErrors> check_answers(const std::vector<Question>& questions,
                                                         const nlohmann::json& answers);

// The options with a limit that these answers hold, as (question key, option key) pairs, sorted.
struct LimitedPick {
  std::string question;
  std::string option;
  int limit = 0;
  friend auto operator<=>(const LimitedPick&, const LimitedPick&) = default;
};
std::vector<LimitedPick> limited_picks(const std::vector<Question>& questions, const nlohmann::json& answers);

// An answer as a person reads it (the export's cell): option labels in `language` ("; " between
// several), yes / no, the country code, the number or text. Keys no longer known are shown as is.
std::string answer_text(const Question& question, const nlohmann::json& answer, Language language);

// The roster filter ?answers.<key>=<option>: the JSON an answers column must contain (PostgreSQL's
// @>), or an error message for the parameter.
std::expected<nlohmann::json, std::string> answer_filter(const Questionnaire& questionnaire, std::string_view key,
                                                         std::string_view option);

}  // namespace convene
