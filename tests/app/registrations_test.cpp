// The registrant's use cases (app/registrations.hpp) on a real PostgreSQL, without HTTP: what a
// registration attempt answers, duplicates, Idempotency-Key replays, rate limits, cancellation.
#include <gtest/gtest.h>

#include "app/problems.hpp"
#include "app/registrations.hpp"
#include "support/store_suite.hpp"

namespace convene::testing {
namespace {

using std::chrono::minutes;

class AppRegistrations : public AppSuite<"convene_app_registrations"> {
 protected:
  // Messages queued for the registrations of `email` (any case), of `kind`.
  long long queued(const std::string& email, const std::string& kind) {
    return store->autocommit([&](store::Tx& tx) {
      return scalar(tx,
                    "SELECT count(*) FROM outbox o JOIN registrations r ON r.id = o.registration_id "
                    "WHERE lower(r.email) = lower($1) AND o.kind = $2",
                    email, kind);
    });
  }
};

std::string type_of(const app::Result<>& result) {
  return result ? "(a document)" : std::string(to_string(result.error().type));
}

// One registration attempt for an event in one state: the document's status, or the problem.
TEST_F(AppRegistrations, WhatAnAttemptAnswersFollowsTheEvent) {
  struct Case {
    const char* slug;
    nlohmann::json event;  // created with these fields (null: no event)
    nlohmann::json change;  // then changed so (null: not changed)
    nlohmann::json more;  // fields of the registrant's request
    std::string status;                  // of the registration, when one is written
    std::optional<ProblemType> problem;  // otherwise
    const char* extension = nullptr;     // a member the problem carries
  };
  const nlohmann::json plain = nlohmann::json::object();
  const Case cases[] = {
      {"out-open", event_body("out-open", 5), nullptr, plain, "confirmed"},
      {"out-full", event_body("out-full", 0), nullptr, plain, "waitlisted"},
      {"out-approval", event_body("out-approval", 5, {{"requires_approval", true}}), nullptr, plain, "pending"},
      {"out-not-open", event_body("out-not-open", 5, {{"registration_opens_at", "2030-02-01T00:00:00Z"}}), nullptr,
       plain, "", ProblemType::registration_not_open, "opens_at"},
      {"out-closed", event_body("out-closed", 5, {{"registration_closes_at", "2030-01-15T11:59:59Z"}}), nullptr,
       plain, "", ProblemType::registration_closed, "closed_at"},
      // No closing time given: it closes when the last session starts (before the clock's now).
      {"out-started",
       {{"slug", "out-started"}, {"title", "Started"}, {"timezone", "UTC"}, {"capacity", 5},
        {"sessions", {{{"starts_local", "2030-01-15T11:00"}, {"duration_minutes", 120}}}}},
       nullptr, plain, "", ProblemType::registration_closed, "closed_at"},
      {"out-cancelled", event_body("out-cancelled", 5), {{"status", "cancelled"}}, plain, "",
       ProblemType::event_cancelled},
      {"out-draft", event_body("out-draft", 5, {{"status", "draft"}}), nullptr, plain, "", ProblemType::not_found},
      {"out-nowhere", nullptr, nullptr, plain, "", ProblemType::not_found},
      {"out-no-consent", event_body("out-no-consent", 5), nullptr, {{"consent", false}}, "",
       ProblemType::validation_failed},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.slug);
    if (!c.event.is_null()) {
      const auto made = create_event(c.event);
      ASSERT_TRUE(made) << describe(made);
    }
    if (!c.change.is_null()) {
      const auto changed = app::change_event(context, admin(), c.slug, c.change);
      ASSERT_TRUE(changed) << describe(changed);
    }
    const nlohmann::json body = registrant(c.slug, c.more);
    const auto result = register_attendee(c.slug, body);
    if (!c.problem) {
      ASSERT_TRUE(result) << describe(result);
      EXPECT_TRUE(result->kind == app::Document::Kind::created);
      EXPECT_FALSE(result->replayed);
      const auto body = json_of(result);
      EXPECT_EQ(body["status"], c.status);
      EXPECT_EQ(body["manage_token"].get<std::string>().size(), app::kSecretTokenLength);
      EXPECT_EQ(queued(body["email"].get<std::string>(), "confirmation"), 1);
    } else {
      ASSERT_FALSE(result) << describe(result);
      EXPECT_EQ(type_of(result), to_string(*c.problem));
      if (c.extension) {
        EXPECT_TRUE(result.error().extensions.contains(c.extension)) << describe(result);
      }
    }
  }
}

// The address is registered already: a problem, and the confirmation (with the link to manage the
// registration) goes to the address again, at most once an hour.
TEST_F(AppRegistrations, AlreadyRegisteredSendsTheConfirmationAgainAtMostHourly) {
  ASSERT_TRUE(create_event(event_body("again", 5)));
  const nlohmann::json first = registrant("again");
  ASSERT_TRUE(register_attendee("again", first));
  nlohmann::json shouted = first;
  std::string email = first["email"];
  for (auto& ch : email) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  shouted["email"] = email;
  const struct {
    minutes later;
    long long confirmations;  // queued in all
  } attempts[] = {{minutes(0), 2}, {minutes(30), 2}, {minutes(61), 3}};
  const Instant start = now;
  for (const auto& attempt : attempts) {
    now = start + attempt.later;
    const auto again = register_attendee("again", shouted, std::nullopt, "192.0.2.77");
    ASSERT_FALSE(again) << describe(again);
    EXPECT_EQ(again.error().type, ProblemType::already_registered);
    EXPECT_EQ(queued(email, "confirmation"), attempt.confirmations) << attempt.later.count() << " minutes later";
  }
  EXPECT_EQ(store->autocommit([&](store::Tx& tx) {
              return scalar(tx, "SELECT count(*) FROM registrations WHERE lower(email) = lower($1)", email);
            }),
            1);
}

// The same address again, in other letters: refused whether a seat is left (the first try's insert
// finds the address), the event is full since (the first try finds no seat and writes nothing, and
// the waitlisting one finds the address) or it was full from the start (the first registration was
// waitlisted). Nothing more is written.
TEST_F(AppRegistrations, TheSameAddressIsAlreadyRegisteredWhetherOrNotASeatIsLeft) {
  const struct {
    const char* slug;
    int capacity;
    const char* first_status;
  } cases[] = {{"twice-room", 5, "confirmed"}, {"twice-filled", 1, "confirmed"}, {"twice-full", 0, "waitlisted"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.slug);
    ASSERT_TRUE(create_event(event_body(c.slug, c.capacity)));
    const nlohmann::json first = registrant(c.slug);
    const auto written = register_attendee(c.slug, first);
    ASSERT_TRUE(written) << describe(written);
    EXPECT_EQ(json_of(written)["status"], c.first_status);
    nlohmann::json again = first;
    std::string& email = again["email"].get_ref<std::string&>();
    email[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(email[0])));
    const auto refused = register_attendee(c.slug, again, std::nullopt, "192.0.2.78");
    ASSERT_FALSE(refused) << describe(refused);
    EXPECT_EQ(refused.error().type, ProblemType::already_registered);
    EXPECT_EQ(store->autocommit([&](store::Tx& tx) {
                return scalar(tx, "SELECT count(*) FROM registrations r JOIN events e ON e.id = r.event_id "
                                  "WHERE e.slug = $1", std::string(c.slug));
              }),
              1);
  }
}

