#include "app/roster.hpp"

#include <charconv>

#include "app/events.hpp"
#include "app/secrets.hpp"
#include "convene/csv.hpp"
#include "convene/json_views.hpp"
#include "convene/messages.hpp"

namespace convene::app {
namespace {

using store::Transaction;

constexpr int kCsvPageRows = 5000;

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

Problem event_not_found(std::string_view slug) { return not_found("There is no event '" + std::string(slug) + "'."); }

// An organiser's event: authorised, and loaded.
struct OrganiserEvent {
  Organiser organiser;
  Event event;
};
std::expected<OrganiserEvent, Problem> organiser_event(Context& context, Transaction& tx, Authorization authorization,
                                                       std::string_view slug) {
  auto organiser = authorise(tx, context.tokens, authorization, slug);
  if (!organiser) return std::unexpected(organiser.error());
  auto event = tx.event_by_slug(slug);
  if (!event) return std::unexpected(event_not_found(slug));
  return OrganiserEvent{*organiser, *std::move(event)};
}

nlohmann::json roster_json(const store::RosterEntry& entry, const Event& event) {
  nlohmann::json out = registration_json(entry.registration, event, entry.registration.zone, std::nullopt);
  out.erase("sessions");  // the roster is about people; times are on the event
  out.erase("event_title");
  out["checked_in"] = entry.checked_in_at.has_value();
  const auto instant_or_null = [](const std::optional<Instant>& at) {
    return at ? nlohmann::json(format_instant(*at)) : nlohmann::json(nullptr);
  };
  out["checked_in_at"] = instant_or_null(entry.checked_in_at);
  out["first_joined_at"] = instant_or_null(entry.first_joined_at);
  out["last_joined_at"] = instant_or_null(entry.last_joined_at);
  return out;
}

// ?cursor= for list `list`: 0 when absent; nullopt (a 400) when this server did not issue it.
std::expected<std::int64_t, Problem> cursor_position(Context& context, std::string_view list,
                                                      std::optional<std::string_view> cursor) {
  if (!cursor) return 0;
  if (auto position = context.cursors.decode(list, *cursor)) return *position;
  return std::unexpected(bad_request("The cursor was not issued by this server for this list."));
}

}  // namespace

Result roster(Context& context, Authorization authorization, std::string_view slug, const RosterQuery& query) {
  auto limit = page_limit(query.limit);
  if (!limit) return std::unexpected(limit.error());
  store::RosterFilter filter;
  FieldErrors errors;
  if (query.status) {
    filter.status = parse_registration_status(*query.status);
    if (!filter.status) errors.push_back({"status", "must be confirmed, waitlisted, pending, cancelled or rejected"});
  }
  if (query.country) {
    if (auto country = CountryCode::parse(*query.country)) filter.country = std::string(country->code());
    else errors.push_back({"country", "must be an assigned ISO 3166-1 alpha-2 code such as NP"});
  }
  if (query.q && !query.q->empty()) filter.like_pattern = like_contains(*query.q);
  if (!errors.empty()) return std::unexpected(validation_failed(std::move(errors)));
  const std::string list = "roster:" + std::string(slug);
  auto after = cursor_position(context, list, query.cursor);
  if (!after) return std::unexpected(after.error());

  return context.store.autocommit([&](Transaction& tx) -> Result {
    auto found = organiser_event(context, tx, authorization, slug);
    if (!found) return std::unexpected(found.error());
    auto entries = tx.roster_page(found->event.id, filter, *after, *limit + 1);
    const bool more = static_cast<int>(entries.size()) > *limit;
    if (more) entries.pop_back();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& entry : entries) items.push_back(roster_json(entry, found->event));
    nlohmann::json body{{"items", items}, {"next_cursor", nullptr}};
    if (more) body["next_cursor"] = context.cursors.encode(list, entries.back().registration.id);
    return ok_json(body);
  });
}

std::expected<CsvExport, Problem> csv_export(Context& context, Authorization authorization, std::string_view slug) {
  auto found = context.store.autocommit([&](Transaction& tx) { return organiser_event(context, tx, authorization, slug); });
  if (!found) return std::unexpected(found.error());
  return CsvExport(context, found->event.id, found->event.slug + "-registrations.csv");
}

