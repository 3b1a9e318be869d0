// The organiser console's backend: sign-in by e-mail link, the session cookie and its same-origin
// rule, announcements (audiences, languages, schedule, exactly once), attendance, and what cancelling
// an event tells registrants. The pages themselves are driven in tests/browser/.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <sstream>
#include <set>
#include <thread>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

namespace fs = std::filesystem;

const std::string kSpool = "/tmp/convene-console-spool-" + std::to_string(getpid());

// Console and Announcements share these helpers but not a database: ctest runs them side by side.
template <DatabaseName Database>
class ConsoleSuite : public ServiceSuite<Database> {
  using Base = ServiceSuite<Database>;

 public:
  static void SetUpTestSuite() {
    fs::remove_all(kSpool);
    Base::start({{"SPOOL_DIR", kSpool}, {"WORKER_POLL_MS", "100"}});
    organiser_token = Base::service->add_organiser("organiser@example.org", {"--all"});
  }
  static void TearDownTestSuite() {
    Base::stop();
    fs::remove_all(kSpool);
  }

 protected:
  static inline std::string organiser_token;

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(Base::service->server().port()); }

  // The messages in the spool so far, read as a mail client reads them.
  nlohmann::json mails() {
    const auto files = message_files(kSpool);  // the spool is made by the first delivery
    return files.empty() ? nlohmann::json::array() : inspect_mail(files);
  }
  std::vector<nlohmann::json> mails_of(const std::string& address, const std::string& kind) {
    std::vector<nlohmann::json> found;
    for (const auto& m : mails()) {
      if (m["headers"].value("To", "").find(address) != std::string::npos &&
          m["headers"].value("X-Convene-Kind", "") == kind)
        found.push_back(m);
    }
    return found;
  }
  std::vector<nlohmann::json> wait_for(const std::string& address, const std::string& kind, std::size_t count) {
    std::vector<nlohmann::json> found;
    eventually([&] { return (found = mails_of(address, kind)).size() >= count; }, std::chrono::seconds(20));
    return found;
  }

  // Asks for a link and returns its token, from the e-mail.
  std::string sign_in_link(const std::string& address) {
    const std::size_t before = mails_of(address, "sign-in").size();
    EXPECT_EQ(this->client.post("/api/v1/organiser/sign-in", {{"email", address}}).status, 202);
    const auto found = wait_for(address, "sign-in", before + 1);
    if (found.size() <= before) return "";
    const std::string text = found.back()["text"];
    std::smatch link;
    EXPECT_TRUE(std::regex_search(text, link, std::regex("/organise/sign-in/([A-Za-z0-9_-]{40})"))) << text;
    return link[1];
  }
  // Uses the link as the page's button does; the session cookie's value, or "" when refused.
  std::string use_link(const std::string& token, Reply* reply_out = nullptr) {
    Reply reply = this->client.send("POST", "/organise/sign-in/" + token, "", "", {{"Origin", origin()}});
    if (reply_out) *reply_out = reply;
    const std::string cookie = reply.header("Set-Cookie");
    std::smatch value;
    if (!std::regex_search(cookie, value, std::regex("convene_session=([A-Za-z0-9_-]+)"))) return "";
    return value[1];
  }
  httplib::Headers with_cookie(const std::string& session, bool same_origin = true) {
    httplib::Headers headers{{"Cookie", "other=1; convene_session=" + session}};
    if (same_origin) headers.emplace("Origin", origin());
    return headers;
  }
};

using Console = ConsoleSuite<"convene_it_console">;

