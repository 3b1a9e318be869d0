// The use cases of events and of organisers' moderation (app/events.hpp, app/roster.hpp) on a real
// PostgreSQL, without HTTP.
#include <gtest/gtest.h>

#include <set>

#include "app/events.hpp"
#include "app/roster.hpp"
#include "support/store_suite.hpp"

namespace convene::testing {
namespace {

class AppEvents : public AppSuite<"convene_app_events"> {
 protected:
  nlohmann::json registered(const std::string& slug, const std::string& tag) {
    const auto result = register_attendee(slug, registrant(tag));
    EXPECT_TRUE(result) << describe(result);
    return json_of(result);
  }
  long long queued(std::int64_t registration_id, const std::string& kind) {
    return store->autocommit([&](store::Tx& tx) {
      return scalar(tx, "SELECT count(*) FROM outbox WHERE registration_id = $1 AND kind = $2", registration_id, kind);
    });
  }
};

// A draft is seen only with a token that has rights on it; to anyone else there is no such event.
TEST_F(AppEvents, ReadingADraftNeedsRightsOnIt) {
  ASSERT_TRUE(create_event(event_body("draft-read", 5, {{"status", "draft"}})));
  ASSERT_TRUE(create_event(event_body("other-read", 5)));
  const std::string other = app::add_organiser(*store, "other@example.org", std::string_view("other-read"));
  const std::string own = app::add_organiser(*store, "own@example.org", std::string_view("draft-read"));
  struct Case {
    const char* who;
    app::OrganiserCredentials credentials;
    bool sees_it;
  };
  const Case cases[] = {
      {"the public", app::OrganiserCredentials{}, false},
      {"a token of another event", app::OrganiserCredentials{other, std::nullopt}, false},
      {"a token nobody has", app::OrganiserCredentials{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", std::nullopt}, false},
      {"a token of this event", app::OrganiserCredentials{own, std::nullopt}, true},
      {"a token of every event", admin(), true},
  };
  for (const auto& c : cases) {
    const auto read = app::read_event(context, "draft-read", std::nullopt, c.credentials);
    EXPECT_EQ(static_cast<bool>(read), c.sees_it) << c.who << ": " << describe(read);
    if (!read) {
      EXPECT_EQ(read.error().type, ProblemType::not_found) << c.who;
    } else {
      EXPECT_EQ(json_of(read)["status"], "draft");
    }
  }
  EXPECT_TRUE(app::read_event(context, "other-read", std::nullopt, app::OrganiserCredentials{}));
  const auto bad_zone = app::read_event(context, "other-read", "Not/AZone", app::OrganiserCredentials{});
  ASSERT_FALSE(bad_zone);
  EXPECT_EQ(bad_zone.error().type, ProblemType::validation_failed);
}

// Published events, a page at a time, each page's cursor leading to the next; never a draft.
TEST_F(AppEvents, ListingPagesThroughPublishedEvents) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(create_event(event_body("listed-" + std::to_string(i), 1)));
  ASSERT_TRUE(create_event(event_body("listed-draft", 1, {{"status", "draft"}})));
  std::set<std::string> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    const auto page = app::list_events(
        context, {cursor ? std::optional<std::string_view>(*cursor) : std::nullopt, "2", std::nullopt});
    ASSERT_TRUE(page) << describe(page);
    const auto body = json_of(page);
    EXPECT_LE(body["items"].size(), 2u);
    for (const auto& item : body["items"]) EXPECT_TRUE(seen.insert(item["slug"]).second) << item["slug"];
    cursor = body["next_cursor"].is_null() ? std::nullopt : std::optional(body["next_cursor"].get<std::string>());
    ASSERT_LT(++pages, 100);
  } while (cursor);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(seen.contains("listed-" + std::to_string(i)));
  EXPECT_FALSE(seen.contains("listed-draft"));
  EXPECT_EQ(pages, static_cast<int>((seen.size() + 1) / 2));

  struct Refused {
    const char* what;
    std::optional<std::string> cursor, limit;
    ProblemType type;
  };
  const Refused refused[] = {
      {"a cursor of another list", context.cursors.encode("roster:listed-0", 1), std::nullopt,
       ProblemType::bad_request},
      {"a cursor of no list", "MTIzLmFiYw", std::nullopt, ProblemType::bad_request},
      {"no rows", std::nullopt, "0", ProblemType::validation_failed},
      {"too many rows", std::nullopt, "501", ProblemType::validation_failed},
      {"not a number", std::nullopt, "ten", ProblemType::validation_failed},
  };
  for (const auto& r : refused) {
    const auto result = app::list_events(context, {r.cursor ? std::optional<std::string_view>(*r.cursor) : std::nullopt,
                                                   r.limit ? std::optional<std::string_view>(*r.limit) : std::nullopt,
                                                   std::nullopt});
    ASSERT_FALSE(result) << r.what;
    EXPECT_EQ(result.error().type, r.type) << r.what;
  }
}

TEST_F(AppEvents, CapacityCannotGoBelowTheConfirmed) {
  ASSERT_TRUE(create_event(event_body("shrinking", 3)));
  for (const char* tag : {"shrink-a", "shrink-b"}) registered("shrinking", tag);
  const auto lowered = app::change_event(context, admin(), "shrinking", {{"capacity", 1}});
  ASSERT_FALSE(lowered);
  EXPECT_EQ(lowered.error().type, ProblemType::capacity_below_confirmed);
  EXPECT_EQ(lowered.error().extensions["confirmed"], 2);
  const auto to_two = app::change_event(context, admin(), "shrinking", {{"capacity", 2}});
  ASSERT_TRUE(to_two) << describe(to_two);
  EXPECT_EQ(json_of(to_two)["capacity"], 2);
  const auto stats = json_of(app::event_statistics(context, admin(), "shrinking"));
  EXPECT_EQ(stats["seats_left"], 0) << stats;
}

// Confirming a waitlisted registrant takes a seat; with none free, only when told to go beyond the
// capacity.
TEST_F(AppEvents, ConfirmingBeyondCapacityNeedsOverride) {
  ASSERT_TRUE(create_event(event_body("moderate-full", 1)));
  registered("moderate-full", "mod-seated");
  const auto waiting = registered("moderate-full", "mod-waiting");
  ASSERT_EQ(waiting["status"], "waitlisted");
  const std::string id = std::to_string(waiting["id"].get<std::int64_t>());

  const auto refused = app::moderate(context, admin(), "moderate-full", id, {{"status", "confirmed"}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().type, ProblemType::capacity_reached);
  EXPECT_EQ(refused.error().extensions["capacity"], 1);
  EXPECT_EQ(queued(waiting["id"].get<std::int64_t>(), "promotion"), 0);

  const auto confirmed =
      app::moderate(context, admin(), "moderate-full", id, {{"status", "confirmed"}, {"override_capacity", true}});
  ASSERT_TRUE(confirmed) << describe(confirmed);
  EXPECT_EQ(json_of(confirmed)["status"], "confirmed");
  EXPECT_EQ(queued(waiting["id"].get<std::int64_t>(), "promotion"), 1);
  const auto stats = json_of(app::event_statistics(context, admin(), "moderate-full"));
  EXPECT_EQ(stats["overbooked"], 1) << stats;

  for (const auto& [body, type] : {std::pair{nlohmann::json{{"status", "waitlisted"}}, ProblemType::validation_failed},
                                   std::pair{nlohmann::json{{"checked_in", "yes"}}, ProblemType::validation_failed}}) {
    const auto bad = app::moderate(context, admin(), "moderate-full", id, body);
    ASSERT_FALSE(bad) << body;
    EXPECT_EQ(bad.error().type, type) << body;
  }
  const auto nobody = app::moderate(context, admin(), "moderate-full", "999999", {{"checked_in", true}});
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().type, ProblemType::not_found);
}

}  // namespace
}  // namespace convene::testing