std::optional<std::string> CsvExport::next() {
  if (done_) return std::nullopt;
  std::string out;
  if (!header_written_) {
    // A byte-order mark: spreadsheet programs otherwise read UTF-8 names as Latin-1.
    out = "\xEF\xBB\xBF";
    append_csv_row(out, {"id", "status", "email", "name", "organisation", "country", "timezone", "language",
                         "registered_at", "updated_at", "cancelled_at", "checked_in_at", "first_joined_at",
                         "last_joined_at", "answers"});
    header_written_ = true;
  }
  // Keyset pages, each a statement of its own: no transaction is held open while a slow client reads.
  const auto rows = context_->store.autocommit(
      [&](Transaction& tx) { return tx.export_page(event_id_, after_id_, kCsvPageRows, after_id_); });
  out.reserve(out.size() + rows.size() * 200);
  std::vector<std::string_view> fields;
  for (const auto& row : rows) {
    fields.assign(row.begin(), row.end());
    append_csv_row(out, fields);
  }
  if (static_cast<int>(rows.size()) < kCsvPageRows) done_ = true;
  return out;
}

Result event_statistics(Context& context, Authorization authorization, std::string_view slug) {
  return context.store.autocommit([&](Transaction& tx) -> Result {
    auto found = organiser_event(context, tx, authorization, slug);
    if (!found) return std::unexpected(found.error());
    const store::EventStats stats = tx.event_stats(found->event.id);
    nlohmann::json by_status = nlohmann::json::object();
    for (auto status : {RegistrationStatus::confirmed, RegistrationStatus::waitlisted, RegistrationStatus::pending,
                        RegistrationStatus::cancelled, RegistrationStatus::rejected}) {
      auto it = stats.by_status.find(std::string(to_string(status)));
      by_status[std::string(to_string(status))] = it == stats.by_status.end() ? 0 : it->second;
    }
    nlohmann::json by_country = nlohmann::json::object();
    for (const auto& [country, n] : stats.by_country) by_country[country.empty() ? "unknown" : country] = n;
    return ok_json({{"by_status", by_status},
                    {"by_country", by_country},
                    {"by_timezone", stats.by_timezone},
                    {"capacity", found->event.capacity},
                    {"seats_left", stats.seats_left},
                    {"waitlist_length", stats.waitlist_length},
                    {"checked_in", stats.checked_in},
                    {"overbooked", stats.overbooked}});
  });
}

Result deliveries(Context& context, Authorization authorization, std::string_view slug, const DeliveriesQuery& query) {
  auto limit = page_limit(query.limit);
  if (!limit) return std::unexpected(limit.error());
  FieldErrors errors;
  if (query.status && *query.status != "pending" && *query.status != "sent" && *query.status != "failed" &&
      *query.status != "skipped")
    errors.push_back({"status", "must be pending, sent, failed or skipped"});
  if (query.kind && !parse_message_kind(*query.kind))
    errors.push_back({"kind", "must be confirmation, promotion, reminder, update, cancellation or rejection"});
  if (!errors.empty()) return std::unexpected(validation_failed(std::move(errors)));
  const std::string list = "deliveries:" + std::string(slug);
  auto after = cursor_position(context, list, query.cursor);
  if (!after) return std::unexpected(after.error());
  return context.store.autocommit([&](Transaction& tx) -> Result {
    auto found = organiser_event(context, tx, authorization, slug);
    if (!found) return std::unexpected(found.error());
    auto rows = tx.deliveries_page(found->event.id, query.status, query.kind, *after, *limit + 1);
    const bool more = static_cast<int>(rows.size()) > *limit;
    if (more) rows.pop_back();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& d : rows) {
      // "sending" (claimed by a worker right now) is, to an organiser, still pending.
      items.push_back({{"id", d.id},
                       {"registration_id", d.registration_id},
                       {"kind", d.kind},
                       {"session_id", d.session_id ? nlohmann::json(*d.session_id) : nlohmann::json(nullptr)},
                       {"status", d.status == "sending" ? "pending" : d.status},
                       {"in_progress", d.status == "sending"},
                       {"attempts", d.attempts},
                       {"due_at", format_instant(d.due_at)},
                       {"sent_at", d.sent_at ? nlohmann::json(format_instant(*d.sent_at)) : nlohmann::json(nullptr)},
                       {"last_error", d.last_error ? nlohmann::json(*d.last_error) : nlohmann::json(nullptr)}});
    }
    nlohmann::json body{{"items", items}, {"next_cursor", nullptr}};
    if (more) body["next_cursor"] = context.cursors.encode(list, rows.back().id);
    return ok_json(body);
  });
}

