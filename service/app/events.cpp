#include "app/events.hpp"

#include <charconv>

#include "app/organisers.hpp"
#include "convene/json_views.hpp"

namespace convene::app {
namespace {

using store::Transaction;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

Problem event_not_found(std::string_view slug) {
  return not_found("There is no event '" + std::string(slug) + "'.");
}

std::expected<TimeZone, Problem> zone_param(std::optional<std::string_view> tz, const TimeZone& fallback) {
  if (!tz) return fallback;
  if (auto zone = TimeZone::find(*tz)) return *zone;
  return std::unexpected(validation_failed({{"tz", "must be an IANA time zone name such as Asia/Kathmandu"}}));
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

// Creates the event, its seats and sessions in the caller's transaction; nullopt if the slug exists.
std::optional<Event> insert_new_event(Transaction& tx, const NewEvent& created) {
  auto id = tx.insert_event(created.event);
  if (!id) return std::nullopt;
  Event event = created.event;
  event.id = *id;
  event.version = 1;
  tx.add_seats(event.id, 1, event.capacity);
  for (const auto& session : created.sessions) event.sessions.push_back(tx.insert_session(event.id, session));
  std::stable_sort(event.sessions.begin(), event.sessions.end(),
                   [](const Session& a, const Session& b) { return a.starts_at < b.starts_at; });
  return event;
}

// Moves seats to match a new capacity: more seats go first to the waitlist; fewer seats may not
// leave confirmed registrants without one.
std::optional<Problem> resize(Transaction& tx, const Event& before, const Event& after, Instant now) {
  if (after.capacity > before.capacity) {
    tx.add_seats(after.id, before.capacity + 1, after.capacity);
    for (const auto promoted : tx.fill_seats_from_waitlist(after.id, now))
      tx.enqueue(promoted, after.id, "promotion", std::nullopt, 0, now);
  } else if (after.capacity < before.capacity) {
    const int confirmed = tx.confirmed_count(after.id);
    if (confirmed > after.capacity) {
      Problem p{409, "capacity-below-confirmed", "Capacity below confirmed registrations",
                std::to_string(confirmed) + " registrants are confirmed; cancel some before lowering the "
                "capacity to " + std::to_string(after.capacity) + "."};
      p.extensions["confirmed"] = confirmed;
      return p;
    }
    tx.shrink_seats(after.id, after.capacity);
  }
  return std::nullopt;
}

}  // namespace

std::expected<int, Problem> page_limit(std::optional<std::string_view> limit) {
  if (!limit) return kDefaultPageSize;
  int value = 0;
  auto [end, error] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
  if (error != std::errc() || end != limit->data() + limit->size() || value < 1 || value > kMaxPageSize)
    return std::unexpected(validation_failed({{"limit", "must be a whole number from 1 to 500"}}));
  return value;
}

Result list_events(Context& context, const ListQuery& query) {
  auto limit = page_limit(query.limit);
  if (!limit) return std::unexpected(limit.error());
  std::int64_t after = 0;
  if (query.cursor) {
    auto decoded = context.cursors.decode("events", *query.cursor);
    if (!decoded) return std::unexpected(bad_request("The cursor was not issued by this server."));
    after = *decoded;
  }
  const Instant now = context.clock();
  return context.store.transact([&](Transaction& tx) -> Result {
    auto events = tx.published_events(after, *limit + 1);  // one more tells whether a next page exists
    const bool more = static_cast<int>(events.size()) > *limit;
    if (more) events.pop_back();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& event : events) {
      auto viewer = zone_param(query.tz, event.zone);
      if (!viewer) return std::unexpected(viewer.error());
      items.push_back(event_json(event, *viewer, now));
    }
    nlohmann::json body{{"items", items}, {"next_cursor", nullptr}};
    if (more) body["next_cursor"] = context.cursors.encode("events", events.back().id);
    return ok_json(body);
  });
}

Result read_event(Context& context, std::string_view slug, std::optional<std::string_view> tz,
                  std::optional<std::string_view> authorization) {
  const Instant now = context.clock();
  return context.store.autocommit([&](Transaction& tx) -> Result {
    auto event = context.events.current(tx, slug);
    if (!event) return std::unexpected(event_not_found(slug));
    if (event->status == EventStatus::draft && !(authorization && authorise(tx, context.tokens, authorization, slug)))
      return std::unexpected(event_not_found(slug));
    auto viewer = zone_param(tz, event->zone);
    if (!viewer) return std::unexpected(viewer.error());
    return ok_json(event_json(*event, *viewer, now));
  });
}

Result create_event(Context& context, Authorization authorization, const nlohmann::json& body) {
  const Instant now = context.clock();
  return context.store.transact([&](Transaction& tx) -> Result {
    auto organiser = authorise(tx, context.tokens, authorization, "", Scope::any_event_creation);
    if (!organiser) return std::unexpected(organiser.error());
    auto created = parse_new_event(body);
    if (!created) return std::unexpected(validation_failed(created.error()));
    auto event = insert_new_event(tx, *created);
    if (!event) {
      return std::unexpected(Problem{409, "slug-taken", "Slug already in use",
                                     "Another event already uses the slug '" + created->event.slug + "'."});
    }
    tx.grant_event(organiser->id, event->id);
    tx.audit(event->id, organiser->id, organiser->actor(), "event.create", std::nullopt, std::nullopt, "{}");
    Reply reply{201, event_json(*event, event->zone, now).dump()};
    reply.location = context.config.base_url + "/api/v1/events/" + event->slug;
    return reply;
  });
}

Result change_event(Context& context, Authorization authorization, std::string_view slug, const nlohmann::json& body) {
  const Instant now = context.clock();
  return context.store.transact([&](Transaction& tx) -> Result {
    auto organiser = authorise(tx, context.tokens, authorization, slug);
    if (!organiser) return std::unexpected(organiser.error());
    auto found = tx.event_by_slug(slug);
    if (!found) return std::unexpected(event_not_found(slug));
    tx.lock_capacity(found->id);
    auto before = tx.event_by_slug(slug);  // re-read under the lock
    auto after = apply_event_changes(*before, body);
    if (!after) return std::unexpected(validation_failed(after.error()));
    if (auto problem = resize(tx, *before, *after, now)) return std::unexpected(*problem);
    tx.update_event(*after);
    tx.audit(after->id, organiser->id, organiser->actor(), "event.update", std::nullopt, std::nullopt, body.dump());
    context.events.forget(slug);  // other servers find out from the version check
    return ok_json(event_json(*after, after->zone, now));
  });
}

Result add_session(Context& context, Authorization authorization, std::string_view slug, const nlohmann::json& body) {
  return context.store.transact([&](Transaction& tx) -> Result {
    auto organiser = authorise(tx, context.tokens, authorization, slug);
    if (!organiser) return std::unexpected(organiser.error());
    auto event = tx.event_by_slug(slug);
    if (!event) return std::unexpected(event_not_found(slug));
    if (event->sessions.size() >= static_cast<std::size_t>(kMaxSessionsPerEvent))
      return std::unexpected(validation_failed({{"sessions", "an event has at most 100 sessions"}}));
    auto session = parse_new_session(body, event->zone, event->title);
    if (!session) return std::unexpected(validation_failed(session.error()));
    const Session stored = tx.insert_session(event->id, *session);
    tx.audit(event->id, organiser->id, organiser->actor(), "session.create", std::nullopt, stored.id, body.dump());
    context.events.forget(slug);
    Reply reply{201, session_json(stored, event->zone, event->zone).dump()};
    reply.location = context.config.base_url + "/api/v1/events/" + event->slug + "/sessions/" + std::to_string(stored.id);
    return reply;
  });
}

namespace {

// Shared by PATCH and DELETE of a session: load, change, bump the sequence when calendars must
// hear about it, store.
template <class Change>
Result update_session(Context& context, Authorization authorization, std::string_view slug,
                      std::string_view session_id, Change&& change) {
  auto id = parse_id(session_id);
  return context.store.transact([&](Transaction& tx) -> Result {
    auto organiser = authorise(tx, context.tokens, authorization, slug);
    if (!organiser) return std::unexpected(organiser.error());
    auto event = tx.event_by_slug(slug);
    if (!event) return std::unexpected(event_not_found(slug));
    auto current = std::find_if(event->sessions.begin(), event->sessions.end(),
                                [&](const Session& s) { return id && s.id == *id; });
    if (current == event->sessions.end())
      return std::unexpected(not_found("Event '" + std::string(slug) + "' has no session " + std::string(session_id) + "."));
    std::expected<Session, FieldErrors> next = change(*current);
    if (!next) return std::unexpected(validation_failed(next.error()));
    if (needs_new_sequence(*current, *next)) {
      next->sequence = current->sequence + 1;
      tx.record_session_change({next->id, "organiser", current->starts_at, next->starts_at, current->status,
                                next->status, tzdb_version(), next->sequence});
      // Everyone with the session in their calendar gets the new version, in this transaction.
      tx.enqueue_for_active_registrants(event->id, next->status == SessionStatus::cancelled ? "cancellation" : "update",
                                        next->id, next->sequence, context.clock());
    }
    tx.update_session(event->id, *next);
    tx.audit(event->id, organiser->id, organiser->actor(),
             next->status == SessionStatus::cancelled && current->status != SessionStatus::cancelled ? "session.cancel"
                                                                                                    : "session.update",
             std::nullopt, next->id,
             nlohmann::json{{"starts_at", format_instant(next->starts_at)}, {"sequence", next->sequence}}.dump());
    context.events.forget(slug);
    return ok_json(session_json(*next, event->zone, event->zone));
  });
}

}  // namespace

Result change_session(Context& context, Authorization authorization, std::string_view slug,
                      std::string_view session_id, const nlohmann::json& body) {
  return update_session(context, authorization, slug, session_id,
                        [&](const Session& current) { return apply_session_changes(current, body); });
}

Result cancel_session(Context& context, Authorization authorization, std::string_view slug, std::string_view session_id) {
  return update_session(context, authorization, slug, session_id,
                        [](const Session& current) -> std::expected<Session, FieldErrors> {
                          Session next = current;
                          next.status = SessionStatus::cancelled;
                          return next;
                        });
}

bool ensure_event(store::Store& store, const nlohmann::json& body) {
  auto created = parse_new_event(body);
  if (!created) {
    std::string message = "invalid event:";
    for (const auto& e : created.error()) message += " " + e.field + " " + e.message + ";";
    throw std::invalid_argument(message);
  }
  return store.transact([&](Transaction& tx) { return insert_new_event(tx, *created).has_value(); });
}

}  // namespace convene::app
