// The calendar documents served over HTTP: the registrant's invite and the public feed. Besides our
// own reading, every document is handed to Python's icalendar (Debian python3-icalendar), which
// must read it without errors and find the same UTC start and end using the document's VTIMEZONE.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <regex>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

// Content lines after unfolding (RFC 5545 section 3.1).
std::vector<std::string> unfolded_lines(const std::string& document) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < document.size()) {
    std::size_t end = document.find("\r\n", start);
    if (end == std::string::npos) end = document.size();
    std::string line = document.substr(start, end - start);
    if (!line.empty() && line.front() == ' ' && !lines.empty()) lines.back() += line.substr(1);
    else lines.push_back(line);
    start = end + 2;
  }
  return lines;
}

std::vector<std::string> values_of(const std::string& document, const std::string& property) {
  std::vector<std::string> values;
  for (const auto& line : unfolded_lines(document)) {
    if (line.rfind(property + ":", 0) == 0 || line.rfind(property + ";", 0) == 0)
      values.push_back(line.substr(line.find(':') + 1));
  }
  return values;
}

bool every_line_fits(const std::string& document) {
  std::size_t start = 0;
  while (start < document.size()) {
    const std::size_t end = document.find("\r\n", start);
    if (end == std::string::npos || end - start > 75) return false;
    start = end + 2;
  }
  return document.ends_with("\r\n");
}

// Python's icalendar reads the document and finds these UTC times for these UIDs.
void expect_python_icalendar_agrees(const std::string& document, const nlohmann::json& expected) {
  const std::string path = "/tmp/convene-it-" + std::to_string(getpid()) + ".ics";
  std::ofstream(path, std::ios::binary) << document;
  const auto result = run_program({"/usr/bin/python3", std::string(CONVENE_SOURCE_DIR) + "/tests/ical/python_check.py",
                                   "--file", path, "--expect", expected.dump()},
                                  {});
  EXPECT_EQ(result.status, 0) << result.out << "\n" << document;
  std::remove(path.c_str());
}

class Calendars : public ServiceSuite<"convene_it_calendars"> {
 protected:
  // A registrant in Kathmandu; their manage token.
  std::string register_for(const std::string& slug, const std::string& name = "Sita Sharma") {
    return register_attendee(slug, registrant("ics", {{"name", name}, {"timezone", "Asia/Kathmandu"}}))["manage_token"];
  }
};

TEST_F(Calendars, TheInviteIsARequestThatImportsWithTheRightInstants) {
  // Everything iCalendar treats specially in a name (line breaks are refused at registration already).
  const std::string token = register_for("south-south-2021", "سيتا; \"Sharma\", 李: ATTENDEE:mailto:evil@example.org\\");
  auto reply = client.get("/api/v1/registrations/" + token + "/invite.ics");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("Content-Type"), "text/calendar; charset=utf-8; method=REQUEST");
  EXPECT_EQ(reply.header("Content-Disposition"), "attachment; filename=\"south-south-2021.ics\"");
  const std::string& ics = reply.body;
  EXPECT_TRUE(every_line_fits(ics));
  EXPECT_EQ(values_of(ics, "METHOD"), std::vector<std::string>{"REQUEST"});
  EXPECT_EQ(values_of(ics, "DTSTART").back(), "20210910T090000");
  EXPECT_EQ(values_of(ics, "ATTENDEE").size(), 1u);  // the name could not add one
  EXPECT_EQ(values_of(ics, "ORGANIZER").size(), 1u);
  EXPECT_EQ(values_of(ics, "BEGIN").size(), 2u + 1u + 2u + 2u);  // VCALENDAR, VTIMEZONE+2, VEVENT, 2 VALARM
  EXPECT_EQ(ics.find("/j/"), std::string::npos);                  // no join link over HTTP
  EXPECT_NE(ics.find("URL:http://"), std::string::npos);
  const std::string uid = values_of(ics, "UID").front();
  expect_python_icalendar_agrees(ics, {{uid, {"2021-09-10T13:00:00Z", "2021-09-10T15:00:00Z"}}});
}

