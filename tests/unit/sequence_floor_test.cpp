// The sequence floor (convene/sequence_floor.hpp): how `convene restore-floor` raises it, and that
// every SEQUENCE the core writes into iCalendar adds it, in documents that stay well formed.
//
// The minutes since 2020-01-01T00:00Z below were computed apart, with Python's datetime:
//   int((datetime(2026, 3, 1, 12, 34, 56, tzinfo=utc) - datetime(2020, 1, 1, tzinfo=utc)).total_seconds() // 60)
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "convene/invites.hpp"
#include "convene/sequence_floor.hpp"

namespace convene {
namespace {

const Instant kNow = *parse_instant("2026-03-01T12:34:56Z");
constexpr int kMinutesAtNow = 3'242'194;

Session session(std::int64_t id, int sequence, SessionStatus status = SessionStatus::scheduled) {
  Session s{.time = SessionTime{WallTime{}, *TimeZone::find("Europe/Lisbon"), Disambiguation::reject,
                                std::chrono::minutes{90}}};
  s.id = id;
  s.uid = "session-" + std::to_string(id) + "@convene.test";
  s.title = "Part " + std::to_string(id);
  s.starts_at = *parse_instant("2026-04-10T13:00:00Z");
  s.sequence = sequence;
  s.status = status;
  return s;
}

Event event_with(std::vector<Session> sessions, int floor) {
  Event event{.zone = *TimeZone::find("Europe/Lisbon")};
  event.slug = "panel";
  event.title = "Panel";
  event.sessions = std::move(sessions);
  event.sequence_floor = floor;
  return event;
}

Registration registrant(RegistrationStatus status, int invite_sequence) {
  Registration r{.zone = TimeZone::utc()};
  r.id = 7;
  r.email = "sita@example.org";
  r.name = "Sita";
  r.status = status;
  r.invite_sequence = invite_sequence;
  return r;
}

ical::Calendar invite(const Event& event, const Registration& registration,
                      std::optional<std::int64_t> only_session = std::nullopt) {
  return registrant_invite(event, registration, InviteLinks{"https://convene.test/r/x", std::nullopt},
                           {"noreply@convene.test", std::nullopt}, kNow, only_session);
}

std::vector<int> sequences(const ical::Calendar& calendar) {
  std::vector<int> found;
  for (const auto& e : calendar.events) found.push_back(e.sequence);
  return found;
}

// The written document's lines, unfolded; fails the case unless every physical line ends in CRLF
// and fits in 75 octets (RFC 5545 section 3.1).
std::vector<std::string> content_lines(const std::string& document) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < document.size()) {
    const std::size_t end = document.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "a line without CRLF at octet " << start;
    if (end == std::string::npos) break;
    EXPECT_LE(end - start, 75u) << document.substr(start, end - start);
    const std::string line = document.substr(start, end - start);
    if (!line.empty() && line.front() == ' ' && !lines.empty()) lines.back() += line.substr(1);
    else lines.push_back(line);
    start = end + 2;
  }
  return lines;
}

TEST(SequenceFloor, RisesToTheMinutesSince2020) {
  EXPECT_EQ(raised_sequence_floor(0, kNow), kMinutesAtNow);
  EXPECT_EQ(raised_sequence_floor(kMinutesAtNow - 5000, kNow), kMinutesAtNow);
  // Minute 0 is 2020-01-01T00:00Z: the first raise then still raises.
  EXPECT_EQ(raised_sequence_floor(0, kSequenceFloorEpoch), 1);
  EXPECT_EQ(raised_sequence_floor(0, *parse_instant("2020-01-01T00:01:00Z")), 1);
  EXPECT_EQ(raised_sequence_floor(1, *parse_instant("2020-01-01T00:02:00Z")), 2);
}

TEST(SequenceFloor, AlwaysRisesEvenWhenRaisedTwiceInAMinuteOrAheadOfTheClock) {
  const int first = raised_sequence_floor(0, kNow);
  const int second = raised_sequence_floor(first, kNow);
  EXPECT_EQ(second, first + 1);
  EXPECT_EQ(raised_sequence_floor(second, kNow + std::chrono::seconds(30)), first + 2);
  // A clock set back (or a floor that ran ahead of it) still gets +1.
  EXPECT_EQ(raised_sequence_floor(kMinutesAtNow + 100, kNow - std::chrono::hours(24)), kMinutesAtNow + 101);
}

TEST(SequenceFloor, StopsAtItsCeilingWithRoomForTheCountsAddedToIt) {
  EXPECT_EQ(raised_sequence_floor(kSequenceFloorCeiling - 1, kNow), kSequenceFloorCeiling);
  EXPECT_EQ(raised_sequence_floor(kSequenceFloorCeiling, kNow), kSequenceFloorCeiling);
  // Some 2,100 years on (beyond what parse_instant accepts, so made by arithmetic).
  EXPECT_EQ(raised_sequence_floor(0, kNow + std::chrono::years(2100)), kSequenceFloorCeiling);
}

