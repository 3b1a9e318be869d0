// The registrant's invite: which METHOD, which sessions, which STATUS and SEQUENCE.
//
// Sources: RFC 5546 section 3.2.2 (REQUEST invites to what it holds), 3.2.5 (CANCEL withdraws what
// it holds, with STATUS:CANCELLED and a higher SEQUENCE); one METHOD per iCalendar object (RFC 5545
// section 3.7.2). The e-mailed copy and the downloaded one are built by the same function.
#include <gtest/gtest.h>

#include "convene/invites.hpp"

namespace convene {
namespace {

const Instant kNow = *parse_instant("2021-08-01T00:00:00Z");

Session session(std::int64_t id, const char* starts_at, SessionStatus status, int sequence = 0) {
  Session s{.time = SessionTime{WallTime{}, TimeZone::utc(), Disambiguation::reject, std::chrono::minutes{60}}};
  s.id = id;
  s.uid = "session-" + std::to_string(id) + "@convene.test";
  s.title = "Part " + std::to_string(id);
  s.starts_at = *parse_instant(starts_at);
  s.status = status;
  s.sequence = sequence;
  return s;
}

Event event_with(std::vector<Session> sessions) {
  Event event{.zone = TimeZone::utc()};
  event.slug = "panel";
  event.title = "Panel";
  event.sessions = std::move(sessions);
  return event;
}

Registration registrant(RegistrationStatus status, int invite_sequence = 0) {
  Registration r{.zone = TimeZone::utc()};
  r.id = 7;
  r.email = "sita@example.org";
  r.name = "Sita";
  r.status = status;
  r.invite_sequence = invite_sequence;
  return r;
}

struct InviteCase {
  std::string name;
  std::vector<SessionStatus> sessions;  // sessions 1, 2, ... with these statuses
  RegistrationStatus registration;
  std::optional<std::int64_t> only_session;
  ical::Method method;
  std::vector<std::string> uids;  // of the VEVENTs, in order
  ical::EventStatus status;       // of every VEVENT
};
std::ostream& operator<<(std::ostream& os, const InviteCase& c) { return os << c.name; }

using S = SessionStatus;
using R = RegistrationStatus;
const std::string kOne = "session-1@convene.test", kTwo = "session-2@convene.test";

class RegistrantInvite : public ::testing::TestWithParam<InviteCase> {};

TEST_P(RegistrantInvite, HasOneMethodThatMatchesWhatItHolds) {
  const InviteCase& c = GetParam();
  std::vector<Session> sessions;
  for (std::size_t i = 0; i < c.sessions.size(); ++i)
    sessions.push_back(session(static_cast<std::int64_t>(i + 1), "2021-09-10T13:00:00Z", c.sessions[i]));
  const ical::Calendar calendar = registrant_invite(event_with(sessions), registrant(c.registration),
                                                    InviteLinks{"https://convene.test/r/x", std::nullopt},
                                                    {"noreply@convene.test", std::nullopt}, kNow, c.only_session);
  EXPECT_EQ(calendar.method, c.method);
  std::vector<std::string> uids;
  for (const auto& e : calendar.events) {
    uids.push_back(e.uid);
    EXPECT_EQ(e.status, c.status) << e.uid;
  }
  EXPECT_EQ(uids, c.uids);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RegistrantInvite,
    ::testing::Values(
        InviteCase{"confirmed_all_scheduled", {S::scheduled, S::scheduled}, R::confirmed, {}, ical::Method::request,
                   {kOne, kTwo}, ical::EventStatus::confirmed},
        InviteCase{"waitlisted_is_invited_too", {S::scheduled}, R::waitlisted, {}, ical::Method::request, {kOne},
                   ical::EventStatus::confirmed},
        InviteCase{"one_of_two_cancelled_invites_to_the_other", {S::cancelled, S::scheduled}, R::confirmed, {},
                   ical::Method::request, {kTwo}, ical::EventStatus::confirmed},
        InviteCase{"every_session_cancelled_is_a_cancel", {S::cancelled, S::cancelled}, R::confirmed, {},
                   ical::Method::cancel, {kOne, kTwo}, ical::EventStatus::cancelled},
        InviteCase{"the_only_session_cancelled_is_a_cancel", {S::cancelled}, R::confirmed, {}, ical::Method::cancel,
                   {kOne}, ical::EventStatus::cancelled},
        InviteCase{"registrant_cancelled_cancels_everything", {S::scheduled, S::cancelled}, R::cancelled, {},
                   ical::Method::cancel, {kOne, kTwo}, ical::EventStatus::cancelled},
        InviteCase{"registrant_rejected_cancels_everything", {S::scheduled}, R::rejected, {}, ical::Method::cancel,
                   {kOne}, ical::EventStatus::cancelled},
        InviteCase{"about_one_cancelled_session", {S::cancelled, S::scheduled}, R::confirmed, 1, ical::Method::cancel,
                   {kOne}, ical::EventStatus::cancelled},
        InviteCase{"about_one_scheduled_session", {S::cancelled, S::scheduled}, R::confirmed, 2, ical::Method::request,
                   {kTwo}, ical::EventStatus::confirmed}),
    [](const auto& info) { return info.param.name; });

TEST(RegistrantInviteSequence, IsTheSessionsPlusTheRegistrations) {
  const Event event = event_with({session(1, "2021-09-10T13:00:00Z", S::cancelled, 2)});
  const ical::Calendar calendar = registrant_invite(event, registrant(R::confirmed, 1), InviteLinks{"u", std::nullopt},
                                                    {"noreply@convene.test", std::nullopt}, kNow);
  ASSERT_EQ(calendar.events.size(), 1u);
  EXPECT_EQ(calendar.events[0].sequence, 3);
}

}  // namespace
}  // namespace convene