TEST_F(Console, SignInAnswersAlikeForAnyAddressAndMailsOnlyOrganisers) {
  const auto organiser = client.post("/api/v1/organiser/sign-in", {{"email", "organiser@example.org"}});
  const auto stranger = client.post("/api/v1/organiser/sign-in", {{"email", "stranger@example.org"}});
  EXPECT_EQ(organiser.status, 202);
  EXPECT_EQ(stranger.status, 202);
  EXPECT_EQ(organiser.body, stranger.body);  // nobody learns who organises
  EXPECT_EQ(wait_for("organiser@example.org", "sign-in", 1).size(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_TRUE(mails_of("stranger@example.org", "sign-in").empty());
  EXPECT_EQ(client.post("/api/v1/organiser/sign-in", {{"email", "not an address"}}).status, 422);
  // The link is in the organiser's language when asked for.
  EXPECT_EQ(client.post("/api/v1/organiser/sign-in", {{"email", "organiser@example.org"}, {"language", "fr"}}).status, 202);
  const auto french = wait_for("organiser@example.org", "sign-in", 2);
  ASSERT_EQ(french.size(), 2u);
  EXPECT_EQ(french.back()["headers"]["Content-Language"], "fr");
}

TEST_F(Console, ALinkSignsInOnceWithAStrictHttpOnlyCookie) {
  const std::string token = sign_in_link("organiser@example.org");
  ASSERT_FALSE(token.empty());
  // A mail scanner fetching the link uses nothing up.
  EXPECT_EQ(client.get("/organise/sign-in/" + token).status, 200);
  EXPECT_EQ(client.get("/organise/sign-in/" + token).status, 200);
  // A page of another site cannot post it.
  EXPECT_EQ(client.send("POST", "/organise/sign-in/" + token, "", "", {{"Origin", "https://evil.example"}}).status, 403);
  Reply reply;
  const std::string session = use_link(token, &reply);
  ASSERT_FALSE(session.empty()) << reply.status << " " << reply.body;
  EXPECT_EQ(reply.status, 303);
  EXPECT_EQ(reply.header("Location").rfind("/organise", 0), 0u);
  const std::string cookie = reply.header("Set-Cookie");
  for (const char* attribute : {"HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"})
    EXPECT_NE(cookie.find(attribute), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "BASE_URL is http here";
  // Used once: the second time it is refused.
  EXPECT_TRUE(use_link(token).empty());
  const auto me = client.get("/api/v1/organiser/me", with_cookie(session));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()["email"], "organiser@example.org");
  EXPECT_EQ(me.json()["signed_in_with"], "session");
  EXPECT_TRUE(me.json()["all_events"]);
}

TEST_F(Console, AnExpiredLinkIsRefused) {
  const std::string token = sign_in_link("organiser@example.org");
  ASSERT_FALSE(token.empty());
  {
    auto connection = service->connect();
    pqxx::work tx(connection);
    tx.exec("UPDATE organiser_sign_ins SET expires_at = now() - interval '1 second' WHERE used_at IS NULL");
    tx.commit();
  }
  Reply reply;
  EXPECT_TRUE(use_link(token, &reply).empty());
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(reply.header("Set-Cookie"), "");
}

TEST_F(Console, CookieWritesAreTakenOnlyFromTheServicesOwnPages) {
  const std::string session = use_link(sign_in_link("organiser@example.org"));
  ASSERT_FALSE(session.empty());
  const nlohmann::json event = {{"slug", "csrf-check"}, {"title", "CSRF"}, {"timezone", "UTC"}, {"capacity", 5},
                                {"status", "draft"}};
  const std::string body = event.dump();
  // Another site's page, or a request saying nothing of where it comes from: refused.
  auto foreign = client.send("POST", "/api/v1/events", body, "application/json",
                             {{"Cookie", "convene_session=" + session}, {"Origin", "https://evil.example"}});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(foreign.json()["type"], "/problems/cross-site-request");
  EXPECT_EQ(client.send("POST", "/api/v1/events", body, "application/json", with_cookie(session, false)).status, 403);
  EXPECT_EQ(client.send("POST", "/api/v1/events", body, "application/json",
                        {{"Cookie", "convene_session=" + session}, {"Sec-Fetch-Site", "cross-site"}})
                .status,
            403);
  EXPECT_EQ(client.send("POST", "/api/v1/events", body, "application/json",
                        {{"Cookie", "convene_session=" + session}, {"Origin", "null"}})
                .status,
            403);
  // The console's own page: accepted, as is a fetch without Origin that the browser marks same-origin.
  EXPECT_EQ(client.send("POST", "/api/v1/events", body, "application/json", with_cookie(session)).status, 201);
  EXPECT_EQ(client.send("PATCH", "/api/v1/events/csrf-check", R"({"capacity": 6})", "application/json",
                        {{"Cookie", "convene_session=" + session}, {"Sec-Fetch-Site", "same-origin"}})
                .status,
            200);
  // The sign-in page is sent without referrers, so its button's POST says "Origin: null"; the
  // browser's Sec-Fetch-Site still tells it is the service's own page.
  EXPECT_EQ(client.send("PATCH", "/api/v1/events/csrf-check", R"({"capacity": 6})", "application/json",
                        {{"Cookie", "convene_session=" + session}, {"Origin", "null"}, {"Sec-Fetch-Site", "same-origin"}})
                .status,
            200);
  // Reads need no origin; a script's bearer token needs none either.
  EXPECT_EQ(client.get("/api/v1/events/csrf-check/stats", with_cookie(session, false)).status, 200);
  EXPECT_EQ(client.send("PATCH", "/api/v1/events/csrf-check", R"({"capacity": 7})", "application/json",
                        bearer(organiser_token))
                .status,
            200);
}

TEST_F(Console, SessionsEndAtSignOutAfterIdlingAndAtTheirLifetime) {
  const std::string signed_out = use_link(sign_in_link("organiser@example.org"));
  ASSERT_FALSE(signed_out.empty());
  EXPECT_EQ(client.send("POST", "/api/v1/organiser/sign-out", "", "", with_cookie(signed_out)).status, 204);
  EXPECT_EQ(client.get("/api/v1/organiser/me", with_cookie(signed_out)).status, 401);

  const std::string idle = use_link(sign_in_link("organiser@example.org"));
  const std::string old = use_link(sign_in_link("organiser@example.org"));
  ASSERT_FALSE(idle.empty());
  ASSERT_FALSE(old.empty());
  {
    auto connection = service->connect();
    pqxx::work tx(connection);
    tx.exec_params("UPDATE organiser_sessions SET last_seen_at = now() - interval '2 hours 1 minute' "
                   "WHERE token_hash = sha256(convert_to($1, 'UTF8'))",
                   idle);
    tx.exec_params("UPDATE organiser_sessions SET expires_at = now() - interval '1 second' "
                   "WHERE token_hash = sha256(convert_to($1, 'UTF8'))",
                   old);
    tx.commit();
  }
  EXPECT_EQ(client.get("/api/v1/organiser/me", with_cookie(idle)).status, 401);
  EXPECT_EQ(client.get("/api/v1/organiser/me", with_cookie(old)).status, 401);
  // Revoking an address's tokens ends what it may do, its sessions included.
  service->add_organiser("leaving@example.org", {"--all"});
  const std::string leaving = use_link(sign_in_link("leaving@example.org"));
  ASSERT_EQ(client.get("/api/v1/organiser/me", with_cookie(leaving)).status, 200);
  ASSERT_EQ(run_convene({"organiser", "revoke", "--email", "leaving@example.org"}, service->env()).status, 0);
  EXPECT_EQ(client.get("/api/v1/organiser/me", with_cookie(leaving)).status, 401);
}

TEST_F(Console, AnOrganiserOfOneEventSeesItsDraftsAndNoOthers) {
  ASSERT_TRUE(create_event({{"slug", "their-draft"}, {"title", "Theirs"}, {"timezone", "UTC"}, {"capacity", 3},
                            {"status", "draft"}}));
  ASSERT_TRUE(create_event({{"slug", "not-theirs"}, {"title", "Not theirs"}, {"timezone", "UTC"}, {"capacity", 3}}));
  service->add_organiser("scoped@example.org", {"--event", "their-draft"});
  const std::string session = use_link(sign_in_link("scoped@example.org"));
  ASSERT_FALSE(session.empty());
  const auto me = client.get("/api/v1/organiser/me", with_cookie(session));
  ASSERT_EQ(me.status, 200);
  std::set<std::string> slugs;
  for (const auto& e : me.json()["events"]) slugs.insert(e["slug"].get<std::string>());
  EXPECT_EQ(slugs, std::set<std::string>{"their-draft"});
  EXPECT_EQ(me.json()["events"][0]["status"], "draft");
  EXPECT_EQ(client.get("/api/v1/events/not-theirs/stats", with_cookie(session)).status, 403);
  EXPECT_EQ(client.get("/api/v1/events/their-draft", with_cookie(session)).status, 200);
  EXPECT_EQ(client.get("/api/v1/events/their-draft").status, 404);  // still hidden from the public
}

TEST_F(Console, OrganisersSeeTheMeetingLinkAndClosingRuleTheySetAndNobodyElseDoes) {
  ASSERT_TRUE(create_event({{"slug", "with-link"}, {"title", "Linked"}, {"timezone", "UTC"}, {"capacity", 3},
                            {"join_url", "https://meet.example/room?pwd=secret"},
                            {"organiser_email", "desk@example.org"},
                            {"sessions", {{{"starts_local", "2040-01-01T10:00"}, {"duration_minutes", 60}}}}}));
  ASSERT_TRUE(create_event({{"slug", "elsewhere"}, {"title", "Elsewhere"}, {"timezone", "UTC"}, {"capacity", 3}}));
  service->add_organiser("other@example.org", {"--event", "elsewhere"});
  const std::string own = use_link(sign_in_link("organiser@example.org"));
  const std::string other = use_link(sign_in_link("other@example.org"));
  ASSERT_FALSE(own.empty());
  ASSERT_FALSE(other.empty());

  const auto seen = client.get("/api/v1/events/with-link", with_cookie(own, false)).json();
  EXPECT_EQ(seen["join_url"], "https://meet.example/room?pwd=secret");
  EXPECT_EQ(seen["organiser_email"], "desk@example.org");
  EXPECT_EQ(seen["registration_closes"], "last_session");
  // The reply is kept: a range-for over a member of a temporary's JSON would read freed memory.
  const Reply me = client.get("/api/v1/organiser/me", with_cookie(own, false));
  for (const auto& e : me.json()["events"]) {
    if (e["slug"] == "with-link") {
      EXPECT_EQ(e["join_url"], "https://meet.example/room?pwd=secret");
    }
  }
  // The public, and an organiser of another event, get the event without them.
  for (const auto& reply : {client.get("/api/v1/events/with-link"),
                            client.get("/api/v1/events/with-link", with_cookie(other, false))}) {
    ASSERT_EQ(reply.status, 200);
    EXPECT_FALSE(reply.json().contains("join_url")) << reply.body;
    EXPECT_FALSE(reply.json().contains("organiser_email")) << reply.body;
    EXPECT_EQ(reply.header("Vary"), "Authorization, Cookie");
  }

  // "now" closes registration on the service's clock; "last_session" returns to the default rule.
  const auto closed = client.send("PATCH", "/api/v1/events/with-link", R"({"registration_closes": "now"})",
                                  "application/json", with_cookie(own));
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(closed.json()["registration_closes"], "at");
  EXPECT_EQ(closed.json()["registration_state"], "closed");
  EXPECT_EQ(client.post("/api/v1/events/with-link/registrations",
                        {{"email", "late@example.org"}, {"name", "Late"}, {"consent", true}})
                .status,
            409);
  const auto reopened = client.send("PATCH", "/api/v1/events/with-link", R"({"registration_closes": "last_session"})",
                                    "application/json", with_cookie(own));
  ASSERT_EQ(reopened.status, 200) << reopened.body;
  EXPECT_EQ(reopened.json()["registration_closes"], "last_session");
  EXPECT_EQ(reopened.json()["registration_closes_at"], "2040-01-01T10:00:00Z");
  EXPECT_EQ(reopened.json()["registration_state"], "open");
}

// An event that has happened: one session ended yesterday; 2 seats, 5 registrants (2 confirmed, 3
// waitlisted), one of the confirmed checked in.
struct Happened {
  std::vector<std::string> confirmed, waitlisted;
};

class Announcements : public ConsoleSuite<"convene_it_announcements"> {
 protected:
  Happened make_event(const std::string& slug) {
    EXPECT_TRUE(create_event({{"slug", slug}, {"title", "Event " + slug}, {"timezone", "Asia/Kathmandu"},
                              {"capacity", 2}, {"registration_closes_at", nullptr},
                              {"sessions", {{{"starts_at", "2021-09-10T13:00:00Z"}, {"ends_at", "2021-09-10T15:00:00Z"}}}}}));
    Happened h;
    for (int i = 0; i < 5; ++i) {
      const std::string email = slug + "-" + std::to_string(i) + "@example.org";
      const auto r = register_attendee(slug, {{"email", email}, {"name", "P" + std::to_string(i)},
                                              {"language", i % 2 == 0 ? "fr" : "en"}, {"consent", true}});
      (r["status"] == "confirmed" ? h.confirmed : h.waitlisted).push_back(email);
    }
    return h;
  }
  int recipients(const std::string& slug, const nlohmann::json& audience) {
    const auto reply = client.post("/api/v1/events/" + slug + "/announcements",
                                   {{"subject", "Hello"}, {"body", "Text"}, {"audience", audience}}, admin());
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.status == 201 ? reply.json()["recipients"].get<int>() : -1;
  }
};

TEST_F(Announcements, AudiencesAreExact) {
  const Happened h = make_event("audiences");
  ASSERT_EQ(h.confirmed.size(), 2u);
  ASSERT_EQ(h.waitlisted.size(), 3u);
  const auto roster = client.get("/api/v1/events/audiences/registrations?status=confirmed", admin()).json();
  const int first = roster["items"][0]["id"];
  ASSERT_EQ(client.patch("/api/v1/events/audiences/registrations/" + std::to_string(first), {{"checked_in", true}}, admin())
                .status,
            200);
  EXPECT_EQ(recipients("audiences", {"confirmed"}), 2);
  EXPECT_EQ(recipients("audiences", {"waitlisted"}), 3);
  EXPECT_EQ(recipients("audiences", {"pending"}), 0);
  EXPECT_EQ(recipients("audiences", {"attended"}), 1);
  EXPECT_EQ(recipients("audiences", {"did_not_attend"}), 1);
  EXPECT_EQ(recipients("audiences", {"attended", "confirmed"}), 2);  // groups are united, not repeated
  EXPECT_EQ(recipients("audiences", {"confirmed", "waitlisted", "pending"}), 5);
  // The roster and the stats say the same about who came.
  const auto stats = client.get("/api/v1/events/audiences/stats", admin()).json();
  EXPECT_EQ(stats["attended"], 1);
  EXPECT_DOUBLE_EQ(stats["attendance_rate"].get<double>(), 0.5);
  EXPECT_EQ(stats["active"], 5);
  EXPECT_EQ(stats["attendance_by_country"]["unknown"]["attended"], 1);
  EXPECT_EQ(client.get("/api/v1/events/audiences/registrations?attendance=attended", admin()).json()["items"].size(), 1u);
  EXPECT_EQ(client.get("/api/v1/events/audiences/registrations?attendance=did_not_attend", admin()).json()["items"].size(),
            1u);
  EXPECT_EQ(client.get("/api/v1/events/audiences/registrations?attendance=maybe", admin()).status, 422);
}

// Who came: a confirmed registrant who joined through the personal link in their e-mail, one checked
// in at the door, one who did neither, and one on the waiting list (who is neither count).
TEST_F(Announcements, AttendanceIsTheJoinLinkOrTheCheckInInRosterCsvAndStats) {
  ASSERT_TRUE(create_event({{"slug", "who-came"}, {"title", "Who came"}, {"timezone", "UTC"}, {"capacity", 3},
                            {"registration_closes_at", nullptr}, {"join_url", "https://meet.example/who-came"},
                            {"sessions", {{{"starts_at", "2021-09-10T13:00:00Z"}, {"ends_at", "2021-09-10T15:00:00Z"}}}}}));
  const auto joiner = register_attendee("who-came", {{"email", "joiner@example.org"}, {"name", "J"}, {"country", "NP"}, {"consent", true}});
  const auto door = register_attendee("who-came", {{"email", "door@example.org"}, {"name", "D"}, {"country", "NP"}, {"consent", true}});
  register_attendee("who-came", {{"email", "absent@example.org"}, {"name", "A"}, {"country", "PE"}, {"consent", true}});
  register_attendee("who-came", {{"email", "waiting@example.org"}, {"name", "W"}, {"country", "PE"}, {"consent", true}});

  const auto confirmation = wait_for("joiner@example.org", "confirmation", 1);
  ASSERT_EQ(confirmation.size(), 1u);
  std::smatch join;
  const std::string text = confirmation[0]["text"];
  ASSERT_TRUE(std::regex_search(text, join, std::regex("/j/[A-Za-z0-9_-]{40}"))) << text;
  const auto redirected = client.get(join.str());
  EXPECT_EQ(redirected.status, 302);
  EXPECT_EQ(redirected.header("Location"), "https://meet.example/who-came");
  ASSERT_EQ(client.patch("/api/v1/events/who-came/registrations/" + std::to_string(door["id"].get<int>()),
                         {{"checked_in", true}}, admin())
                .status,
            200);

  const auto roster = client.get("/api/v1/events/who-came/registrations", admin()).json()["items"];
  ASSERT_EQ(roster.size(), 4u);
  std::map<std::string, nlohmann::json> by_email;
  for (const auto& entry : roster) by_email[entry["email"]] = entry;
  EXPECT_TRUE(by_email["joiner@example.org"]["attended"].get<bool>());
  EXPECT_FALSE(by_email["joiner@example.org"]["first_joined_at"].is_null());
  EXPECT_TRUE(by_email["door@example.org"]["attended"].get<bool>());
  EXPECT_TRUE(by_email["door@example.org"]["first_joined_at"].is_null());
  EXPECT_FALSE(by_email["absent@example.org"]["attended"].get<bool>());
  EXPECT_FALSE(by_email["waiting@example.org"]["attended"].get<bool>());
  EXPECT_EQ(by_email["waiting@example.org"]["status"], "waitlisted");

  // The export: `attended` for the confirmed, empty for the waiting list.
  const std::string csv = client.get("/api/v1/events/who-came/registrations.csv", admin()).body;
  std::map<std::string, std::string> attended_cell;
  std::vector<std::string> header;
  std::istringstream lines(csv.substr(3));  // after the byte-order mark
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (line.ends_with(",")) cells.emplace_back();
    if (header.empty()) {
      header = cells;
      continue;
    }
    const auto at = [&](const std::string& name) { return cells.at(std::find(header.begin(), header.end(), name) - header.begin()); };
    attended_cell[at("email")] = at("attended");
  }
  EXPECT_EQ(attended_cell, (std::map<std::string, std::string>{{"joiner@example.org", "true"},
                                                               {"door@example.org", "true"},
                                                               {"absent@example.org", "false"},
                                                               {"waiting@example.org", ""}}));

  const auto stats = client.get("/api/v1/events/who-came/stats", admin()).json();
  EXPECT_EQ(stats["attended"], 2);
  EXPECT_NEAR(stats["attendance_rate"].get<double>(), 2.0 / 3.0, 1e-9);
  EXPECT_EQ(stats["attendance_by_country"]["NP"], (nlohmann::json{{"confirmed", 2}, {"attended", 2}, {"rate", 1.0}}));
  EXPECT_EQ(stats["attendance_by_country"]["PE"], (nlohmann::json{{"confirmed", 1}, {"attended", 0}, {"rate", 0.0}}));
}

TEST_F(Announcements, WhoCameIsAskableOnlyOnceASessionHasEnded) {
  ASSERT_TRUE(create_event({{"slug", "to-come"}, {"title", "To come"}, {"timezone", "UTC"}, {"capacity", 5},
                            {"sessions", {{{"starts_local", "2040-01-01T10:00"}, {"duration_minutes", 60}}}}}));
  const auto refused = client.post("/api/v1/events/to-come/announcements",
                                   {{"subject", "S"}, {"body", "B"}, {"audience", {"did_not_attend"}}}, admin());
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.json()["errors"][0]["field"], "audience");
  const auto empty = client.post("/api/v1/events/to-come/announcements", {{"body", "B"}}, admin());
  EXPECT_EQ(empty.status, 422);
  EXPECT_EQ(empty.json()["errors"][0]["field"], "subject");
}