Result audit_log(Context& context, Authorization authorization, std::string_view slug, const PageQuery& query) {
  auto limit = page_limit(query.limit);
  if (!limit) return std::unexpected(limit.error());
  const std::string list = "audit:" + std::string(slug);
  auto after = cursor_position(context, list, query.cursor);
  if (!after) return std::unexpected(after.error());
  return context.store.autocommit([&](Transaction& tx) -> Result {
    auto found = organiser_event(context, tx, authorization, slug);
    if (!found) return std::unexpected(found.error());
    auto entries = tx.audit_page(found->event.id, *after, *limit + 1);
    const bool more = static_cast<int>(entries.size()) > *limit;
    if (more) entries.pop_back();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& a : entries) {
      items.push_back({{"id", a.id},
                       {"actor", a.actor},
                       {"action", a.action},
                       {"registration_id", a.registration_id ? nlohmann::json(*a.registration_id) : nlohmann::json(nullptr)},
                       {"session_id", a.session_id ? nlohmann::json(*a.session_id) : nlohmann::json(nullptr)},
                       {"details", nlohmann::json::parse(a.details)},
                       {"at", format_instant(a.at)}});
    }
    nlohmann::json body{{"items", items}, {"next_cursor", nullptr}};
    if (more) body["next_cursor"] = context.cursors.encode(list, entries.back().id);
    return ok_json(body);
  });
}

namespace {

// Ends or reinstates a registration under the event's capacity lock, with its message and the
// promotions a freed seat causes. Returns a problem when no seat can be had.
std::optional<Problem> change_status(Transaction& tx, const Event& event, const Registration& current,
                                     RegistrationStatus wanted, bool override_capacity, Instant now) {
  const RegistrationStatus was = current.status;
  if (wanted == was) return std::nullopt;
  if (wanted == RegistrationStatus::confirmed) {
    if (!tx.claim_seat_waiting(event.id, current.id, now)) {
      if (!override_capacity) {
        Problem p{409, "capacity-reached", "No seat is free",
                  "Every seat is taken. Send \"override_capacity\": true to confirm this registrant beyond the "
                  "capacity, or raise the capacity."};
        p.extensions["capacity"] = event.capacity;
        return p;
      }
      tx.take_extra_seat(event.id, current.id, now);
    }
    if (was == RegistrationStatus::waitlisted) {
      tx.enqueue(current.id, event.id, "promotion", std::nullopt, 0, now);
    } else {
      // Approved, or reinstated after a cancellation: a confirmation, and an invite newer than any
      // cancellation the calendar holds.
      if (was == RegistrationStatus::cancelled || was == RegistrationStatus::rejected) tx.bump_invite_sequence(current.id);
      tx.enqueue(current.id, event.id, "confirmation", std::nullopt, tx.next_confirmation_sequence(current.id), now);
    }
    return std::nullopt;
  }
  // Cancelled or rejected: the seat, if any, goes to the waitlist.
  if (tx.end_registration(current.id, wanted, now)) {
    for (const auto promoted : tx.fill_seats_from_waitlist(event.id, now))
      tx.enqueue(promoted, event.id, "promotion", std::nullopt, 0, now);
  }
  tx.enqueue(current.id, event.id, wanted == RegistrationStatus::rejected ? "rejection" : "cancellation",
             std::nullopt, current.invite_sequence + 1, now);
  return std::nullopt;
}

}  // namespace

