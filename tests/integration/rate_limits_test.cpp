// Rate limits (issue 9): 429 with Retry-After per client address, e-mail, e-mail domain and token,
// misses of token lookups counted per address, X-Forwarded-For believed only from trusted proxies,
// and defaults generous enough for a whole ministry behind one NAT.
//
// One server with small limits serves every case; each case speaks as its own client address (the
// server trusts 127.0.0.1 as a proxy and reads X-Forwarded-For), so the cases do not share buckets.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/service_suite.hpp"

namespace convene::testing {
namespace {

const std::string kRegistrations = "/api/v1/events/south-south-2021/registrations";

nlohmann::json person(const std::string& email) {
  return {{"email", email},  {"name", "Amani Njeri"},        {"organisation", "Ministry of Planning"},
          {"country", "KE"}, {"timezone", "Africa/Nairobi"}, {"language", "en"},
          {"consent", true}};
}

httplib::Headers from(const std::string& address) { return {{"X-Forwarded-For", address}}; }

void expect_rate_limited(const Reply& reply) {
  EXPECT_EQ(reply.status, 429) << reply.body;
  EXPECT_EQ(reply.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(reply.json()["type"], "/problems/rate-limited");
  const std::string retry_after = reply.header("Retry-After");
  ASSERT_FALSE(retry_after.empty());
  const int seconds = std::stoi(retry_after);
  EXPECT_GE(seconds, 1);
  EXPECT_LE(seconds, 60);
}

class RateLimits : public ServiceSuite<"convene_it_rate_limits"> {
 public:
  static void SetUpTestSuite() {
    start({{"RATE_LIMITS", "on"},
           {"TRUSTED_PROXIES", "127.0.0.1"},
           {"LIMIT_REGISTRATIONS_PER_ADDRESS", "3/min"},
           {"LIMIT_REGISTRATIONS_PER_EMAIL", "2/min"},
           {"LIMIT_REGISTRATIONS_PER_DOMAIN", "3/min"},
           {"LIMIT_TOKEN_MISSES_PER_ADDRESS", "5/min"},
           {"LIMIT_REQUESTS_PER_TOKEN", "4/min"},
           {"LIMIT_SIGN_INS_PER_ADDRESS", "4/min"},
           {"LIMIT_SIGN_INS_PER_EMAIL", "2/min"}});
  }

 protected:
  // A registration's manage token, made from an address of its own.
  std::string register_someone(const std::string& email, const std::string& address) {
    return register_attendee("south-south-2021", person(email), from(address))["manage_token"].get<std::string>();
  }
};

TEST_F(RateLimits, RegistrationsPerAddressAreRefusedWith429AndRetryAfter) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(client.post(kRegistrations, person("addr" + std::to_string(i) + "@one.example"), from("203.0.113.10")).status, 201);
  }
  const auto refused = client.post(kRegistrations, person("addr3@two.example"), from("203.0.113.10"));
  expect_rate_limited(refused);
  // Nothing was stored for the refused request.
  auto db = service->connect();
  pqxx::work tx(db);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM registrations WHERE email = 'addr3@two.example'")[0].as<int>(), 0);
  // Another address is not affected.
  EXPECT_EQ(client.post(kRegistrations, person("addr4@two.example"), from("203.0.113.11")).status, 201);
}

TEST_F(RateLimits, OnlyTheHopNextToTheTrustedProxyCounts) {
  // The server trusts only 127.0.0.1; a chain whose right-most hop is not trusted is that hop.
  // A client adding fake hops on the left cannot escape its own bucket.
  for (int i = 0; i < 3; ++i) {
    const std::string spoofed = "198.51.100." + std::to_string(i) + ", 203.0.113.20";
    EXPECT_EQ(client.post(kRegistrations, person("spoof" + std::to_string(i) + "@three.example"), from(spoofed)).status,
              201);
  }
  expect_rate_limited(client.post(kRegistrations, person("spoof9@four.example"), from("198.51.100.99, 203.0.113.20")));
}

TEST_F(RateLimits, IPv6ClientsCountByTheirSlash64) {
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(client.post(kRegistrations, person("v6-" + std::to_string(i) + "@five.example"),
                          from("2001:db8:1:2::" + std::to_string(i)))
                  .status,
              201);
  }
  // A different interface id in the same /64 is the same subscriber.
  expect_rate_limited(client.post(kRegistrations, person("v6-9@six.example"), from("2001:db8:1:2:ffff::9")));
  EXPECT_EQ(client.post(kRegistrations, person("v6-10@six.example"), from("2001:db8:1:3::1")).status, 201);
}

