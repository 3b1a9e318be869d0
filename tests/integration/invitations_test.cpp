// Invitation-only events end to end: organisers invite a pasted list (a bad line reported), each
// invitee is mailed a personal link in their language, only that link registers that address and
// only once (also under concurrency), the event stays out of the lists, the pending invitees are
// listed and counted, reminded, and an unused invitation can be withdrawn.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <regex>
#include <thread>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

namespace fs = std::filesystem;

const std::string kSpool = "/tmp/convene-invitations-spool-" + std::to_string(getpid());

class Invitations : public ServiceSuite<"convene_it_invitations"> {
 public:
  static void SetUpTestSuite() {
    fs::remove_all(kSpool);
    start({{"SPOOL_DIR", kSpool}, {"WORKER_POLL_MS", "100"}});
  }
  static void TearDownTestSuite() {
    stop();
    fs::remove_all(kSpool);
  }

 protected:
  // An invitation-only event with one session.
  std::string invitation_event(const std::string& slug) {
    EXPECT_TRUE(create_event(event_body(
        slug, 50,
        {{"access", "invitation"}, {"sessions", {{{"starts_local", "2030-05-02T14:00"}, {"duration_minutes", 90}}}}})));
    return "/api/v1/events/" + slug;
  }

  Reply invite(const std::string& event, const nlohmann::json& body) {
    return client.post(event + "/invitations", body, admin());
  }

  // The invitation e-mails (invitations and reminders) to `address`, waiting until there are `count`.
  std::vector<nlohmann::json> invitation_mails(const std::string& address, std::size_t count) {
    std::vector<nlohmann::json> found;
    eventually(
        [&] {
          found.clear();
          const auto files = message_files(kSpool);
          for (const auto& m : files.empty() ? nlohmann::json::array() : inspect_mail(files)) {
            if (m["headers"].value("To", "").find(address) != std::string::npos &&
                m["headers"].value("X-Convene-Kind", "") == "invitation")
              found.push_back(m);
          }
          return found.size() >= count;
        },
        std::chrono::seconds(20));
    return found;
  }

  // The token of the registration link in an invitation e-mail.
  static std::string token_in(const nlohmann::json& mail, const std::string& slug) {
    const std::string text = mail.value("text", "");
    std::smatch link;
    EXPECT_TRUE(std::regex_search(text, link, std::regex("/events/" + slug + "\\?invitation=([A-Za-z0-9_-]{40})")))
        << text;
    return link.size() > 1 ? link[1].str() : "";
  }

  Reply register_with(const std::string& event, const std::string& email, const std::optional<std::string>& token) {
    nlohmann::json body = {{"email", email}, {"name", "Invitee"}, {"consent", true}};
    if (token) body["invitation"] = *token;
    return client.post(event + "/registrations", body);
  }

  static void expect_refused(const Reply& reply) {
    EXPECT_EQ(reply.status, 403) << reply.body;
    if (reply.status == 403) {
      EXPECT_EQ(reply.json()["type"], "/problems/invitation-required");
      EXPECT_NE(reply.json()["detail"].get<std::string>().find("by invitation only"), std::string::npos);
    }
  }
};

