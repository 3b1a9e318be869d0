// The sequence floor on a real PostgreSQL (sql/015_sequence_floor.sql, store/sequence_floor.hpp,
// app/restore_floor.hpp): every event read carries it, raising it raises every event's version (so
// cached copies go), the invite served and the messages mailed add it, and the outbox's keys do not:
// reminders and updates planned before a raise are neither planned again nor taken for obsolete.
//
// What a restore does to the database is played here by writing back the values it would restore (a
// session's sequence); tests/drills/restore.py does the real point-in-time recovery.
#include <gtest/gtest.h>

#include <mutex>
#include <regex>
#include <set>
#include <tuple>

#include "app/calendars.hpp"
#include "app/events.hpp"
#include "app/restore_floor.hpp"
#include "app/worker.hpp"
#include "convene/crypto.hpp"
#include "convene/sequence_floor.hpp"
#include "store/events.hpp"
#include "store/outbox.hpp"
#include "support/store_suite.hpp"

namespace convene::testing {
namespace {

// Every message handed to it, accepted at once.
class KeepingMailer : public mail::Mailer {
 public:
  void deliver(const std::vector<mail::Envelope>& envelopes, const mail::DeliveryReport& report,
               const std::function<bool()>&) override {
    std::vector<std::pair<std::size_t, mail::Delivery>> outcomes;
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < envelopes.size(); ++i) {
      kept_.push_back(envelopes[i]);
      outcomes.push_back({i, {mail::Delivery::delivered, "kept"}});
    }
    report(outcomes);
  }
  std::string describe() const override { return "memory"; }
  std::vector<mail::Envelope> kept() {
    std::lock_guard lock(mutex_);
    return kept_;
  }

 private:
  std::mutex mutex_;
  std::vector<mail::Envelope> kept_;
};

// The SEQUENCE values of the calendar attached to a rendered message (base64 in the MIME text).
std::vector<int> mailed_sequences(const std::string& mime) {
  const std::size_t part = mime.find("Content-Type: text/calendar");
  if (part == std::string::npos) return {};
  const std::size_t body = mime.find("\r\n\r\n", part) + 4;
  const std::size_t end = mime.find("--", body);
  std::string text;
  for (char c : mime.substr(body, end - body)) {
    if (c == '+') text += '-';
    else if (c == '/') text += '_';
    else if (c != '\r' && c != '\n' && c != '=') text += c;
  }
  const auto calendar = from_base64url(text);
  if (!calendar) return {};
  std::vector<int> found;
  const std::regex sequence("\r\nSEQUENCE:(\\d+)\r\n");
  for (auto it = std::sregex_iterator(calendar->begin(), calendar->end(), sequence); it != std::sregex_iterator(); ++it)
    found.push_back(std::stoi((*it)[1]));
  return found;
}

bool mailed_to(const mail::Envelope& envelope, const std::string& email, const std::string& kind) {
  return envelope.to.email == email && envelope.mime.find("X-Convene-Kind: " + kind + "\r\n") != std::string::npos;
}

class StoreSequenceFloor : public AppSuite<"convene_st_sequence_floor"> {
 protected:
  std::optional<Event> read(const std::string& slug) {
    return store->autocommit([&](store::Tx& tx) { return store::events::by_slug(tx, slug); });
  }

  // The invite GET /api/v1/registrations/{token}/invite.ics serves through `in`.
  std::string invite(app::Context& in, const std::string& manage_token) {
    const auto document = app::registrant_invite_document(in, manage_token, std::nullopt);
    EXPECT_TRUE(document.has_value());
    if (!document || !document->body) return {};
    return *document->body;
  }
  static std::vector<int> sequences(const std::string& document) {
    std::vector<int> found;
    const std::regex sequence("\r\nSEQUENCE:(\\d+)\r\n");
    for (auto it = std::sregex_iterator(document.begin(), document.end(), sequence); it != std::sregex_iterator(); ++it)
      found.push_back(std::stoi((*it)[1]));
    return found;
  }

