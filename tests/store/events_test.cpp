// store/events.hpp against a real PostgreSQL: events and sessions written and read back, and the
// version every change raises (registrations are checked against it).
#include <gtest/gtest.h>

#include "store/events.hpp"
#include "support/store_suite.hpp"

namespace convene::testing {
namespace {

namespace events = store::events;
using std::chrono::minutes;

const Instant kNow = utc_instant(2030, 1, 1, 9);

// A wall-clock reading: midnight of that day.
WallTime wall(int year, unsigned month, unsigned day) {
  return WallTime{utc_instant(year, month, day).time_since_epoch()};
}

NewSession new_session(const std::string& title, const char* zone_name, WallTime starts_local, Instant starts_at) {
  return {title, {starts_local, *TimeZone::find(zone_name), Disambiguation::later, minutes(90)}, starts_at};
}

using StoreEvents = StoreSuite<"convene_st_events">;

TEST_F(StoreEvents, AnEventReadsBackAsItWasWrittenAndItsSlugIsTakenOnce) {
  Event wanted = event_named("round-trip", 12);
  wanted.title = "Round trip — ñ";
  wanted.description = "Line one\nLine two";
  wanted.zone = *TimeZone::find("Asia/Kathmandu");
  wanted.registration_opens_at = kNow;
  wanted.registration_closes = utc_instant(2030, 2, 1);
  wanted.requires_approval = true;
  wanted.join_url = "https://meet.example.org/x";
  wanted.organiser_email = "host@example.org";
  wanted.reminder_offsets = {*IsoDuration::parse("P1D"), *IsoDuration::parse("PT15M")};
  wanted.status = EventStatus::draft;
  const auto read = store->transact([&](store::Tx& tx) {
    const auto id = events::insert(tx, wanted);
    EXPECT_TRUE(id);
    EXPECT_FALSE(events::insert(tx, wanted)) << "the slug was taken twice";
    return events::by_slug(tx, "round-trip");
  });
  ASSERT_TRUE(read);
  EXPECT_GT(read->id, 0);
  EXPECT_EQ(read->version, 1);
  EXPECT_EQ(read->title, wanted.title);
  EXPECT_EQ(read->description, wanted.description);
  EXPECT_EQ(read->zone.name(), "Asia/Kathmandu");
  EXPECT_EQ(read->capacity, 12);
  EXPECT_EQ(read->registration_opens_at, kNow);
  EXPECT_EQ(read->registration_closes, wanted.registration_closes);
  EXPECT_TRUE(read->requires_approval);
  EXPECT_EQ(read->join_url, wanted.join_url);
  EXPECT_EQ(read->organiser_name, std::nullopt);
  EXPECT_EQ(read->organiser_email, wanted.organiser_email);
  ASSERT_EQ(read->reminder_offsets.size(), 2u);
  EXPECT_EQ(read->reminder_offsets[0].text(), "P1D");
  EXPECT_EQ(read->reminder_offsets[1].text(), "PT15M");
  EXPECT_EQ(read->status, EventStatus::draft);
  EXPECT_TRUE(read->sessions.empty());
  EXPECT_FALSE(store->transact([&](store::Tx& tx) { return events::by_slug(tx, "no-such-event"); }));
}

TEST_F(StoreEvents, EveryChangeRaisesTheVersion) {
  store->transact([&](store::Tx& tx) {
    Event event = insert_event(tx, event_named("versions", 3));
    EXPECT_EQ(events::version(tx, "versions"), 1);
    event.title = "Renamed";
    event.registration_closes = ClosesWhenLastSessionStarts{};
    events::update(tx, event);
    EXPECT_EQ(events::version(tx, "versions"), 2);
    const auto read = events::by_id(tx, event.id);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->title, "Renamed");
    EXPECT_EQ(read->registration_closes, RegistrationCloses{ClosesWhenLastSessionStarts{}});

    // Sessions: added in any order, read in start order, each change raising the event's version.
    const Session later = events::insert_session(
        tx, event.id, new_session("Later", "America/New_York", wall(2031, 1, 1), utc_instant(2031, 1, 1, 5)));
    EXPECT_FALSE(later.uid.empty());
    EXPECT_EQ(events::version(tx, "versions"), 3);
    const Session earlier =
        events::insert_session(tx, event.id, new_session("Earlier", "UTC", wall(2030, 6, 1), utc_instant(2030, 6, 1)));
    EXPECT_NE(earlier.uid, later.uid);
    EXPECT_EQ(events::version(tx, "versions"), 4);
    Session moved = later;
    moved.starts_at = utc_instant(2031, 1, 2, 5);
    moved.sequence = 1;
    moved.status = SessionStatus::cancelled;
    events::update_session(tx, event.id, moved);
    EXPECT_EQ(events::version(tx, "versions"), 5);
    const auto with_sessions = events::by_slug(tx, "versions");
    ASSERT_TRUE(with_sessions);
    EXPECT_EQ(with_sessions->version, 5);
    ASSERT_EQ(with_sessions->sessions.size(), 2u);
    EXPECT_EQ(with_sessions->sessions[0].title, "Earlier");
    EXPECT_EQ(with_sessions->sessions[1].uid, later.uid);
    EXPECT_EQ(with_sessions->sessions[1].starts_at, utc_instant(2031, 1, 2, 5));
    EXPECT_EQ(with_sessions->sessions[1].sequence, 1);
    EXPECT_EQ(with_sessions->sessions[1].status, SessionStatus::cancelled);
    EXPECT_EQ(with_sessions->sessions[1].time.zone.name(), "America/New_York");
    EXPECT_EQ(with_sessions->sessions[1].time.duration, minutes(90));
    EXPECT_EQ(with_sessions->sessions[1].time.disambiguation, Disambiguation::later);
    const auto versions = events::versions(tx, {event.id, 999999});
    EXPECT_EQ(versions, (std::map<std::int64_t, std::int64_t>{{event.id, 5}}));
  });
}

TEST_F(StoreEvents, ListedEventsArePublishedOnesInIdOrder) {
  store->transact([&](store::Tx& tx) {
    const std::pair<const char*, EventStatus> made[] = {{"list-1", EventStatus::published},
                                                        {"list-draft", EventStatus::draft},
                                                        {"list-2", EventStatus::published},
                                                        {"list-gone", EventStatus::cancelled},
                                                        {"list-3", EventStatus::published}};
    std::vector<std::int64_t> published;
    for (const auto& [slug, status] : made) {
      Event event = event_named(slug, 1);
      event.status = status;
      const Event stored = insert_event(tx, event);
      if (status == EventStatus::published) published.push_back(stored.id);
    }
    const auto ids_after = [&](std::int64_t after, int limit) {
      std::vector<std::int64_t> ids;
      for (const auto& e : events::listed(tx, after, limit))
        if (e.slug.rfind("list-", 0) == 0) ids.push_back(e.id);
      return ids;
    };
    EXPECT_EQ(ids_after(published[0] - 1, 100), published);
    EXPECT_EQ(ids_after(published[0] - 1, 2), (std::vector<std::int64_t>{published[0], published[1]}));
    EXPECT_EQ(ids_after(published[1], 100), (std::vector<std::int64_t>{published[2]}));
  });
}

}  // namespace
}  // namespace convene::testing