TEST_F(AppRegistrations, AnIdempotencyKeyReplaysTheFirstAnswer) {
  ASSERT_TRUE(create_event(event_body("replay", 5)));
  const nlohmann::json body = registrant("replay");
  const auto first = register_attendee("replay", body, "key-1");
  ASSERT_TRUE(first) << describe(first);
  EXPECT_TRUE(first->kind == app::Document::Kind::created);
  EXPECT_FALSE(first->replayed);
  const auto second = register_attendee("replay", body, "key-1");
  ASSERT_TRUE(second) << describe(second);
  EXPECT_TRUE(second->replayed);
  EXPECT_EQ(second->json, first->json);  // byte for byte, the manage token included
  EXPECT_EQ(queued(body["email"].get<std::string>(), "confirmation"), 1);

  const auto other_body = register_attendee("replay", registrant("replay-other"), "key-1");
  ASSERT_FALSE(other_body);
  EXPECT_EQ(other_body.error().type, ProblemType::idempotency_key_reused);
  // The key is scoped to the event: the same key for another event is another key.
  ASSERT_TRUE(create_event(event_body("replay-elsewhere", 5)));
  EXPECT_TRUE(register_attendee("replay-elsewhere", body, "key-1"));
  for (const std::string& bad : {std::string(), std::string(256, 'k')}) {
    const auto refused = register_attendee("replay", registrant("replay-bad"), bad);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().type, ProblemType::validation_failed);
    EXPECT_EQ(refused.error().errors.at(0).field, "Idempotency-Key");
  }
}

