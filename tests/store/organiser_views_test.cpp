// store/organiser_views.hpp and store/audit.hpp against a real PostgreSQL: what organisers see of an
// event (roster, export, statistics, deliveries, audit log).
#include <gtest/gtest.h>

#include "store/audit.hpp"
#include "store/organiser_views.hpp"
#include "store/registrations.hpp"
#include "store/search.hpp"
#include "store/seats.hpp"
#include "support/store_suite.hpp"

namespace convene::testing {
namespace {

namespace views = store::organiser_views;
using store::registrations::Waitlisting;

const Instant kNow = utc_instant(2030, 1, 1, 9);

class StoreOrganiserViews : public StoreSuite<"convene_st_organiser_views"> {
 protected:
  // An event of two seats: José (confirmed, Spain), Plain (confirmed, Nepal, checked in), Wait
  // (waitlisted, Nepal), Gone (cancelled) and Erased (cancelled, erased).
  struct People {
    Event event;
    std::int64_t jose, plain, wait, gone, erased;
  };
  People people(store::Tx& tx, const std::string& slug) {
    People p{insert_event(tx, event_named(slug, 3))};
    const auto add = [&](const std::string& local_part, const std::string& name, const nlohmann::json& more) {
      nlohmann::json fields = more;
      fields["name"] = name;
      return insert_registration(tx, p.event, local_part + "@" + slug + ".example", kNow, Waitlisting::allowed, fields)
          .id;
    };
    p.jose = add("jose", "José Núñez", {{"organisation", "Ministerio de Economía"}, {"country", "ES"}});
    p.plain = add("plain", "Plain Person", {{"country", "NP"}, {"timezone", "Asia/Kathmandu"}});
    p.gone = add("gone", "Gone Person", {{"country", "NP"}});
    p.wait = add("wait", "Wait Person", {{"country", "NP"}, {"timezone", "Asia/Kathmandu"}});
    p.erased = add("erased", "Erased Person", {{"country", "FR"}});
    store::seats::release(tx, p.gone, RegistrationStatus::cancelled, kNow);  // before the waitlist: a seat frees
    store::seats::release(tx, p.erased, RegistrationStatus::cancelled, kNow);
    store::registrations::erase(tx, p.erased, kNow);
    store::seats::claim_waiting(tx, p.event.id, p.wait, kNow);  // takes the seat Gone left
    store::registrations::set_checked_in(tx, p.plain, kNow, kNow);
    return p;
  }
};

TEST_F(StoreOrganiserViews, TheRosterFiltersByStatusCountryAndFoldedText) {
  store->transact([&](store::Tx& tx) {
    const auto p = people(tx, "roster-filters");
    struct Case {
      const char* what;
      views::RosterFilter filter;
      std::vector<std::int64_t> expected;
    };
    const Case cases[] = {
        {"everyone not erased", {}, {p.jose, p.plain, p.gone, p.wait}},
        {"confirmed", {RegistrationStatus::confirmed}, {p.jose, p.plain, p.wait}},
        {"cancelled", {RegistrationStatus::cancelled}, {p.gone}},
        {"from Nepal", {std::nullopt, "NP"}, {p.plain, p.gone, p.wait}},
        {"name without accents or case", {std::nullopt, std::nullopt, "JOSE NUNEZ"}, {p.jose}},
        {"organisation", {std::nullopt, std::nullopt, "economia"}, {p.jose}},
        {"e-mail", {std::nullopt, std::nullopt, "PLAIN@"}, {p.plain}},
        {"confirmed from Nepal named Person", {RegistrationStatus::confirmed, "NP", "person"}, {p.plain, p.wait}},
        {"the erased are not found", {std::nullopt, std::nullopt, "erased"}, {}},
    };
    for (const auto& c : cases) {
      std::vector<std::int64_t> ids;
      for (const auto& entry : views::roster_page(tx, p.event.id, c.filter, 0, 100))
        ids.push_back(entry.registration.id);
      EXPECT_EQ(ids, c.expected) << c.what;
    }
    // Pages: after an id, at most `limit`.
    const auto page = views::roster_page(tx, p.event.id, {}, p.jose, 2);
    ASSERT_EQ(page.size(), 2u);
    EXPECT_EQ(page[0].registration.id, p.plain);
    EXPECT_EQ(page[0].checked_in_at, kNow);
    EXPECT_EQ(page[1].registration.id, p.gone);
    EXPECT_FALSE(views::roster_entry(tx, p.event.id, p.erased, false));
    EXPECT_TRUE(views::roster_entry(tx, p.event.id, p.wait, true));
  });
}

// The search looks within each of the name, e-mail and organisation, which convene_search_text holds
// one after the other (sql/016_search_after_commit.sql): never across two of them, whatever the
// query holds; and the same whether the registration is only noted for the index or indexed.
TEST_F(StoreOrganiserViews, TheSearchFindsTextWithinOneFieldNeverAcrossTwo) {
  store->transact([&](store::Tx& tx) {
    const Event event = insert_event(tx, event_named("search-fields", 10));
    const auto add = [&](const std::string& email, const std::string& name, const nlohmann::json& organisation) {
      return insert_registration(tx, event, email, kNow, Waitlisting::allowed,
                                 {{"name", name}, {"organisation", organisation}})
          .id;
    };
    const auto ana = add("maria@search-fields.example", "Ana", "Luz Ltd");
    const auto ines = add("ines@search-fields.example", "Inés Ñandú 50%_off\\", nullptr);
    const auto found = [&](const std::string& text) {
      std::vector<std::int64_t> ids;
      for (const auto& entry : views::roster_page(tx, event.id, {std::nullopt, std::nullopt, text}, 0, 100))
        ids.push_back(entry.registration.id);
      return ids;
    };
    const auto noted = [&] {
      return scalar(tx, "SELECT count(*) FROM registration_search_backlog WHERE registration_id IN ($1, $2)", ana,
                    ines);
    };
    const std::vector<std::int64_t> none, just_ana{ana}, just_ines{ines};
    const auto expect_the_fields_found_alone = [&](const std::string& when) {
      SCOPED_TRACE(when);
      // Within one field, whatever its case and accents.
      EXPECT_EQ(found("ANA"), just_ana);
      EXPECT_EQ(found("Mária@"), just_ana);
      EXPECT_EQ(found("luz ltd"), just_ana);
      EXPECT_EQ(found("ines nandu"), just_ines);
      EXPECT_EQ(found("INÉS ÑANDÚ"), just_ines);
      EXPECT_EQ(found("50%_off\\"), just_ines);  // LIKE's characters are plain ones
      EXPECT_EQ(found("50%\\"), none);
      // Never across two: name and e-mail, e-mail and organisation, however the query is spelled.
      for (const std::string text : {"anamaria", "ana maria", "ana\nmaria", "a\nm", "\n", "example\nluz",
                                     "example luz", "ana%maria", "ana_maria"})
        EXPECT_EQ(found(text), none) << text;
    };
    EXPECT_EQ(noted(), 2);
    expect_the_fields_found_alone("noted, folded by the search");
    while (store::search::index_backlog(tx, 1000) > 0) {
    }
    EXPECT_EQ(noted(), 0);
    expect_the_fields_found_alone("indexed");

    // A change of name is noted again; until it is indexed, the indexed text (the old name) is not
    // what the search matches.
    auto changed = *store::registrations::by_ids(tx, {ana}).begin();
    changed.name = "Beatriz";
    store::registrations::update_details(tx, changed, kNow);
    EXPECT_EQ(noted(), 1);
    EXPECT_EQ(found("ana"), none);
    EXPECT_EQ(found("beatriz"), just_ana);
    store::search::index_backlog(tx, 1000);
    EXPECT_EQ(found("ana"), none);
    EXPECT_EQ(found("beatriz"), just_ana);
    // An erasure leaves nothing of the person in the index, from its own transaction on.
    const auto indexed = [&] { return scalar(tx, "SELECT count(*) FROM registration_search WHERE registration_id = $1", ana); };
    ASSERT_EQ(indexed(), 1);
    store::registrations::erase(tx, ana, kNow);
    EXPECT_EQ(indexed(), 0);
    store::search::index_backlog(tx, 1000);
    EXPECT_EQ(indexed(), 0);
    EXPECT_EQ(noted(), 0);
  });
}

// The index is written from one snapshot: a change whose transaction has not committed when the
// worker indexes keeps its note, and its new text is found at once, and indexed the next time.
TEST_F(StoreOrganiserViews, AChangeCommittedWhileTheIndexIsWrittenKeepsItsNote) {
  const auto [event_id, id] = store->transact([&](store::Tx& tx) {
    const Event event = insert_event(tx, event_named("search-snapshot", 10));
    return std::pair{event.id, insert_registration(tx, event, "person@search-snapshot.example", kNow,
                                                   Waitlisting::allowed, {{"name", "Ana"}})
                                   .id};
  });
  const auto found = [&](const std::string& text) {
    return store->transact([&](store::Tx& tx) {
      return views::roster_page(tx, event_id, {std::nullopt, std::nullopt, text}, 0, 10).size();
    });
  };
  pqxx::connection changer = connect();
  pqxx::work change(changer);
  change.exec_params("UPDATE registrations SET name = 'Beatriz' WHERE id = $1", id);
  // The worker's round, while the change is not committed: it indexes "Ana" and takes only the note
  // it could see, the registration's first.
  const int taken = store->autocommit([&](store::Tx& tx) { return store::search::index_backlog(tx, 100000); });
  EXPECT_GE(taken, 1);
  change.commit();
  EXPECT_EQ(store->transact([&](store::Tx& tx) {
              return scalar(tx, "SELECT count(*) FROM registration_search_backlog WHERE registration_id = $1", id);
            }),
            1);
  EXPECT_EQ(found("beatriz"), 1u);
  EXPECT_EQ(found("ana"), 0u);
  store->autocommit([&](store::Tx& tx) { return store::search::index_backlog(tx, 100000); });
  EXPECT_EQ(store->transact([&](store::Tx& tx) {
              return scalar(tx, "SELECT count(*) FROM registration_search WHERE registration_id = $1 AND "
                                "search_text LIKE 'beatriz%'",
                            id);
            }),
            1);
  EXPECT_EQ(found("beatriz"), 1u);
  EXPECT_EQ(found("ana"), 0u);
}

// The export's cells come from the statement's columns by the names of kExportColumns: the
// statement names exactly those, in that order.
TEST_F(StoreOrganiserViews, TheExportHasTheColumnsOfItsHeaderRow) {
  const auto event_id = store->transact([&](store::Tx& tx) { return people(tx, "export-columns").event.id; });
  pqxx::connection connection = connect();
  connection.prepare("export_page_as_the_store_has_it", *store::statement_sql("export_page"));
  pqxx::read_transaction tx(connection);
  const auto result = tx.exec_prepared("export_page_as_the_store_has_it", event_id, 0, 100);
  ASSERT_EQ(static_cast<std::size_t>(result.columns()), views::kExportColumns.size());
  for (std::size_t i = 0; i < views::kExportColumns.size(); ++i)
    EXPECT_EQ(result.column_name(static_cast<pqxx::row::size_type>(i)), views::kExportColumns[i]) << "column " << i;

  const auto page = store->transact([&](store::Tx& tx) { return views::export_page(tx, event_id, 0, 100); });
  ASSERT_EQ(page.rows.size(), 4u);  // not the erased one
  const auto& jose = page.rows[0];
  const auto cell = [&](const auto& row, std::string_view column) {
    const auto at = std::find(views::kExportColumns.begin(), views::kExportColumns.end(), column);
    return row[static_cast<std::size_t>(at - views::kExportColumns.begin())];
  };
  EXPECT_EQ(cell(jose, "status"), "confirmed");
  EXPECT_EQ(cell(jose, "name"), "José Núñez");
  EXPECT_EQ(cell(jose, "organisation"), "Ministerio de Economía");
  EXPECT_EQ(cell(jose, "country"), "ES");
  EXPECT_EQ(cell(jose, "registered_at"), "2030-01-01T09:00:00Z");
  EXPECT_EQ(cell(jose, "cancelled_at"), "");
  EXPECT_EQ(cell(jose, "answers"), "");
  EXPECT_EQ(cell(page.rows[1], "checked_in_at"), "2030-01-01T09:00:00Z");
  EXPECT_EQ(cell(page.rows[1], "organisation"), "");
  EXPECT_EQ(cell(page.rows[2], "cancelled_at"), "2030-01-01T09:00:00Z");
  EXPECT_EQ(page.last_id, std::stoll(cell(page.rows[3], "id")));
  EXPECT_TRUE(store->transact([&](store::Tx& tx) { return views::export_page(tx, event_id, page.last_id, 100); })
                  .rows.empty());
}

TEST_F(StoreOrganiserViews, StatisticsCountWhatTheRowsHold) {
  store->transact([&](store::Tx& tx) {
    const auto p = people(tx, "stats");
    // Someone confirmed beyond the capacity of 3.
    const auto extra = insert_registration(tx, p.event, "extra@stats.example", kNow, Waitlisting::allowed,
                                           {{"country", "ES"}});
    ASSERT_EQ(extra.status, RegistrationStatus::waitlisted);
    store::seats::take_extra(tx, p.event.id, extra.id, kNow);
    const auto stats = views::stats(tx, p.event.id);
    EXPECT_EQ(stats.by_status, (std::map<std::string, int>{{"confirmed", 4}, {"cancelled", 2}}));
    EXPECT_EQ(stats.by_country, (std::map<std::string, int>{{"ES", 2}, {"NP", 2}}));  // active ones only
    EXPECT_EQ(stats.by_timezone, (std::map<std::string, int>{{"Asia/Kathmandu", 2}, {"UTC", 2}}));
    EXPECT_EQ(stats.seats_left, 0);
    EXPECT_EQ(stats.waitlist_length, 0);
    EXPECT_EQ(stats.checked_in, 1);
    EXPECT_EQ(stats.overbooked, 1);
  });
}

TEST_F(StoreOrganiserViews, DeliveriesAndTheAuditLogArePagedByEvent) {
  store->transact([&](store::Tx& tx) {
    const auto p = people(tx, "deliveries");
    // One confirmation per registration, each queued in the registration's statement.
    const auto all = views::deliveries_page(tx, p.event.id, std::nullopt, std::nullopt, 0, 100);
    EXPECT_EQ(all.size(), 5u);
    // The erased registration's message was skipped: 4 still to send.
    const auto pending =
        views::deliveries_page(tx, p.event.id, DeliveryStatus::pending, MessageKind::confirmation, 0, 100);
    EXPECT_EQ(pending.size(), 4u);
    EXPECT_TRUE(views::deliveries_page(tx, p.event.id, DeliveryStatus::sent, std::nullopt, 0, 100).empty());
    EXPECT_EQ(views::deliveries_page(tx, p.event.id, std::nullopt, std::nullopt, all[0].id, 2).size(), 2u);

    using store::audit::Action;
    store::audit::write(tx, {std::nullopt, "registrant"}, {p.event.id, Action::registration_status, p.gone});
    store::audit::write(tx, {std::nullopt, "system"},
                        {p.event.id, Action::registration_erase, p.erased, std::nullopt, R"({"why":"test"})"});
    const auto entries = store::audit::page(tx, p.event.id, 0, 100);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].action, "registration.status");
    EXPECT_EQ(entries[0].actor, "registrant");
    EXPECT_EQ(entries[0].registration_id, p.gone);
    EXPECT_EQ(entries[1].action, "registration.erase");
    EXPECT_EQ(nlohmann::json::parse(entries[1].details)["why"], "test");
    EXPECT_EQ(store::audit::page(tx, p.event.id, entries[0].id, 100).size(), 1u);
  });
}

}  // namespace
}  // namespace convene::testing