TEST_F(Calendars, RescheduleRaisesSequenceAndKeepsUidAndCancelSendsCancel) {
  ASSERT_TRUE(create_event({{"slug", "moving-panel"}, {"title", "Moving panel"}, {"timezone", "Pacific/Chatham"},
                            {"capacity", 5}, {"registration_closes_at", nullptr},
                            {"sessions", {{{"starts_local", "2031-03-20T10:00"}, {"duration_minutes", 90}}}}}));
  const std::string token = register_for("moving-panel");
  const std::string path = "/api/v1/registrations/" + token + "/invite.ics";
  const auto before = client.get(path);
  const std::string uid = values_of(before.body, "UID").front();
  EXPECT_EQ(values_of(before.body, "SEQUENCE").front(), "0");
  // Chatham: +13:45 in March 2031 (daylight time until early April).
  expect_python_icalendar_agrees(before.body, {{uid, {"2031-03-19T20:15:00Z", "2031-03-19T21:45:00Z"}}});

  const auto event = client.get("/api/v1/events/moving-panel").json();
  const std::string session = "/api/v1/events/moving-panel/sessions/" + std::to_string(event["sessions"][0]["id"].get<int>());
  ASSERT_EQ(client.patch(session, {{"starts_local", "2031-04-20T10:00"}}, admin()).status, 200);
  const auto moved = client.get(path);
  EXPECT_EQ(values_of(moved.body, "UID").front(), uid);
  EXPECT_EQ(values_of(moved.body, "SEQUENCE").front(), "1");
  EXPECT_NE(moved.header("ETag"), before.header("ETag"));
  // After Chatham's return to standard time (+12:45).
  expect_python_icalendar_agrees(moved.body, {{uid, {"2031-04-19T21:15:00Z", "2031-04-19T22:45:00Z"}}});

  ASSERT_EQ(client.del("/api/v1/registrations/" + token).status, 200);
  const auto cancelled = client.get(path);
  EXPECT_EQ(cancelled.header("Content-Type"), "text/calendar; charset=utf-8; method=CANCEL");
  EXPECT_EQ(values_of(cancelled.body, "METHOD").front(), "CANCEL");
  EXPECT_EQ(values_of(cancelled.body, "UID").front(), uid);
  EXPECT_EQ(values_of(cancelled.body, "SEQUENCE").front(), "2");
  EXPECT_EQ(values_of(cancelled.body, "STATUS").front(), "CANCELLED");
  expect_python_icalendar_agrees(cancelled.body, {{uid, {"2031-04-19T21:15:00Z", "2031-04-19T22:45:00Z"}}});
}

// RFC 5546 3.2.5: a cancellation is METHOD:CANCEL. An organiser cancelling a session leaves its
// registrants registered; their download must say what the e-mail said.
TEST_F(Calendars, ACancelledSessionIsACancelInTheDownloadAsInTheEmail) {
  ASSERT_TRUE(create_event(
      {{"slug", "two-sessions"}, {"title", "Two sessions"}, {"timezone", "America/Lima"}, {"capacity", 5},
       {"registration_closes_at", nullptr},
       {"sessions", {{{"title", "One"}, {"starts_local", "2031-05-01T09:00"}, {"duration_minutes", 60}},
                     {{"title", "Two"}, {"starts_local", "2031-05-02T09:00"}, {"duration_minutes", 60}}}}}));
  const std::string token = register_for("two-sessions");
  const std::string path = "/api/v1/registrations/" + token + "/invite.ics";
  const auto both = client.get(path);
  const auto uids = values_of(both.body, "UID");
  ASSERT_EQ(uids.size(), 2u);
  const auto event = client.get("/api/v1/events/two-sessions").json();
  const auto session_path = [&](int i) {
    return "/api/v1/events/two-sessions/sessions/" + std::to_string(event["sessions"][i]["id"].get<int>());
  };

  // One of two cancelled: the invite still invites, to the other one only.
  ASSERT_EQ(client.del(session_path(0), admin()).status, 200);
  const auto one_left = client.get(path);
  EXPECT_EQ(one_left.header("Content-Type"), "text/calendar; charset=utf-8; method=REQUEST");
  EXPECT_EQ(values_of(one_left.body, "METHOD"), std::vector<std::string>{"REQUEST"});
  EXPECT_EQ(values_of(one_left.body, "UID"), std::vector<std::string>{uids[1]});
  EXPECT_EQ(values_of(one_left.body, "STATUS"), std::vector<std::string>{"CONFIRMED"});

  // Both cancelled: the download is the cancellation of both, as the e-mails were.
  ASSERT_EQ(client.del(session_path(1), admin()).status, 200);
  const auto none_left = client.get(path);
  EXPECT_EQ(none_left.header("Content-Type"), "text/calendar; charset=utf-8; method=CANCEL");
  EXPECT_EQ(values_of(none_left.body, "METHOD"), std::vector<std::string>{"CANCEL"});
  EXPECT_EQ(values_of(none_left.body, "UID"), uids);
  EXPECT_EQ(values_of(none_left.body, "STATUS"), (std::vector<std::string>{"CANCELLED", "CANCELLED"}));
  // Each cancellation raised its session's SEQUENCE above what the invite had said.
  EXPECT_EQ(values_of(none_left.body, "SEQUENCE"), (std::vector<std::string>{"1", "1"}));
  expect_python_icalendar_agrees(none_left.body, {{uids[0], {"2031-05-01T14:00:00Z", "2031-05-01T15:00:00Z"}},
                                                  {uids[1], {"2031-05-02T14:00:00Z", "2031-05-02T15:00:00Z"}}});
}