// Each limit on sign-ups refuses the attempt after its allowance, with how long to wait.
TEST_F(AppRegistrations, RateLimitsRefuseWithRetryAfter) {
  ASSERT_TRUE(create_event(event_body("limited", 100)));
  struct Case {
    const char* limit;
    RateLimit app::RateLimitConfig::*field;
    std::function<nlohmann::json(int)> body;     // of attempt i
    std::function<std::string(int)> client;      // of attempt i
    int allowed;                                 // attempts before the refusal
  };
  const nlohmann::json same_person = registrant("same");
  const Case cases[] = {
      {"per address", &app::RateLimitConfig::registrations_per_address,
       [](int i) { return registrant("address" + std::to_string(i)); }, [](int) { return "198.51.100.1"; }, 3},
      {"per e-mail", &app::RateLimitConfig::registrations_per_email, [&](int) { return same_person; },
       [](int i) { return "198.51.100." + std::to_string(10 + i); }, 2},
      {"per domain", &app::RateLimitConfig::registrations_per_domain,
       [](int i) { return registrant("domain", {{"email", "p" + std::to_string(i) + "@one-domain.example"}}); },
       [](int i) { return "198.51.100." + std::to_string(50 + i); }, 2},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.limit);
    app::Config limited = test_config();
    limited.rate_limits.*c.field = RateLimit{static_cast<std::uint32_t>(c.allowed), std::chrono::seconds(60)};
    const auto own = context_with(limited);
    for (int i = 0; i < c.allowed; ++i) {
      const auto result = register_attendee("limited", c.body(i), std::nullopt, c.client(i), own.get());
      EXPECT_TRUE(result || result.error().type != ProblemType::rate_limited) << i << ": " << describe(result);
    }
    const auto refused = register_attendee("limited", c.body(c.allowed), std::nullopt, c.client(c.allowed), own.get());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().type, ProblemType::rate_limited) << describe(refused);
    ASSERT_TRUE(refused.error().retry_after);
    EXPECT_GE(refused.error().retry_after->count(), 1);
    EXPECT_LE(refused.error().retry_after->count(), 60);
  }
}

// A registrant who cancels frees their seat, which goes to the first on the waitlist (told by a
// promotion); cancelling twice changes nothing more.
TEST_F(AppRegistrations, CancellingGivesTheSeatToTheWaitlist) {
  ASSERT_TRUE(create_event(event_body("cancel-seat", 1)));
  const auto seated = json_of(register_attendee("cancel-seat", registrant("seated")));
  const auto waiting = json_of(register_attendee("cancel-seat", registrant("waiting")));
  const auto later = json_of(register_attendee("cancel-seat", registrant("later")));
  ASSERT_EQ(seated["status"], "confirmed");
  ASSERT_EQ(waiting["status"], "waitlisted");
  ASSERT_EQ(later["status"], "waitlisted");

  const auto cancelled = app::cancel_registration(context, seated["manage_token"].get<std::string>());
  ASSERT_TRUE(cancelled) << describe(cancelled);
  EXPECT_EQ(json_of(cancelled)["status"], "cancelled");
  const auto read = [&](const nlohmann::json& registration) {
    return json_of(app::read_registration(context, registration["manage_token"].get<std::string>(), std::nullopt));
  };
  EXPECT_EQ(read(waiting)["status"], "confirmed");
  EXPECT_EQ(read(later)["status"], "waitlisted");
  EXPECT_EQ(queued(waiting["email"].get<std::string>(), "promotion"), 1);
  EXPECT_EQ(queued(later["email"].get<std::string>(), "promotion"), 0);
  EXPECT_EQ(queued(seated["email"].get<std::string>(), "cancellation"), 1);

  EXPECT_TRUE(app::cancel_registration(context, seated["manage_token"].get<std::string>()));
  EXPECT_EQ(queued(seated["email"].get<std::string>(), "cancellation"), 1);
  EXPECT_EQ(read(later)["status"], "waitlisted");
  const auto unknown = app::cancel_registration(context, "not-a-token");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().type, ProblemType::not_found);
}

}  // namespace
}  // namespace convene::testing