TEST_F(RateLimits, AttemptsWithOneEmailAreLimitedWhateverTheAddress) {
  EXPECT_EQ(client.post(kRegistrations, person("repeat@seven.example"), from("203.0.113.30")).status, 201);
  EXPECT_EQ(client.post(kRegistrations, person("Repeat@Seven.example"), from("203.0.113.31")).status, 409);
  expect_rate_limited(client.post(kRegistrations, person(" REPEAT@seven.example"), from("203.0.113.32")));
}

TEST_F(RateLimits, AnEmailDomainCapHoldsWhenConfigured) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(client.post(kRegistrations, person("d" + std::to_string(i) + "@bulk.example"),
                          from("203.0.113." + std::to_string(40 + i)))
                  .status,
              201);
  }
  const auto refused = client.post(kRegistrations, person("d3@BULK.example"), from("203.0.113.49"));
  expect_rate_limited(refused);
  EXPECT_NE(refused.json()["detail"].get<std::string>().find("domain"), std::string::npos);
  EXPECT_EQ(client.post(kRegistrations, person("d4@other-ministry.example"), from("203.0.113.50")).status, 201);
}

// Sign-in links are limited per address asked for (so nobody floods an organiser's mailbox) and per
// network; an address nobody organises with is limited exactly alike, so the limit tells nothing.
TEST_F(RateLimits, SignInLinksAreLimitedPerAddressAndPerNetwork) {
  for (const char* email : {"chair@sign-in.example", "nobody@sign-in.example"}) {
    SCOPED_TRACE(email);
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(client.post("/api/v1/organiser/sign-in", {{"email", email}}, from("203.0.113." + std::to_string(60 + i))).status,
                202);
    }
    const auto refused = client.post("/api/v1/organiser/sign-in", {{"email", email}}, from("203.0.113.62"));
    expect_rate_limited(refused);
    EXPECT_NE(refused.json()["detail"].get<std::string>().find("this address"), std::string::npos) << refused.body;
  }
  // One network asking for many addresses: its fifth request is refused, whatever the address.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(client.post("/api/v1/organiser/sign-in", {{"email", "p" + std::to_string(i) + "@sign-in.example"}},
                          from("203.0.113.70"))
                  .status,
              202);
  }
  const auto refused = client.post("/api/v1/organiser/sign-in", {{"email", "p9@sign-in.example"}}, from("203.0.113.70"));
  expect_rate_limited(refused);
  EXPECT_NE(refused.json()["detail"].get<std::string>().find("your network"), std::string::npos) << refused.body;
}

// An office behind one address: someone there mistypes links until the address has used up its
// misses. Guesses from it are then refused before they reach the database, but whoever there holds a
// real token (a registrant, an organiser) is still served: tokens carry this installation's tag,
// which a guess or a typo does not.
TEST_F(RateLimits, MistypedLinksDoNotLockOutRealTokensFromTheSameNetwork) {
  const std::string token = register_someone("guessed@eight.example", "203.0.113.60");
  ASSERT_EQ(token.size(), 40u);
  const std::string office = "203.0.113.61";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(client.get("/api/v1/registrations/not-a-token-" + std::to_string(i), from(office)).status, 404);
  }
  // Anything that is not a token of ours is refused now: text, the untagged form, a made-up tag,
  // a real token with one character changed.
  std::string altered = token;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  for (const std::string& guess : {std::string("not-a-token-5"), std::string(32, 'x'), std::string(40, 'x'), altered}) {
    SCOPED_TRACE(guess);
    expect_rate_limited(client.get("/api/v1/registrations/" + guess, from(office)));
    expect_rate_limited(client.get("/j/" + guess, from(office)));
  }
  expect_rate_limited(client.get(kRegistrations, {{"X-Forwarded-For", office}, {"Authorization", "Bearer " + altered}}));
  // Real tokens are served: the registrant's page and invite, the organiser's roster.
  EXPECT_EQ(client.get("/api/v1/registrations/" + token, from(office)).status, 200);
  EXPECT_EQ(client.get("/api/v1/registrations/" + token + "/invite.ics", from(office)).status, 200);
  EXPECT_EQ(client.get(kRegistrations, {{"X-Forwarded-For", office}, {"Authorization", "Bearer " + service->admin_token()}})
                .status,
            200);
  // Someone else is unaffected.
  EXPECT_EQ(client.get("/api/v1/registrations/not-a-token-6", from("203.0.113.62")).status, 404);
}

TEST_F(RateLimits, WrongOrganiserTokensCountAsMisses) {
  const std::string guesser = "203.0.113.70";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(client.get(kRegistrations, {{"X-Forwarded-For", guesser}, {"Authorization", "Bearer wrong" + std::to_string(i)}})
                  .status,
              401);
  }
  expect_rate_limited(client.get(kRegistrations, {{"X-Forwarded-For", guesser}, {"Authorization", "Bearer wrong"}}));
  // The real organiser token still works from there.
  EXPECT_EQ(client.get(kRegistrations, {{"X-Forwarded-For", guesser}, {"Authorization", "Bearer " + service->admin_token()}})
                .status,
            200);
  // Successful organiser calls do not spend the allowance.
  const std::string organiser = "203.0.113.71";
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(client.get(kRegistrations, {{"X-Forwarded-For", organiser}, {"Authorization", "Bearer " + service->admin_token()}})
                  .status,
              200);
  }
}

