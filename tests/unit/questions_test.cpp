// An event's own questions: how organisers define them, how registrants' answers are checked, and
// what an answer reads as in the export.
#include <gtest/gtest.h>

#include "convene/questions.hpp"

namespace convene {
namespace {

using json = nlohmann::json;

// A UN panel's form: one of each type.
const json kPanelForm = json::parse(R"([
  {"key": "title", "type": "short_text", "label": {"en": "Title", "fr": "Titre"}},
  {"key": "remarks", "type": "long_text", "label": {"en": "Remarks"}},
  {"key": "organisation_type", "type": "one_choice", "required": true, "label": {"en": "Type of organisation"},
   "options": [{"key": "government", "label": {"en": "Government", "fr": "Gouvernement"}},
               {"key": "civil_society", "label": {"en": "Civil society"}},
               {"key": "in_person", "label": {"en": "In person"}, "limit": 30}]},
  {"key": "access", "type": "several_choices", "label": {"en": "Access needs"},
   "options": [{"key": "interpretation", "label": {"en": "Interpretation"}},
               {"key": "captions", "label": {"en": "Captions"}}]},
  {"key": "consent_photos", "type": "yes_no", "label": {"en": "Photos"}},
  {"key": "nationality", "type": "country", "label": {"en": "Nationality"}},
  {"key": "delegates", "type": "number", "min": 1, "max": 5, "label": {"en": "Delegates"}}
])");

Questionnaire panel() {
  auto parsed = parse_questions(kPanelForm, {});
  EXPECT_TRUE(parsed.has_value());
  return parsed.value_or(Questionnaire{});
}

std::vector<std::string> fields_of(const FieldErrors& errors) {
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field);
  return fields;
}

TEST(Questions, ThePanelsFormReadsBackAsWritten) {
  const Questionnaire form = panel();
  ASSERT_EQ(form.asked.size(), 7u);
  EXPECT_EQ(questions_json(form.asked)[2]["options"][2]["limit"], 30);
  EXPECT_EQ(questionnaire_from_json(questionnaire_json(form)), form);
  EXPECT_EQ(form.asked[0].label.in(Language::fr), "Titre");
  EXPECT_EQ(form.asked[0].label.in(Language::ar), "Title");  // English when the language is missing
}

TEST(Questions, LabelsFallBackToEnglishThenToTheFirstOfTheSix) {
  LocalisedText text{{{Language::ru, "Вопрос"}, {Language::es, "Pregunta"}}};
  EXPECT_EQ(text.in(Language::ru), "Вопрос");
  EXPECT_EQ(text.in(Language::fr), "Pregunta");  // es comes before ru among the six
}

struct BadForm {
  const char* name;
  const char* questions;
  const char* field;
};

class BadForms : public ::testing::TestWithParam<BadForm> {};

TEST_P(BadForms, AreRefusedAtTheField) {
  const auto parsed = parse_questions(json::parse(GetParam().questions), {});
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(fields_of(parsed.error()), std::vector<std::string>{GetParam().field});
}