// Outlook shows a fold between a backslash and the character it escapes as text: every line of the
// seeded panel's invite and feed (whose title has commas) must end on a whole escape pair.
TEST_F(Calendars, NoLineOfThePanelEndsInsideAnEscape) {
  const std::string token = register_for("south-south-2021");
  for (const std::string& path : {"/api/v1/registrations/" + token + "/invite.ics",
                                 std::string("/api/v1/events/south-south-2021/calendar.ics")}) {
    const auto reply = client.get(path);
    ASSERT_EQ(reply.status, 200) << path;
    EXPECT_NE(values_of(reply.body, "SUMMARY").front().find("inclusive\\, resilient"), std::string::npos);
    std::string document = reply.body;
    for (std::size_t start = 0, end; (end = document.find("\r\n", start)) != std::string::npos; start = end + 2) {
      const std::string line = document.substr(start, end - start);
      const bool continued = document.compare(end + 2, 1, " ") == 0;
      std::size_t run = 0;
      while (run < line.size() && line[line.size() - 1 - run] == '\\') ++run;
      EXPECT_FALSE(continued && run % 2 == 1) << path << ": a fold splits an escape pair after: " << line;
    }
  }
}

TEST_F(Calendars, ETagLetsCalendarAppsPollCheaply) {
  const std::string token = register_for("south-south-2021");
  const std::string path = "/api/v1/registrations/" + token + "/invite.ics";
  const auto first = client.get(path);
  const std::string etag = first.header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(client.get(path, {{"If-None-Match", etag}}).status, 304);
  EXPECT_EQ(client.get(path, {{"If-None-Match", "W/\"other\", " + etag}}).status, 304);
  EXPECT_EQ(client.get(path, {{"If-None-Match", "W/\"other\""}}).status, 200);
  // A change the invite shows (the registrant's cancellation) makes a new ETag.
  client.del("/api/v1/registrations/" + token);
  EXPECT_EQ(client.get(path, {{"If-None-Match", etag}}).status, 200);
}

TEST_F(Calendars, ThePublicFeedPublishesSessionsWithoutAttendeesOrJoinLinks) {
  ASSERT_TRUE(create_event(
      {{"slug", "feed-event"}, {"title", "Feed; event, with \\ specials"}, {"timezone", "America/St_Johns"},
       {"capacity", 5}, {"join_url", "https://meet.example.org/secret-room"},
       {"sessions", {{{"title", "One"}, {"starts_local", "2030-07-01T09:30"}, {"duration_minutes", 30}},
                     {{"title", "Two"}, {"starts_local", "2030-12-01T09:30"}, {"duration_minutes", 30}}}}}));
  auto reply = client.get("/api/v1/events/feed-event/calendar.ics");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("Content-Type"), "text/calendar; charset=utf-8; method=PUBLISH");
  EXPECT_EQ(values_of(reply.body, "ATTENDEE").size(), 0u);
  EXPECT_EQ(values_of(reply.body, "BEGIN").size(), 1u + 1u + 2u + 2u);  // no VALARM in a feed
  EXPECT_EQ(reply.body.find("secret-room"), std::string::npos);
  const auto uids = values_of(reply.body, "UID");
  ASSERT_EQ(uids.size(), 2u);
  // St. John's: -02:30 in July (daylight), -03:30 in December.
  expect_python_icalendar_agrees(reply.body, {{uids[0], {"2030-07-01T12:00:00Z", "2030-07-01T12:30:00Z"}},
                                              {uids[1], {"2030-12-01T13:00:00Z", "2030-12-01T13:30:00Z"}}});
  EXPECT_EQ(client.get("/api/v1/events/feed-event/calendar.ics", {{"If-None-Match", reply.header("ETag")}}).status, 304);
  EXPECT_EQ(client.get("/api/v1/events/no-such/calendar.ics").status, 404);
}

// The unfolded ATTENDEE line of an invite ("" if none).
std::string attendee_line(const std::string& document) {
  for (const auto& line : unfolded_lines(document))
    if (line.rfind("ATTENDEE", 0) == 0) return line;
  return "";
}