TEST_F(RateLimits, OneTokenIsLimitedAcrossAddresses) {
  const std::string token = register_someone("busy@nine.example", "203.0.113.80");
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(client.get("/api/v1/registrations/" + token, from("203.0.113." + std::to_string(81 + i))).status, 200);
  }
  expect_rate_limited(client.get("/api/v1/registrations/" + token + "/invite.ics", from("203.0.113.90")));
}

TEST_F(RateLimits, MetricsCountRefusalsByLimit) {
  const auto refusals = [&] {
    const auto metrics = client.get("/metrics").body;
    const std::string prefix = "convene_rate_limited_total{limit=\"registrations_per_address\"} ";
    const auto at = metrics.find(prefix);
    EXPECT_NE(at, std::string::npos);
    for (const char* limit : {"registrations_per_email", "registrations_per_domain", "token_misses_per_address",
                              "requests_per_token"}) {
      EXPECT_NE(metrics.find(std::string("convene_rate_limited_total{limit=\"") + limit + "\"}"), std::string::npos);
    }
    return at == std::string::npos ? -1L : std::stol(metrics.substr(at + prefix.size()));
  };
  const long before = refusals();
  for (int i = 0; i < 5; ++i) client.post(kRegistrations, person("m" + std::to_string(i) + "@metrics.example"), from("203.0.113.95"));
  EXPECT_EQ(refusals(), before + 2);
}

TEST_F(RateLimits, CorsOnlyOnPublicReads) {
  for (const char* path : {"/api/v1/events", "/api/v1/events/south-south-2021", "/api/v1/events/south-south-2021/calendar.ics",
                           "/api/v1/time/convert?at=2021-09-10T13:00:00Z&to=Asia/Kathmandu", "/api/v1/timezones",
                           "/api/openapi.json"}) {
    EXPECT_EQ(client.get(path).header("Access-Control-Allow-Origin"), "*") << path;
  }
  const auto registered = client.post(kRegistrations, person("cors@ten.example"), from("203.0.113.100"));
  EXPECT_EQ(registered.header("Access-Control-Allow-Origin"), "");
  const std::string token = registered.json()["manage_token"].get<std::string>();
  EXPECT_EQ(client.get("/api/v1/registrations/" + token, from("203.0.113.100")).header("Access-Control-Allow-Origin"), "");
  EXPECT_EQ(client.get(kRegistrations, admin()).header("Access-Control-Allow-Origin"), "");
}

TEST_F(RateLimits, AnUnusableLimitStopsTheServerWithItsName) {
  auto env = service->env();
  env["LIMIT_REGISTRATIONS_PER_EMAIL"] = "ten a minute";
  const auto result = run_convene({"migrate"}, env);
  EXPECT_NE(result.status, 0);
}

// The defaults: a ministry of 400 people behind one address registers in the opening minute.
class DefaultRateLimits : public ServiceSuite<"convene_it_default_limits"> {
 public:
  static void SetUpTestSuite() { start({{"RATE_LIMITS", "on"}}); }
};

TEST_F(DefaultRateLimits, AWholeMinistryBehindOneNatRegistersInTheRush) {
  constexpr int kPeople = 400;
  constexpr int kThreads = 8;
  std::atomic<int> created{0}, limited{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Client client = service->client();
      for (int i = t; i < kPeople; i += kThreads) {
        const auto reply = client.post(kRegistrations, person("staff" + std::to_string(i) + "@ministry.example"));
        (reply.status == 201 ? created : reply.status == 429 ? limited : other)++;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(created.load(), kPeople);
  EXPECT_EQ(limited.load(), 0);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(DefaultRateLimits, AGuesserIsStillCutOffByDefaultWhateverItForwards) {
  // No TRUSTED_PROXIES by default: X-Forwarded-For is the client's own claim and changes nothing.
  int refused_after = -1;
  for (int i = 0; i < 100 && refused_after < 0; ++i) {
    const auto reply = client.get("/api/v1/registrations/guess-" + std::to_string(i),
                                  from("198.51.100." + std::to_string(i)));
    if (reply.status == 429) refused_after = i;
  }
  EXPECT_EQ(refused_after, 30);  // LIMIT_TOKEN_MISSES_PER_ADDRESS defaults to 30/min
}

}  // namespace
}  // namespace convene::testing