TEST_F(Announcements, EachGetsItOnceInTheirLanguageWithTheirOwnLink) {
  const Happened h = make_event("languages");
  const nlohmann::json body = {{"subject", "The recording"},
                               {"body", "It is online.\n\nThank you for coming."},
                               {"translations", {{"fr", {{"subject", "L'enregistrement"}, {"body", "Il est en ligne."}}}}},
                               {"audience", {"confirmed", "waitlisted"}}};
  // A double click with one Idempotency-Key writes it once.
  const auto first = client.post("/api/v1/events/languages/announcements", body, [&] {
    auto headers = admin();
    headers.emplace("Idempotency-Key", "recording-1");
    return headers;
  }());
  const auto again = client.post("/api/v1/events/languages/announcements", body, [&] {
    auto headers = admin();
    headers.emplace("Idempotency-Key", "recording-1");
    return headers;
  }());
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(first.json()["recipients"], 5);
  std::vector<std::string> everyone = h.confirmed;
  everyone.insert(everyone.end(), h.waitlisted.begin(), h.waitlisted.end());
  for (const auto& email : everyone) {
    SCOPED_TRACE(email);
    const auto got = wait_for(email, "announcement", 1);
    ASSERT_EQ(got.size(), 1u);
    const bool french = email.find("-0@") != std::string::npos || email.find("-2@") != std::string::npos ||
                        email.find("-4@") != std::string::npos;
    EXPECT_EQ(got[0]["headers"]["Subject"], french ? "L'enregistrement" : "The recording");
    EXPECT_NE(got[0]["text"].get<std::string>().find("/r/"), std::string::npos);  // their own manage link
    EXPECT_TRUE(got[0]["parts"].size() > 0);
    for (const auto& part : got[0]["parts"]) EXPECT_NE(part["type"], "text/calendar");
  }
  const auto listed = client.get("/api/v1/events/languages/announcements", admin());
  ASSERT_EQ(listed.json()["items"].size(), 1u);
  EXPECT_TRUE(eventually([&] {
    return client.get("/api/v1/events/languages/announcements", admin()).json()["items"][0]["counts"]["sent"] == 5;
  }, std::chrono::seconds(10)));
  EXPECT_EQ(client.get("/api/v1/events/languages/announcements", admin()).json()["items"][0]["status"], "sent");
}