TEST_F(Invitations, OnlyTheInvitedAddressRegistersWithItsLinkOnce) {
  const std::string slug = "by-invitation";
  const std::string event = invitation_event(slug);
  const std::string ada = unique_email("ada"), luis = unique_email("luis"), bob = unique_email("bob");

  // Three invitees and one bad line, pasted; the French one named with their language.
  const auto invited = invite(event, {{"text", "Ada Lovelace <" + ada + ">\nnot an address\n" + luis +
                                                   ",\"Núñez, Luis\",fr\n\n" + bob + "\n"}});
  ASSERT_EQ(invited.status, 200) << invited.body;
  EXPECT_EQ(invited.json()["invited"], 3);
  EXPECT_EQ(invited.json()["already_invited"], 0);
  ASSERT_EQ(invited.json()["rejected"].size(), 1u) << invited.body;
  EXPECT_EQ(invited.json()["rejected"][0]["line"], 2);
  EXPECT_EQ(invited.json()["rejected"][0]["text"], "not an address");

  // Inviting again sends nothing twice.
  const auto again = invite(event, {{"invitees", {{{"email", ada}}}}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["invited"], 0);
  EXPECT_EQ(again.json()["already_invited"], 1);

  const auto to_luis = invitation_mails(luis, 1);
  ASSERT_EQ(to_luis.size(), 1u);
  EXPECT_EQ(to_luis[0]["headers"]["Content-Language"], "fr");
  EXPECT_EQ(to_luis[0]["headers"]["Subject"], "Invitation : Event " + slug);
  EXPECT_NE(to_luis[0]["text"].get<std::string>().find("Bonjour Núñez, Luis,"), std::string::npos) << to_luis[0]["text"];
  const auto to_ada = invitation_mails(ada, 1);
  ASSERT_EQ(to_ada.size(), 1u);
  EXPECT_EQ(to_ada[0]["headers"]["Content-Language"], "en");
  const std::string ada_token = token_in(to_ada[0], slug);
  ASSERT_FALSE(ada_token.empty());

  // Nobody gets in without the invitation for their own address.
  expect_refused(register_with(event, unique_email("stranger"), std::nullopt));
  expect_refused(register_with(event, unique_email("stranger"), ada_token));
  expect_refused(register_with(event, ada, std::nullopt));
  expect_refused(register_with(event, ada, "not-a-token"));

  // The invited address, with the link from its e-mail (letter case of the address aside).
  std::string upper_ada = ada;
  upper_ada[0] = 'A';
  const auto registered = register_with(event, upper_ada, ada_token);
  ASSERT_EQ(registered.status, 201) << registered.body;
  EXPECT_EQ(registered.json()["status"], "confirmed");
  // Used once.
  expect_refused(register_with(event, ada, ada_token));
  expect_refused(register_with(event, unique_email("friend"), ada_token));

  // Nobody else's e-mail said twice: one invitation each.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(invitation_mails(ada, 1).size(), 1u);
}

TEST_F(Invitations, StayOutOfTheListsButTheirPageIsReachable) {
  const std::string slug = "unlisted";
  const std::string event = invitation_event(slug);
  ASSERT_TRUE(create_event(event_body("listed-open", 5)));

  std::vector<std::string> listed;
  const auto list = client.get("/api/v1/events?limit=500");
  for (const auto& e : list.json()["items"]) listed.push_back(e["slug"]);
  EXPECT_EQ(std::count(listed.begin(), listed.end(), slug), 0);
  EXPECT_EQ(std::count(listed.begin(), listed.end(), "listed-open"), 1) << list.body;
  const auto home = client.get("/");
  EXPECT_EQ(home.body.find("/events/" + slug + "\""), std::string::npos);

  const auto page = client.get(event);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.json()["access"], "invitation");
  EXPECT_EQ(client.get("/events/" + slug).status, 200);
  EXPECT_EQ(client.get(event + "/calendar.ics").status, 404);
  EXPECT_EQ(client.get("/api/v1/events/listed-open").json()["access"], "open");

  // An open event takes no invitations, and ignores one given at registration.
  const auto refused = invite("/api/v1/events/listed-open", {{"text", unique_email("x")}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.json()["type"], "/problems/not-by-invitation");
  EXPECT_EQ(register_with("/api/v1/events/listed-open", unique_email("open"), "whatever").status, 201);

  // Opening it up lists it again.
  ASSERT_EQ(client.patch(event, {{"access", "open"}}, admin()).status, 200);
  EXPECT_EQ(client.get("/api/v1/events/" + slug + "/calendar.ics").status, 200);
  EXPECT_EQ(client.patch(event, {{"access", "public"}}, admin()).status, 422);
}

TEST_F(Invitations, PendingInviteesAreListedCountedRemindedAndWithdrawn) {
  const std::string slug = "roster-of-invitees";
  const std::string event = invitation_event(slug);
  const std::string came = unique_email("came"), waits = unique_email("waits"), leaves = unique_email("leaves");
  ASSERT_EQ(invite(event, {{"invitees", {{{"email", came}}, {{"email", waits}, {"name", "Wai"}}, {{"email", leaves}}}}})
                .json()["invited"],
            3);
  const std::string first_link = token_in(invitation_mails(waits, 1).at(0), slug);
  ASSERT_EQ(register_with(event, came, token_in(invitation_mails(came, 1).at(0), slug)).status, 201);

  const auto pending = client.get(event + "/invitations?status=pending", admin());
  ASSERT_EQ(pending.status, 200) << pending.body;
  std::vector<std::string> pending_emails;
  for (const auto& i : pending.json()["items"]) pending_emails.push_back(i["email"]);
  EXPECT_EQ(pending_emails, (std::vector<std::string>{waits, leaves}));
  EXPECT_EQ(pending.json()["items"][0]["name"], "Wai");
  const auto registered = client.get(event + "/invitations?status=registered", admin()).json()["items"];
  ASSERT_EQ(registered.size(), 1u);
  EXPECT_EQ(registered[0]["email"], came);
  EXPECT_TRUE(registered[0]["registration_id"].is_number_integer());
  EXPECT_EQ(client.get(event + "/stats", admin()).json()["invited_not_registered"], 2);
  EXPECT_EQ(client.get(event + "/invitations?status=maybe", admin()).status, 422);
  const auto paged = client.get(event + "/invitations?limit=2", admin()).json();
  EXPECT_EQ(paged["items"].size(), 2u);
  EXPECT_EQ(client.get(event + "/invitations?limit=2&cursor=" + paged["next_cursor"].get<std::string>(), admin())
                .json()["items"][0]["email"],
            leaves);
  EXPECT_EQ(client.get(event + "/invitations").status, 401);

  // A reminder to each who has not registered, once per call, with a fresh link; the first still works.
  const auto reminded = client.send("POST", event + "/invitations/remind", "", "", admin());
  ASSERT_EQ(reminded.status, 200) << reminded.body;
  EXPECT_EQ(reminded.json()["reminded"], 2);
  const auto to_waits = invitation_mails(waits, 2);
  ASSERT_EQ(to_waits.size(), 2u);
  EXPECT_EQ(to_waits[1]["headers"]["Subject"], "Reminder of your invitation: Event " + slug);
  EXPECT_NE(token_in(to_waits[1], slug), first_link);
  EXPECT_EQ(invitation_mails(came, 1).size(), 1u);

  // Withdrawn: its links stop working. A used one cannot be withdrawn.
  const auto leaves_id = pending.json()["items"][1]["id"].get<std::int64_t>();
  const std::string leaves_link = token_in(invitation_mails(leaves, 2).at(0), slug);
  const auto withdrawn = client.del(event + "/invitations/" + std::to_string(leaves_id), admin());
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
  EXPECT_EQ(withdrawn.json()["withdrawn"], true);
  expect_refused(register_with(event, leaves, leaves_link));
  EXPECT_EQ(client.del(event + "/invitations/" + std::to_string(leaves_id), admin()).status, 404);
  const auto used = client.del(event + "/invitations/" + std::to_string(registered[0]["id"].get<std::int64_t>()), admin());
  EXPECT_EQ(used.status, 409);
  EXPECT_EQ(used.json()["type"], "/problems/invitation-used");

  ASSERT_EQ(register_with(event, waits, first_link).status, 201);
  EXPECT_EQ(client.get(event + "/stats", admin()).json()["invited_not_registered"], 0);
}

TEST_F(Invitations, TenAtOnceWithOneInvitationMakeOneRegistration) {
  const std::string slug = "one-seat-per-invitation";
  const std::string event = invitation_event(slug);
  const std::string guest = unique_email("guest");
  ASSERT_EQ(invite(event, {{"text", guest}}).json()["invited"], 1);
  const std::string token = token_in(invitation_mails(guest, 1).at(0), slug);

  std::vector<int> statuses(10);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    threads.emplace_back([&, i] {
      Client own(service->server().port());
      nlohmann::json body = {{"email", guest}, {"name", "Guest"}, {"consent", true}, {"invitation", token}};
      statuses[i] = own.post(event + "/registrations", body).status;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 403), 9);
  auto db = service->connect();
  pqxx::work tx(db);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM registrations r JOIN events e ON e.id = r.event_id "
                     "WHERE e.slug = '" + slug + "'")[0].as<int>(),
            1);
}

}  // namespace
}  // namespace convene::testing
