// Who organisers invite (POST /events/{slug}/invitations): a list of objects, or lines pasted from a
// mail client or a spreadsheet; and the invitation e-mail's text.
//
// Sources: docs/api.md "Invitations" (the three line forms, blank lines skipped, a header line
// `email,...` skipped, a repeated address reported with the line it repeats, at most 5,000
// invitees, a list of objects all or nothing with errors named invitees[i].field); the address
// form `Name <addr>` is RFC 5322 section 3.4 name-addr, as mail clients copy it; tab-separated
// fields are what spreadsheets put on the clipboard.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "convene/invitation.hpp"
#include "convene/messages.hpp"

namespace convene {
namespace {

using nlohmann::json;

struct PastedCase {
  const char* what;
  std::string text;
  std::vector<std::string> emails;  // invited, in order
  std::vector<RejectedLine> rejected;
};

class PastedLines : public ::testing::TestWithParam<PastedCase> {};

TEST_P(PastedLines, InviteTheGoodAndReportTheRest) {
  const auto& c = GetParam();
  const InviteeList list = parse_pasted_invitees(c.text);
  std::vector<std::string> emails;
  for (const auto& invitee : list.invitees) emails.push_back(invitee.email.text());
  EXPECT_EQ(emails, c.emails);
  EXPECT_EQ(list.rejected, c.rejected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PastedLines,
    ::testing::Values(
        PastedCase{"bare addresses", "ada@example.org\nbob@example.org", {"ada@example.org", "bob@example.org"}, {}},
        PastedCase{"name and address as mail clients copy them",
                   "Ada Lovelace <ada@example.org>\n\"Núñez, Luis\" <luis@example.org>",
                   {"ada@example.org", "luis@example.org"},
                   {}},
        PastedCase{"CSV with a header, CRLF line ends and a quoted comma",
                   "email,name,language\r\nada@example.org,Ada Lovelace,en\r\nluis@example.org,\"Núñez, Luis\",es\r\n",
                   {"ada@example.org", "luis@example.org"},
                   {}},
        PastedCase{"a spreadsheet's tabs", "ada@example.org\tAda\tfr-CA", {"ada@example.org"}, {}},
        PastedCase{"blank lines are skipped, not reported; lines keep their numbers",
                   "\n  \nada@example.org\n\n\t\nbob@example",
                   {"ada@example.org"},
                   {{6, "bob@example", "email must be an e-mail address such as name@example.org"}}},
        PastedCase{"a bad address",
                   "not an address\nada@example.org",
                   {"ada@example.org"},
                   {{1, "not an address", "email must be an e-mail address such as name@example.org"}}},
        PastedCase{"a bad language", "ada@example.org,Ada,klingon", {},
                   {{1, "ada@example.org,Ada,klingon", "language must be one of en, fr, es, ar, zh, ru"}}},
        PastedCase{"too many fields", "ada@example.org,Ada,en,extra", {},
                   {{1, "ada@example.org,Ada,en,extra", "has more than three fields: give email, name, language"}}},
        PastedCase{"the same address again, in another case and form",
                   "ada@example.org\nAda <ADA@Example.org>",
                   {"ada@example.org"},
                   {{2, "Ada <ADA@Example.org>", "repeats the address of line 1"}}},
        PastedCase{"an empty pair of angle brackets", "Ada <>", {},
                   {{1, "Ada <>", "email must be an e-mail address such as name@example.org"}}}),
    [](const auto& info) {
      std::string name;
      for (const char ch : std::string(info.param.what)) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
      return name;
    });

TEST(PastedInvitees, KeepNameAndLanguage) {
  const auto list = parse_pasted_invitees("\"Núñez, Luis\" <luis@example.org>\nada@example.org,Ada Lovelace,fr-CA\nbob@example.org");
  ASSERT_EQ(list.invitees.size(), 3u);
  EXPECT_EQ(list.invitees[0].name, "Núñez, Luis");
  EXPECT_EQ(list.invitees[0].language, Language::en);
  EXPECT_EQ(list.invitees[1].name, "Ada Lovelace");
  EXPECT_EQ(list.invitees[1].language, Language::fr);
  EXPECT_EQ(list.invitees[2].name, std::nullopt);
}

TEST(InvitationRequest, ListIsAllOrNothingWithErrorsNamedByIndex) {
  const auto good = parse_invitation_request(
      {{"invitees", {{{"email", "ada@example.org"}, {"name", "Ada"}, {"language", "ar"}}, {{"email", "bob@example.org"}}}}});
  ASSERT_TRUE(good.has_value());
  ASSERT_EQ(good->invitees.size(), 2u);
  EXPECT_EQ(good->invitees[0].language, Language::ar);
  EXPECT_TRUE(good->rejected.empty());

  const auto bad = parse_invitation_request({{"invitees",
                                              {{{"email", "ada@example.org"}},
                                               {{"email", "nope"}, {"language", "xx"}},
                                               "bob@example.org",
                                               {{"email", "ADA@example.org"}}}}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), (FieldErrors{{"invitees[1].email", "must be an e-mail address such as name@example.org"},
                                      {"invitees[1].language", "must be one of en, fr, es, ar, zh, ru"},
                                      {"invitees[2]", "must be a JSON object"},
                                      {"invitees[3].email", "repeats invitees[0].email"}}));
}

TEST(InvitationRequest, ExactlyOneShapeWithinTheLimit) {
  EXPECT_EQ(parse_invitation_request(json::object()).error().front().field, "invitees");
  EXPECT_EQ(parse_invitation_request({{"invitees", json::array()}}).error().front().field, "invitees");
  EXPECT_EQ(parse_invitation_request({{"invitees", {{{"email", "a@example.org"}}}}, {"text", "b@example.org"}})
                .error()
                .front()
                .field,
            "invitees");
  EXPECT_EQ(parse_invitation_request({{"text", " \n "}}).error().front().field, "text");
  EXPECT_EQ(parse_invitation_request(json::array()).error().front().field, "body");

  std::string pasted;
  for (std::size_t i = 0; i < kMaxInviteesPerRequest; ++i) pasted += "p" + std::to_string(i) + "@example.org\n";
  EXPECT_EQ(parse_invitation_request({{"text", pasted}})->invitees.size(), kMaxInviteesPerRequest);
  pasted += "one-more@example.org\n";
  EXPECT_EQ(parse_invitation_request({{"text", pasted}}).error(),
            (FieldErrors{{"text", "must name at most 5000 invitees"}}));
}

TEST(InvitationMessage, InTheInviteesLanguageWithTheLinkAndTheEventsTimes) {
  Event event{.zone = *TimeZone::find("America/New_York")};
  event.title = "Panel";
  Session session{.time = {WallTime{}, event.zone, Disambiguation::reject, std::chrono::minutes{120}}};
  session.title = "Opening";
  session.starts_at = Instant{std::chrono::seconds{1631278800}};  // 2021-09-10T13:00:00Z, 09:00 in New York
  event.sessions.push_back(session);
  const std::string link = "https://convene.example/events/panel?invitation=abc";

  const auto french = compose_invitation({event, "Luis", Language::fr, link, "UNDP", false});
  EXPECT_EQ(french.subject, "Invitation : Panel");
  EXPECT_NE(french.text.find("Bonjour Luis,"), std::string::npos) << french.text;
  EXPECT_NE(french.text.find(link), std::string::npos);
  EXPECT_NE(french.text.find("09:00"), std::string::npos) << "the event's time, in its zone: " << french.text;
  EXPECT_NE(french.html.find("lang=\"fr\""), std::string::npos);

  const auto reminder = compose_invitation({event, std::nullopt, Language::en, link, "UNDP", true});
  EXPECT_EQ(reminder.subject, "Reminder of your invitation: Panel");
  EXPECT_TRUE(reminder.text.starts_with("Hello,\n")) << reminder.text;
  EXPECT_NE(reminder.text.find("Register for Panel:\n" + link), std::string::npos) << reminder.text;
}

}  // namespace
}  // namespace convene