TEST_F(Announcements, AScheduledOneCanBeWithdrawnAndASentOneCannot) {
  make_event("withdrawn");
  const auto scheduled = client.post("/api/v1/events/withdrawn/announcements",
                                     {{"subject", "Later"}, {"body", "B"}, {"send_at", "2099-01-01T00:00:00Z"}}, admin());
  ASSERT_EQ(scheduled.status, 201);
  EXPECT_EQ(scheduled.json()["status"], "scheduled");
  const std::string path = "/api/v1/events/withdrawn/announcements/" + std::to_string(scheduled.json()["id"].get<int>());
  const auto withdrawn = client.del(path, admin());
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
  EXPECT_EQ(withdrawn.json()["status"], "withdrawn");
  EXPECT_EQ(withdrawn.json()["counts"]["skipped"], 5);
  EXPECT_EQ(client.del(path, admin()).status, 200);  // again: it stays withdrawn

  const auto now = client.post("/api/v1/events/withdrawn/announcements", {{"subject", "Now"}, {"body", "B"}}, admin());
  ASSERT_EQ(now.status, 201);
  const std::string sent_path = "/api/v1/events/withdrawn/announcements/" + std::to_string(now.json()["id"].get<int>());
  ASSERT_TRUE(eventually([&] { return client.get("/api/v1/events/withdrawn/announcements", admin())
                                          .json()["items"][1]["counts"]["sent"] == 5; },
                         std::chrono::seconds(10)));
  const auto too_late = client.del(sent_path, admin());
  EXPECT_EQ(too_late.status, 409);
  EXPECT_EQ(too_late.json()["type"], "/problems/announcement-sent");
  EXPECT_EQ(client.del("/api/v1/events/withdrawn/announcements/999999", admin()).status, 404);
}