TEST(SequenceFloor, IsAddedToEverySequenceOfAnInviteAndOfTheFeed) {
  const Event event = event_with({session(1, 2), session(2, 0)}, 5000);
  EXPECT_EQ(sequences(invite(event, registrant(RegistrationStatus::confirmed, 0))), (std::vector<int>{5002, 5000}));
  // The registration's own changes on top (a cancelled registration's CANCEL).
  EXPECT_EQ(sequences(invite(event, registrant(RegistrationStatus::cancelled, 3))), (std::vector<int>{5005, 5003}));
  // The e-mail about one cancelled session.
  const Event one_cancelled = event_with({session(1, 4, SessionStatus::cancelled), session(2, 0)}, 5000);
  const auto about_one = invite(one_cancelled, registrant(RegistrationStatus::confirmed, 1), 1);
  EXPECT_EQ(about_one.method, ical::Method::cancel);
  EXPECT_EQ(sequences(about_one), std::vector<int>{5005});
  EXPECT_EQ(sequences(public_calendar(event, "https://convene.test/events/panel", {"noreply@convene.test", std::nullopt}, kNow)),
            (std::vector<int>{5002, 5000}));
  // With no floor, what it always was.
  EXPECT_EQ(sequences(invite(event_with({session(1, 2)}, 0), registrant(RegistrationStatus::confirmed, 1))),
            std::vector<int>{3});
}

// The restore the floor is for: a session at sequence 3 is moved after the restore point, and its
// registrant is mailed SEQUENCE 4; the database restored to the point says 3 again. After the raise,
// the restored session's SEQUENCE (and that of its next move) is above the 4 that was mailed.
TEST(SequenceFloor, AfterARaiseTheRestoredSessionIsAboveWhatWasMailedBeforeTheRestore) {
  const Registration sita = registrant(RegistrationStatus::confirmed, 0);
  const int mailed_after_the_move = sequences(invite(event_with({session(1, 4)}, 0), sita)).front();
  ASSERT_EQ(mailed_after_the_move, 4);
  const Event restored = event_with({session(1, 3)}, 0);
  EXPECT_LT(sequences(invite(restored, sita)).front(), mailed_after_the_move);  // what the floor prevents
  const Event floored = event_with({session(1, 3)}, raised_sequence_floor(restored.sequence_floor, kNow));
  EXPECT_GT(sequences(invite(floored, sita)).front(), mailed_after_the_move);
  EXPECT_EQ(sequences(invite(floored, sita)).front(), kMinutesAtNow + 3);
}

// The guarantee's limit, as the header states it: changes after the restore point must be fewer than
// the whole minutes since the floor was last raised. Raised, one change mailed, restored and raised
// again within the same minute: the new floor only equals what was mailed.
TEST(SequenceFloor, IsNotAboveWhenASessionChangedOnceAMinuteOrMoreSinceTheLastRaise) {
  const Registration sita = registrant(RegistrationStatus::confirmed, 0);
  const int floor = raised_sequence_floor(0, kNow);
  const int mailed = sequences(invite(event_with({session(1, 1)}, floor), sita)).front();
  const int again = raised_sequence_floor(floor, kNow + std::chrono::seconds(3));
  EXPECT_EQ(sequences(invite(event_with({session(1, 0)}, again), sita)).front(), mailed);
  // A minute later it is above again.
  const int later = raised_sequence_floor(floor, kNow + std::chrono::minutes(2));
  EXPECT_GT(sequences(invite(event_with({session(1, 0)}, later), sita)).front(), mailed);
}

TEST(SequenceFloor, TheWrittenInviteStaysWellFormed) {
  const Event event = event_with({session(1, 2), session(2, 0)}, raised_sequence_floor(0, kNow));
  const std::string document = ical::write(invite(event, registrant(RegistrationStatus::confirmed, 1)));
  const auto lines = content_lines(document);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
  std::vector<std::string> open;
  std::vector<std::string> sequence_lines;
  int vevents = 0;
  for (const auto& line : lines) {
    EXPECT_NE(line.find(':'), std::string::npos) << line;
    if (line.starts_with("BEGIN:")) {
      open.push_back(line.substr(6));
      if (line == "BEGIN:VEVENT") ++vevents;
    } else if (line.starts_with("END:")) {
      ASSERT_FALSE(open.empty()) << line;
      EXPECT_EQ(open.back(), line.substr(4));
      open.pop_back();
    }
    if (line.starts_with("SEQUENCE")) sequence_lines.push_back(line);
  }
  EXPECT_TRUE(open.empty());
  EXPECT_EQ(vevents, 2);
  EXPECT_EQ(sequence_lines, (std::vector<std::string>{"SEQUENCE:" + std::to_string(kMinutesAtNow + 3),
                                                      "SEQUENCE:" + std::to_string(kMinutesAtNow + 1)}));
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "METHOD:REQUEST"), 1);
}

}  // namespace
}  // namespace convene