  // The outbox's keys of an event's messages.
  using Key = std::tuple<std::int64_t, std::string, std::int64_t, int, int>;
  std::set<Key> outbox_keys(std::int64_t event_id) {
    return store->autocommit([&](store::Tx& tx) {
      std::set<Key> keys;
      for (const auto& row : store::sql(tx).exec_params(
               "SELECT registration_id, kind, coalesce(session_id, 0), offset_seconds, sequence FROM outbox "
               "WHERE event_id = $1",
               event_id))
        keys.insert({row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<std::int64_t>(), row[3].as<int>(),
                     row[4].as<int>()});
      return keys;
    });
  }

  nlohmann::json registered(const std::string& slug, const std::string& tag) {
    const auto result = register_attendee(slug, registrant(tag));
    EXPECT_TRUE(result) << describe(result);
    return json_of(result);
  }
};

TEST_F(StoreSequenceFloor, EveryEventReadCarriesItAndARaiseRaisesEveryEventsVersion) {
  ASSERT_TRUE(create_event(event_body("floor-read-a", 5)));
  ASSERT_TRUE(create_event(event_body("floor-read-b", 5)));
  const Event a = *read("floor-read-a"), b = *read("floor-read-b");
  EXPECT_EQ(a.sequence_floor, b.sequence_floor);

  const auto raised = app::raise_sequence_floor(*store, now);
  EXPECT_EQ(raised.before, a.sequence_floor);
  EXPECT_EQ(raised.after, raised_sequence_floor(raised.before, now));
  EXPECT_GT(raised.after, raised.before);
  const Event a2 = *read("floor-read-a"), b2 = *read("floor-read-b");
  EXPECT_EQ(a2.sequence_floor, raised.after);
  EXPECT_EQ(b2.sequence_floor, raised.after);
  EXPECT_EQ(a2.version, a.version + 1);
  EXPECT_EQ(b2.version, b.version + 1);
  EXPECT_EQ(a2.sessions.size(), a.sessions.size());

  // Twice in the same minute: still higher, by one.
  const auto again = app::raise_sequence_floor(*store, now);
  EXPECT_EQ(again.before, raised.after);
  EXPECT_EQ(again.after, raised.after + 1);
  EXPECT_EQ(read("floor-read-a")->sequence_floor, again.after);
  store->autocommit([&](store::Tx& tx) {
    EXPECT_EQ(scalar(tx, "SELECT count(*) FROM sequence_floor"), 1);
    EXPECT_EQ(scalar(tx, "SELECT floor FROM sequence_floor WHERE raised_at IS NOT NULL"), again.after);
  });
}

// A registrant is mailed the update of a session move (SEQUENCE n + 1); the database goes back to
// before the move (SEQUENCE n again, below what they hold). After the raise, what the same context
// serves (its cached copy of the event is stale by version) is above what was mailed.
TEST_F(StoreSequenceFloor, AfterARestoreAndARaiseTheInviteIsAboveWhatWasMailed) {
  ASSERT_TRUE(create_event(event_body("floor-invite", 5, {{"sessions", {{{"starts_local", "2030-03-01T10:00"},
                                                                          {"duration_minutes", 60}}}}})));
  const std::string token = registered("floor-invite", "floor-invite")["manage_token"];
  const Event created = *read("floor-invite");
  const std::string session_id = std::to_string(created.sessions.at(0).id);
  const int floor = created.sequence_floor;
  EXPECT_EQ(sequences(invite(context, token)), std::vector<int>{floor});

  const auto moved = app::change_session(context, admin(), "floor-invite", session_id, {{"starts_local", "2030-03-02T10:00"}});
  ASSERT_TRUE(moved) << describe(moved);
  const int mailed = sequences(invite(context, token)).at(0);
  EXPECT_EQ(mailed, floor + 1);

  // The restore: the session's sequence (and the event's version) as they were before the move.
  store->autocommit([&](store::Tx& tx) {
    store::sql(tx).exec_params("UPDATE sessions SET sequence = 0 WHERE id = $1", created.sessions.at(0).id);
    store::sql(tx).exec_params("UPDATE events SET version = $1 WHERE id = $2", created.version, created.id);
  });
  auto restarted = context_with(config);  // a server started on the restored database
  EXPECT_LT(sequences(invite(*restarted, token)).at(0), mailed);  // what the floor is for

  now += std::chrono::minutes(30);  // a restore takes a while (raises within one minute: see the unit test)
  const auto raised = app::raise_sequence_floor(*store, now);
  const int served = sequences(invite(*restarted, token)).at(0);
  EXPECT_GT(served, mailed);
  EXPECT_EQ(served, raised.after);
  // And the next move is above that again.
  ASSERT_TRUE(app::change_session(*restarted, admin(), "floor-invite", session_id, {{"starts_local", "2030-03-03T10:00"}}));
  EXPECT_EQ(sequences(invite(*restarted, token)).at(0), raised.after + 1);
}

// Reminders and updates planned before a raise are sent after it with the raised SEQUENCE: none is
// planned a second time, none is skipped as obsolete, and their keys keep the raw sequence.
TEST_F(StoreSequenceFloor, ARaisePlansNothingTwiceAndWhatIsMailedAddsTheFloor) {
  // The session starts on 2030-02-01 at 10:00; its reminder (a day before) falls due on 31 January.
  ASSERT_TRUE(create_event(event_body("floor-outbox", 5, {{"reminder_offsets", {"P1D"}},
                                                          {"sessions", {{{"starts_local", "2030-02-01T10:00"},
                                                                         {"duration_minutes", 60}}}}})));
  std::vector<std::string> emails;
  for (int i = 0; i < 3; ++i) emails.push_back(registered("floor-outbox", "floor-outbox-" + std::to_string(i))["email"]);
  const Event created = *read("floor-outbox");
  ASSERT_TRUE(app::change_session(context, admin(), "floor-outbox", std::to_string(created.sessions.at(0).id),
                                  {{"duration_minutes", 90}}));  // sequence 1: an update to each
  now = utc_instant(2030, 1, 31, 11);
  const int planned = store->transact([&](store::Tx& tx) { return store::outbox::plan_reminders(tx, now); });
  EXPECT_GE(planned, 3);
  const auto keys_before = outbox_keys(created.id);
  std::map<std::string, int> by_kind;
  for (const auto& key : keys_before) ++by_kind[std::get<1>(key)];
  EXPECT_EQ(by_kind["update"], 3);
  EXPECT_EQ(by_kind["reminder"], 3);
  for (const auto& key : keys_before) EXPECT_LE(std::get<4>(key), 1);  // raw sequences

  const auto raised = app::raise_sequence_floor(*store, now);
  EXPECT_EQ(store->transact([&](store::Tx& tx) { return store::outbox::plan_reminders(tx, now); }), 0);
  EXPECT_EQ(store->transact([&](store::Tx& tx) {
              return store::outbox::enqueue_for_active_registrants(tx, created.id, MessageKind::update,
                                                                   created.sessions.at(0).id, 1, now);
            }),
            0);
  EXPECT_EQ(outbox_keys(created.id), keys_before);

  // A worker delivers what was planned (every due message of the database: other cases' too).
  KeepingMailer mailer;
  app::WorkerOptions options = app::worker_options(config);
  options.name = "floor-test";
  app::Worker worker(context, mailer, options);
  while (worker.run_once() > 0) {
  }
  EXPECT_EQ(outbox_keys(created.id), keys_before);  // its planning added nothing either
  const auto kept = mailer.kept();
  for (const auto& email : emails) {
    SCOPED_TRACE(email);
    for (const std::string kind : {"update", "reminder"}) {
      int found = 0;
      for (const auto& envelope : kept) {
        if (!mailed_to(envelope, email, kind)) continue;
        ++found;
        EXPECT_EQ(mailed_sequences(envelope.mime), std::vector<int>{raised.after + 1}) << kind;
      }
      EXPECT_EQ(found, 1) << kind;
    }
  }
  store->autocommit([&](store::Tx& tx) {
    EXPECT_EQ(scalar(tx, "SELECT count(*) FROM outbox WHERE event_id = $1 AND kind IN ('update', 'reminder') "
                         "AND status = 'sent'",
                     created.id),
              6);
  });
}

}  // namespace
}  // namespace convene::testing