TEST_F(Announcements, ThePreviewIsTheMessageOneRegistrantWouldGet) {
  make_event("preview");
  const auto roster = client.get("/api/v1/events/preview/registrations", admin()).json();
  int french_id = 0;
  for (const auto& r : roster["items"]) {
    if (r["language"] == "fr") french_id = r["id"];
  }
  ASSERT_NE(french_id, 0);
  const auto preview = client.post("/api/v1/events/preview/announcements/preview",
                                   {{"subject", "Hello"}, {"body", "Hi"},
                                    {"translations", {{"fr", {{"subject", "Bonjour"}, {"body", "Salut"}}}}},
                                    {"registration_id", french_id}},
                                   admin());
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_EQ(preview.json()["subject"], "Bonjour");
  EXPECT_EQ(preview.json()["language"], "fr");
  EXPECT_NE(preview.json()["text"].get<std::string>().find("Salut"), std::string::npos);
  // Nothing was written or sent.
  EXPECT_TRUE(client.get("/api/v1/events/preview/announcements", admin()).json()["items"].empty());
}

TEST_F(Announcements, CancellingAnEventTellsEveryActiveRegistrant) {
  ASSERT_TRUE(create_event({{"slug", "called-off"}, {"title", "Called off"}, {"timezone", "UTC"}, {"capacity", 1},
                            {"registration_closes_at", nullptr},
                            {"sessions", {{{"starts_local", "2040-01-01T10:00"}, {"duration_minutes", 60}},
                                          {{"starts_local", "2040-01-02T10:00"}, {"duration_minutes", 60}}}}}));
  register_attendee("called-off", {{"email", "seated@example.org"}, {"name", "S"}, {"consent", true}});
  register_attendee("called-off", {{"email", "waiting@example.org"}, {"name", "W"}, {"consent", true}});
  ASSERT_EQ(client.patch("/api/v1/events/called-off", {{"status", "cancelled"}}, admin()).status, 200);
  const auto event = client.get("/api/v1/events/called-off").json();
  for (const auto& s : event["sessions"]) EXPECT_EQ(s["status"], "cancelled");
  for (const char* who : {"seated@example.org", "waiting@example.org"}) {
    SCOPED_TRACE(who);
    const auto got = wait_for(who, "cancellation", 2);
    ASSERT_EQ(got.size(), 2u);  // one per session
    EXPECT_EQ(got[0]["calendar"]["method"], "CANCEL");
  }
}