// Invites are kept in memory after a download (app/invite_cache.hpp). Whatever changes what an
// invite shows, through this server, must be in the very next download: no waiting, no retries.
// The database's announcements (sql/008) are switched off meanwhile: they arrive within a
// millisecond and would hide a change this server failed to report to itself.
TEST_F(Calendars, AKeptInviteFollowsEveryChangeAtOnce) {
  const auto announcements = [&](const char* on_or_off) {
    auto connection = service->connect();
    pqxx::work tx(connection);
    tx.exec(std::string("ALTER TABLE registrations ") + on_or_off + " TRIGGER registrations_announce_change");
    tx.commit();
  };
  announcements("DISABLE");
  struct Restore {
    std::function<void()> restore;
    ~Restore() { restore(); }
  } restore{[&] { announcements("ENABLE"); }};
  ASSERT_TRUE(create_event({{"slug", "kept-invite"}, {"title", "Kept panel"}, {"timezone", "UTC"}, {"capacity", 5},
                            {"registration_closes_at", nullptr}, {"requires_approval", true},
                            {"sessions", {{{"starts_local", "2031-03-03T10:00"}, {"duration_minutes", 60}}}}}));
  auto registered = client.post("/api/v1/events/kept-invite/registrations",
                                {{"email", unique_email("kept")}, {"name", "Sita Sharma"}, {"consent", true}});
  ASSERT_EQ(registered.status, 201) << registered.body;
  const std::string token = registered.json()["manage_token"];
  const std::string id = std::to_string(registered.json()["id"].get<std::int64_t>());
  const std::string path = "/api/v1/registrations/" + token + "/invite.ics";

  const auto hits = [&] {
    const std::string metrics = client.get("/metrics").body;
    const std::string name = "convene_invite_cache_requests_total{result=\"hit\"} ";
    const std::size_t at = metrics.find(name);
    return at == std::string::npos ? -1L : std::stol(metrics.substr(at + name.size()));
  };
  // Kept once the server listens for changes (it starts listening just after it starts serving).
  const long hits_before = hits();
  ASSERT_GE(hits_before, 0);
  ASSERT_TRUE(eventually([&] { return client.get(path).status == 200 && hits() > hits_before; }, std::chrono::seconds(5)));
  EXPECT_NE(attendee_line(client.get(path).body).find("PARTSTAT=TENTATIVE"), std::string::npos);

  // The registrant changes their name.
  ASSERT_EQ(client.patch("/api/v1/registrations/" + token, {{"name", "Sita Sharma-Rai"}}).status, 200);
  EXPECT_NE(attendee_line(client.get(path).body).find("Sita Sharma-Rai"), std::string::npos);
  // An organiser approves them.
  ASSERT_EQ(client.patch("/api/v1/events/kept-invite/registrations/" + id, {{"status", "confirmed"}}, admin()).status, 200);
  const auto approved = client.get(path);
  EXPECT_NE(attendee_line(approved.body).find("PARTSTAT=ACCEPTED"), std::string::npos) << approved.body;
  // The event is renamed.
  ASSERT_EQ(client.patch("/api/v1/events/kept-invite", {{"title", "Renamed panel"}}, admin()).status, 200);
  EXPECT_EQ(values_of(client.get(path).body, "SUMMARY").front().rfind("Renamed panel", 0), 0u);
  // A poll with the ETag of a copy before a change gets the new copy, not 304.
  const auto renamed = client.get(path);
  EXPECT_EQ(client.get(path, {{"If-None-Match", renamed.header("ETag")}}).status, 304);
  EXPECT_NE(renamed.header("ETag"), approved.header("ETag"));
  // The registrant erases their data: the invite is gone at once, with the name in it.
  const auto erased = client.post("/api/v1/registrations/" + token + "/erase", nlohmann::json::object());
  ASSERT_LT(erased.status, 300) << erased.body;
  EXPECT_EQ(client.get(path).status, 404);
}

TEST_F(Calendars, RegistrationRepliesCarryAddToCalendarLinks) {
  auto reply = client.post("/api/v1/events/south-south-2021/registrations",
                           {{"email", unique_email("links")}, {"name", "Links"}, {"consent", true}});
  ASSERT_EQ(reply.status, 201);
  const auto& links = reply.json()["sessions"][0]["add_to_calendar"];
  EXPECT_EQ(links["ics"], reply.json()["invite_url"]);
  const std::string google = links["google"];
  EXPECT_EQ(google.rfind("https://calendar.google.com/calendar/render?action=TEMPLATE", 0), 0u);
  EXPECT_NE(google.find("dates=20210910T130000Z/20210910T150000Z"), std::string::npos);
  const std::string outlook = links["outlook"];
  EXPECT_EQ(outlook.rfind("https://outlook.live.com/calendar/0/deeplink/compose?", 0), 0u);
  EXPECT_NE(outlook.find("startdt=2021-09-10T13%3A00%3A00Z"), std::string::npos);
  EXPECT_NE(outlook.find("enddt=2021-09-10T15%3A00%3A00Z"), std::string::npos);
}

}  // namespace
}  // namespace convene::testing