INSTANTIATE_TEST_SUITE_P(
    Questions, BadForms,
    ::testing::Values(
        BadForm{"not_a_list", R"({"key": "a"})", "questions"},
        BadForm{"key_with_capitals", R"([{"key": "Org", "type": "short_text", "label": {"en": "x"}}])", "questions[0].key"},
        BadForm{"key_twice",
                R"([{"key": "a", "type": "short_text", "label": {"en": "x"}}, {"key": "a", "type": "yes_no", "label": {"en": "y"}}])",
                "questions[1].key"},
        BadForm{"unknown_type", R"([{"key": "a", "type": "date", "label": {"en": "x"}}])", "questions[0].type"},
        BadForm{"no_label", R"([{"key": "a", "type": "short_text"}])", "questions[0].label"},
        BadForm{"empty_label", R"([{"key": "a", "type": "short_text", "label": {}}])", "questions[0].label"},
        BadForm{"label_in_german", R"([{"key": "a", "type": "short_text", "label": {"de": "x"}}])", "questions[0].label.de"},
        BadForm{"label_of_two_lines", R"([{"key": "a", "type": "short_text", "label": {"en": "x\ny"}}])",
                "questions[0].label.en"},
        BadForm{"choice_without_options", R"([{"key": "a", "type": "one_choice", "label": {"en": "x"}}])",
                "questions[0].options"},
        BadForm{"options_on_text", R"([{"key": "a", "type": "short_text", "label": {"en": "x"}, "options": []}])",
                "questions[0].options"},
        BadForm{"option_key_twice",
                R"([{"key": "a", "type": "one_choice", "label": {"en": "x"}, "options": [{"key": "o", "label": {"en": "1"}}, {"key": "o", "label": {"en": "2"}}]}])",
                "questions[0].options[1].key"},
        BadForm{"limit_zero",
                R"([{"key": "a", "type": "one_choice", "label": {"en": "x"}, "options": [{"key": "o", "label": {"en": "1"}, "limit": 0}]}])",
                "questions[0].options[0].limit"},
        BadForm{"bounds_on_text", R"([{"key": "a", "type": "short_text", "label": {"en": "x"}, "min": 1}])", "questions[0].min"},
        BadForm{"max_below_min", R"([{"key": "a", "type": "number", "label": {"en": "x"}, "min": 5, "max": 1}])",
                "questions[0].max"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Questions, AKeyKeepsItsTypeForEverAndRemovedQuestionsAreRetired) {
  const Questionnaire form = panel();
  // Dropping "title" and "delegates" retires them, with their definitions (their answers keep a meaning).
  json fewer = kPanelForm;
  fewer.erase(6);
  fewer.erase(0);
  const auto next = parse_questions(fewer, form);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->asked.size(), 5u);
  ASSERT_EQ(next->retired.size(), 2u);
  EXPECT_EQ(next->retired[0].key, "title");
  EXPECT_NE(next->find("delegates"), nullptr);
  // A retired key cannot come back as another type, nor can an asked one change type.
  const auto retyped = parse_questions(json::parse(R"([{"key": "title", "type": "yes_no", "label": {"en": "Title?"}}])"), *next);
  ASSERT_FALSE(retyped.has_value());
  EXPECT_EQ(fields_of(retyped.error()), std::vector<std::string>{"questions[0].type"});
  // It can come back as what it was: then it is asked again, no longer retired.
  const auto back = parse_questions(json::parse(R"([{"key": "title", "type": "short_text", "label": {"en": "Your title"}}])"), *next);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->find("title")->label.in(Language::en), "Your title");
  for (const auto& q : back->retired) EXPECT_NE(q.key, "title");
}

struct AnswerCase {
  const char* name;
  const char* answers;
  const char* error_field;  // "" when accepted
  const char* stored;       // the answers as stored, when accepted
};

class Answers : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(Answers, AreCheckedAgainstTheQuestions) {
  const auto checked = check_answers(panel().asked, json::parse(GetParam().answers));
  if (std::string(GetParam().error_field).empty()) {
    ASSERT_TRUE(checked.has_value()) << checked.error()[0].field << ": " << checked.error()[0].message;
    EXPECT_EQ(*checked, json::parse(GetParam().stored));
  } else {
    ASSERT_FALSE(checked.has_value());
    EXPECT_EQ(fields_of(checked.error()), std::vector<std::string>{GetParam().error_field});
  }
}