TEST_F(Announcements, AWallTimeInAGapIsExplainedWithBothReadings) {
  ASSERT_TRUE(create_event({{"slug", "gap-explained"}, {"title", "Gap"}, {"timezone", "America/New_York"},
                            {"capacity", 5}}));
  const auto refused = client.post("/api/v1/events/gap-explained/sessions",
                                   {{"starts_local", "2031-03-09T02:30"}, {"duration_minutes", 60}}, admin());
  ASSERT_EQ(refused.status, 422) << refused.body;
  const auto wall_time = refused.json()["wall_time"];
  EXPECT_EQ(wall_time["kind"], "skipped");
  EXPECT_EQ(wall_time["earlier"], "2031-03-09T06:30:00Z");
  EXPECT_EQ(wall_time["later"], "2031-03-09T07:30:00Z");
  EXPECT_EQ(refused.json()["errors"][0]["field"], "starts_local");
  EXPECT_EQ(wall_time["field"], "starts_local");

  // Creating an event whose second session falls in a gap: the same explanation, naming that session.
  const auto created = client.post(
      "/api/v1/events",
      {{"slug", "gap-at-creation"}, {"title", "Gap"}, {"timezone", "America/New_York"}, {"capacity", 5},
       {"sessions", {{{"starts_local", "2031-03-08T10:00"}, {"duration_minutes", 60}},
                     {{"starts_local", "2031-03-09T02:30"}, {"duration_minutes", 60}}}}},
      admin());
  ASSERT_EQ(created.status, 422) << created.body;
  EXPECT_EQ(created.json()["errors"][0]["field"], "sessions[1].starts_local");
  EXPECT_EQ(created.json()["wall_time"]["field"], "sessions[1].starts_local");
  EXPECT_EQ(created.json()["wall_time"]["later"], "2031-03-09T07:30:00Z");
}