Result moderate(Context& context, Authorization authorization, std::string_view slug, std::string_view id_text,
                const nlohmann::json& body) {
  if (!body.is_object()) return std::unexpected(validation_failed({{"body", "must be a JSON object"}}));
  FieldErrors errors;
  std::optional<RegistrationStatus> wanted;
  if (body.contains("status")) {
    if (body["status"].is_string()) wanted = parse_registration_status(body["status"].get<std::string>());
    if (!wanted || *wanted == RegistrationStatus::waitlisted || *wanted == RegistrationStatus::pending) {
      errors.push_back({"status", "must be confirmed, rejected or cancelled"});
      wanted.reset();
    }
  }
  std::optional<bool> checked_in;
  if (body.contains("checked_in")) {
    if (body["checked_in"].is_boolean()) checked_in = body["checked_in"].get<bool>();
    else errors.push_back({"checked_in", "must be true or false"});
  }
  bool override_capacity = false;
  if (body.contains("override_capacity")) {
    if (body["override_capacity"].is_boolean()) override_capacity = body["override_capacity"].get<bool>();
    else errors.push_back({"override_capacity", "must be true or false"});
  }
  if (!errors.empty()) return std::unexpected(validation_failed(std::move(errors)));
  const auto id = parse_id(id_text);
  const Instant now = context.clock();

  return context.store.transact([&](Transaction& tx) -> Result {
    auto found = organiser_event(context, tx, authorization, slug);
    if (!found) return std::unexpected(found.error());
    const Event& event = found->event;
    if (!id) return std::unexpected(not_found("Event '" + std::string(slug) + "' has no registration " + std::string(id_text) + "."));
    tx.lock_capacity(event.id);  // seats move only under the event's lock, taken before the row's
    auto entry = tx.roster_entry(event.id, *id, true);
    if (!entry) return std::unexpected(not_found("Event '" + std::string(slug) + "' has no registration " + std::string(id_text) + "."));
    const std::string actor = found->organiser.actor();
    if (wanted && *wanted != entry->registration.status) {
      if (auto problem = change_status(tx, event, entry->registration, *wanted, override_capacity, now))
        return std::unexpected(*problem);
      tx.audit(event.id, found->organiser.id, actor, "registration.status", *id, std::nullopt,
               nlohmann::json{{"from", to_string(entry->registration.status)}, {"to", to_string(*wanted)},
                              {"override_capacity", override_capacity}}
                   .dump());
    }
    if (checked_in && *checked_in != entry->checked_in_at.has_value()) {
      tx.set_checked_in(*id, *checked_in ? std::optional(now) : std::nullopt);
      tx.audit(event.id, found->organiser.id, actor, *checked_in ? "registration.check_in" : "registration.check_in_undone",
               *id, std::nullopt, "{}");
    }
    auto after = tx.roster_entry(event.id, *id, false);
    return ok_json(roster_json(*after, event));
  });
}

namespace {

// Cancels (if active) and erases, writing who did it to the audit log.
void erase(Transaction& tx, const Event& event, const Registration& registration, std::optional<std::int64_t> organiser_id,
           const std::string& actor, Instant now) {
  const bool active = registration.status == RegistrationStatus::confirmed ||
                      registration.status == RegistrationStatus::waitlisted ||
                      registration.status == RegistrationStatus::pending;
  if (active && tx.end_registration(registration.id, RegistrationStatus::cancelled, now)) {
    for (const auto promoted : tx.fill_seats_from_waitlist(event.id, now))
      tx.enqueue(promoted, event.id, "promotion", std::nullopt, 0, now);
  }
  tx.erase_registration(registration.id, now);
  tx.audit(event.id, organiser_id, actor, "registration.erase", registration.id, std::nullopt, "{}");
}

}  // namespace

Result erase_by_organiser(Context& context, Authorization authorization, std::string_view slug, std::string_view id_text) {
  const auto id = parse_id(id_text);
  const Instant now = context.clock();
  return context.store.transact([&](Transaction& tx) -> Result {
    auto found = organiser_event(context, tx, authorization, slug);
    if (!found) return std::unexpected(found.error());
    if (!id) return std::unexpected(not_found("Event '" + std::string(slug) + "' has no registration " + std::string(id_text) + "."));
    tx.lock_capacity(found->event.id);
    auto entry = tx.roster_entry(found->event.id, *id, true);
    if (!entry) return std::unexpected(not_found("Event '" + std::string(slug) + "' has no registration " + std::string(id_text) + "."));
    erase(tx, found->event, entry->registration, found->organiser.id, found->organiser.actor(), now);
    return ok_json({{"id", *id}, {"erased", true}});
  });
}

Result erase_by_registrant(Context& context, std::string_view manage_token) {
  const Problem unknown = not_found("No registration has this manage token. Check the link from your confirmation.");
  if (!context.tokens.may_exist(manage_token)) return std::unexpected(unknown);
  const Instant now = context.clock();
  return context.store.transact([&](Transaction& tx) -> Result {
    auto found = tx.registration_by_token_hash(sha256(manage_token), false);
    if (!found) return std::unexpected(unknown);
    tx.lock_capacity(found->event_id);
    auto registration = tx.registration_by_token_hash(sha256(manage_token), true);
    auto event = tx.event_by_id(found->event_id);
    if (!registration || !event) return std::unexpected(unknown);
    erase(tx, *event, *registration, std::nullopt, "registrant", now);
    return ok_json({{"id", registration->id}, {"erased", true}});
  });
}

}  // namespace convene::app