INSTANTIATE_TEST_SUITE_P(
    Questions, Answers,
    ::testing::Values(
        AnswerCase{"only_the_required_one", R"({"organisation_type": "government"})", "", R"({"organisation_type": "government"})"},
        AnswerCase{"every_type",
                   R"({"title": "  Ambassador ", "remarks": "Line one\nLine two", "organisation_type": "civil_society",
                       "access": ["captions", "interpretation", "captions"], "consent_photos": false,
                       "nationality": "np", "delegates": 2})",
                   "",
                   R"({"title": "Ambassador", "remarks": "Line one\nLine two", "organisation_type": "civil_society",
                       "access": ["interpretation", "captions"], "consent_photos": false, "nationality": "NP",
                       "delegates": 2})"},
        AnswerCase{"blank_answers_are_none", R"({"organisation_type": "government", "title": " ", "access": [], "remarks": null})", "",
                   R"({"organisation_type": "government"})"},
        AnswerCase{"required_missing", R"({"title": "Dr"})", "answers.organisation_type", ""},
        AnswerCase{"required_blank", R"({"organisation_type": ""})", "answers.organisation_type", ""},
        AnswerCase{"unknown_key", R"({"organisation_type": "government", "shoe_size": 42})", "answers.shoe_size", ""},
        AnswerCase{"unknown_option", R"({"organisation_type": "press"})", "answers.organisation_type", ""},
        AnswerCase{"one_choice_as_list", R"({"organisation_type": ["government"]})", "answers.organisation_type", ""},
        AnswerCase{"several_with_an_unknown", R"({"organisation_type": "government", "access": ["captions", "braille"]})",
                   "answers.access", ""},
        AnswerCase{"yes_no_as_text", R"({"organisation_type": "government", "consent_photos": "yes"})", "answers.consent_photos", ""},
        AnswerCase{"country_unassigned", R"({"organisation_type": "government", "nationality": "XX"})", "answers.nationality", ""},
        AnswerCase{"number_below", R"({"organisation_type": "government", "delegates": 0})", "answers.delegates", ""},
        AnswerCase{"number_above", R"({"organisation_type": "government", "delegates": 5.5})", "answers.delegates", ""},
        AnswerCase{"number_bounds_inclusive", R"({"organisation_type": "government", "delegates": 5})", "",
                   R"({"organisation_type": "government", "delegates": 5})"},
        AnswerCase{"number_as_text", R"({"organisation_type": "government", "delegates": "2"})", "answers.delegates", ""},
        AnswerCase{"short_text_of_two_lines", R"({"organisation_type": "government", "title": "a\nb"})", "answers.title", ""},
        AnswerCase{"not_an_object", R"(["government"])", "answers", ""}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Questions, EveryWrongAnswerIsToldAtOnce) {
  const auto checked = check_answers(panel().asked, json::parse(R"({"delegates": 9, "nationality": "ZZ"})"));
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(fields_of(checked.error()),
            (std::vector<std::string>{"answers.organisation_type", "answers.nationality", "answers.delegates"}));
  EXPECT_EQ(checked.error()[2].message, "must be at least 1 and at most 5");
}

TEST(Questions, OnlyLimitedOptionsPickedAreHeld) {
  const auto form = panel().asked;
  EXPECT_TRUE(limited_picks(form, json::parse(R"({"organisation_type": "government"})")).empty());
  const auto picks = limited_picks(form, json::parse(R"({"organisation_type": "in_person"})"));
  ASSERT_EQ(picks.size(), 1u);
  EXPECT_EQ(picks[0], (LimitedPick{"organisation_type", "in_person", 30}));
}

TEST(Questions, AnAnswerReadsInTheExportsLanguage) {
  const Questionnaire form = panel();
  EXPECT_EQ(answer_text(*form.find("organisation_type"), "government", Language::fr), "Gouvernement");
  EXPECT_EQ(answer_text(*form.find("access"), json::parse(R"(["interpretation", "captions"])"), Language::en),
            "Interpretation; Captions");
  EXPECT_EQ(answer_text(*form.find("consent_photos"), true, Language::en), "yes");
  EXPECT_EQ(answer_text(*form.find("delegates"), 3, Language::en), "3");
  // An option removed since it was picked shows its key: the answer is never lost.
  EXPECT_EQ(answer_text(*form.find("organisation_type"), "press", Language::en), "press");
}

TEST(Questions, RosterFiltersAreWhatTheAnswersContain) {
  const Questionnaire form = panel();
  EXPECT_EQ(answer_filter(form, "organisation_type", "government").value(), json::parse(R"({"organisation_type": "government"})"));
  EXPECT_EQ(answer_filter(form, "access", "captions").value(), json::parse(R"({"access": ["captions"]})"));
  EXPECT_EQ(answer_filter(form, "consent_photos", "no").value(), json::parse(R"({"consent_photos": false})"));
  EXPECT_EQ(answer_filter(form, "nationality", "np").value(), json::parse(R"({"nationality": "NP"})"));
  EXPECT_FALSE(answer_filter(form, "title", "Dr").has_value());
  EXPECT_FALSE(answer_filter(form, "nobody", "x").has_value());
  EXPECT_FALSE(answer_filter(form, "consent_photos", "maybe").has_value());
}

}  // namespace
}  // namespace convene