// Three delivery loops share the outbox (the server's own and two `convene worker`s) and one worker
// is killed mid-way: every recipient still gets the announcement, and exactly once (a real SMTP
// server counts what it accepted).
TEST(AnnouncementsDelivery, ExactlyOnceUnderTwoWorkersAndAKill) {
  SmtpServer smtp("", 0.05);
  const Environment fast{{"SMTP_URL", smtp.url()}, {"WORKER_THREADS", "1"}, {"WORKER_LEASE_SECONDS", "4"},
                         {"WORKER_POLL_MS", "100"}, {"WORKER_BATCH", "5"}};
  Service service("convene_it_announcements_delivery", fast);
  Client client = service.client();
  ASSERT_TRUE(create_event(service, {{"slug", "many"}, {"title", "Many"}, {"timezone", "UTC"}, {"capacity", 100},
                                     {"registration_closes_at", nullptr}}));
  constexpr int kPeople = 40;
  for (int i = 0; i < kPeople; ++i)
    register_attendee(client, "many", {{"email", "many-" + std::to_string(i) + "@example.org"}, {"name", "M"}, {"consent", true}});
  // The confirmations first, so that only the announcement is in flight when the worker dies.
  ASSERT_TRUE(eventually([&] { return smtp.messages().size() >= static_cast<std::size_t>(kPeople); },
                         std::chrono::seconds(60)));
  const std::size_t before = smtp.messages().size();
  ASSERT_EQ(client.post("/api/v1/events/many/announcements", {{"subject", "Once"}, {"body", "Only once."}},
                        bearer(service.admin_token()))
                .status,
            201);
  WorkerProcess survivor(service.env());
  auto doomed = std::make_unique<WorkerProcess>(service.env());
  ASSERT_TRUE(eventually([&] { return smtp.messages().size() >= before + 10; }, std::chrono::seconds(30)));
  doomed->stop(SIGKILL);
  doomed.reset();
  ASSERT_TRUE(eventually([&] { return smtp.messages().size() >= before + kPeople; }, std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::seconds(5));  // past the dead worker's lease: nothing more comes
  const auto received = smtp.messages();
  std::vector<std::string> announcements(received.begin() + static_cast<long>(before), received.end());
  const auto read = inspect_mail(announcements);
  std::map<std::string, int> per_address;
  std::set<std::string> message_ids;
  for (const auto& m : read) {
    EXPECT_EQ(m["headers"]["X-Convene-Kind"], "announcement");
    ++per_address[m["headers"].value("X-Envelope-To", "")];
    message_ids.insert(m["headers"]["Message-ID"].get<std::string>());
  }
  EXPECT_EQ(per_address.size(), static_cast<std::size_t>(kPeople));
  int duplicated = 0;
  for (const auto& [address, n] : per_address) duplicated += n - 1;
  // A duplicate is possible only for the message a worker had in hand when killed (README, "What
  // once means"), and then it carries the same Message-ID.
  EXPECT_LE(duplicated, 1);
  EXPECT_EQ(message_ids.size(), static_cast<std::size_t>(kPeople));
  std::printf("announcement to %d registrants, one worker of three killed: %zu messages, %d duplicated\n", kPeople,
              read.size(), duplicated);
}

}  // namespace
}  // namespace convene::testing
