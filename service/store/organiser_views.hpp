// What organisers see of an event: the roster, its CSV export, statistics and the deliveries of the
// outbox.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "convene/event.hpp"
#include "convene/outbox.hpp"
#include "convene/registration.hpp"
#include "store/store.hpp"

namespace convene::store::organiser_views {

// A registration as organisers see it on the roster.
struct RosterEntry {
  Registration registration;
  std::optional<Instant> checked_in_at;
  std::optional<Instant> first_joined_at;
  std::optional<Instant> last_joined_at;
};

struct RosterFilter {
  std::optional<RegistrationStatus> status;
  std::optional<std::string> country;
  // Found literally (`%` and `_` are plain characters) within the name, the e-mail or the
  // organisation, ignoring case and accents (convene_fold); never across two of them.
  std::optional<std::string> text;
  std::optional<bool> attended;             // confirmed registrants who came (true) or did not (false)
  std::optional<std::string> answers_contain;  // JSON the answers must contain (answer_filter)
};
// Registrations (erased ones left out) with id > after_id, in id order.
std::vector<RosterEntry> roster_page(Tx& tx, std::int64_t event_id, const RosterFilter& filter, std::int64_t after_id,
                                     int limit);
// One registration of the event (not erased); `for_update` locks it.
std::optional<RosterEntry> roster_entry(Tx& tx, std::int64_t event_id, std::int64_t registration_id, bool for_update);

// The CSV export's columns, in order: its header row and the names the statement gives them.
// `attended` is true or false for confirmed registrants (joined through their link or checked in),
// empty for the others; `answers` is the answers' JSON (the export spreads it into a column per
// question).
inline constexpr std::array<std::string_view, 16> kExportColumns = {
    "id",           "status",        "email",           "name",           "organisation", "country",
    "timezone",     "language",      "registered_at",   "updated_at",     "cancelled_at", "checked_in_at",
    "first_joined_at", "last_joined_at", "attended",    "answers"};
// A page of the export: each row's cells as text, formatted in the database next to the data.
struct ExportPage {
  std::vector<std::array<std::string, kExportColumns.size()>> rows;
  std::int64_t last_id = 0;  // where the next page starts
};
ExportPage export_page(Tx& tx, std::int64_t event_id, std::int64_t after_id, int limit);

struct Stats {
  std::map<std::string, int> by_status, by_country, by_timezone;
  int seats_left = 0, waitlist_length = 0, checked_in = 0, overbooked = 0;
  int attended = 0;  // confirmed registrants who joined or were checked in
  int invited_not_registered = 0;  // invitations not used yet
  std::map<std::string, int> confirmed_by_country, attended_by_country;
};
// Counts by status over everyone ever registered (erased people too: counts are kept); by country
// and zone over those still active.
Stats stats(Tx& tx, std::int64_t event_id);

// Registrants confirmed, waitlisted or pending, counted per zone name as stored, in name order.
std::vector<std::pair<std::string, int>> audience_by_zone(Tx& tx, std::int64_t event_id);

struct Delivery {
  std::int64_t id;
  std::optional<std::int64_t> registration_id;  // a message to a registrant
  std::optional<std::int64_t> invitation_id;    // an invitation (or its reminder) to an invitee
  std::string kind;
  std::optional<std::int64_t> session_id;
  DeliveryStatus status;
  int attempts;
  Instant due_at;
  std::optional<Instant> sent_at;
  std::optional<std::string> last_error;
};
// The event's outbox with id > after_id; `status` pending includes messages being sent right now.
std::vector<Delivery> deliveries_page(Tx& tx, std::int64_t event_id, std::optional<DeliveryStatus> status,
                                      std::optional<MessageKind> kind, std::int64_t after_id, int limit);

// The events an organiser may manage (drafts included), with their figures: every event for
// `all_events`, else those granted to the organiser `organiser_id`, or to any live token of
// `email` when one is given (a browser session).
struct ManagedEvent {
  Event event;
  int confirmed = 0, waitlisted = 0, pending = 0, cancelled = 0;
};
std::vector<ManagedEvent> managed_events(Tx& tx, std::int64_t organiser_id, std::optional<std::string> email,
                                         bool all_events);

// Registrations in the whole database by status (for /metrics).
std::map<std::string, long> registrations_by_status(Tx& tx);

}  // namespace convene::store::organiser_views
