#include "app/events.hpp"

#include <algorithm>

#include "app/access.hpp"
#include "app/paging.hpp"
#include "app/problems.hpp"
#include "app/seat_moves.hpp"
#include "convene/json_views.hpp"
#include "convene/text.hpp"
#include "convene/time_conversion.hpp"
#include "store/events.hpp"
#include "store/organisers.hpp"
#include "store/outbox.hpp"
#include "store/seats.hpp"

namespace convene::app {
namespace {

Result<TimeZone> viewer_zone(std::optional<std::string_view> tz, const TimeZone& fallback) {
  if (!tz) return fallback;
  if (auto zone = TimeZone::find(*tz)) return *zone;
  return std::unexpected(problems::invalid_zone("tz"));
}

// Creates the event, its seats and sessions in the caller's transaction; nullopt if the slug exists.
std::optional<Event> insert_new_event(store::Tx& tx, const NewEvent& created) {
  auto id = store::events::insert(tx, created.event);
  if (!id) return std::nullopt;
  Event event = created.event;
  event.id = *id;
  event.version = 1;
  store::seats::add(tx, event.id, 1, event.capacity);
  for (const auto& session : created.sessions) event.sessions.push_back(store::events::insert_session(tx, event.id, session));
  std::stable_sort(event.sessions.begin(), event.sessions.end(),
                   [](const Session& a, const Session& b) { return a.starts_at < b.starts_at; });
  return event;
}

// Moves seats to match a new capacity: more seats go first to the waitlist; fewer seats may not
// leave confirmed registrants without one.
std::optional<Problem> resize(store::Tx& tx, const Event& before, const Event& after, Instant now) {
  if (after.capacity > before.capacity) {
    store::seats::add(tx, after.id, before.capacity + 1, after.capacity);
    fill_seats_from_waitlist(tx, after.id, now);
  } else if (after.capacity < before.capacity) {
    const int confirmed = store::seats::confirmed_count(tx, after.id);
    if (confirmed > after.capacity) return problems::capacity_below_confirmed(confirmed, after.capacity);
    store::seats::shrink(tx, after.id, after.capacity);
  }
  return std::nullopt;
}

// Stores a session's new state. When calendars must hear of it (its time, length or status changed),
// its sequence rises and every active registrant is sent the new version (an update, or a
// cancellation), in this transaction; the change is kept in session_changes and the audit log.
void store_session_change(store::Tx& tx, const Event& event, const Session& current, Session& next,
                          const store::audit::Actor& actor, Instant now) {
  const bool cancelled_now = next.status == SessionStatus::cancelled && current.status != SessionStatus::cancelled;
  if (needs_new_sequence(current, next)) {
    next.sequence = current.sequence + 1;
    store::events::record_session_change(tx, {next.id, SessionChangeReason::organiser, current.starts_at, next.starts_at,
                                              current.status, next.status, tzdb_version(), next.sequence});
    store::outbox::enqueue_for_active_registrants(
        tx, event.id, next.status == SessionStatus::cancelled ? MessageKind::cancellation : MessageKind::update,
        next.id, next.sequence, now);
  }
  store::events::update_session(tx, event.id, next);
  store::audit::write(
      tx, actor,
      {event.id, cancelled_now ? store::audit::Action::session_cancel : store::audit::Action::session_update,
       std::nullopt, next.id,
       nlohmann::json{{"starts_at", format_instant(next.starts_at)}, {"sequence", next.sequence}}.dump()});
}

// A session request's starts_local that its zone skips or repeats, as the "wall_time" member of a
// 422 (as /time/convert gives it, naming `field`), so that a form can explain both readings.
std::optional<nlohmann::json> wall_time_of(const nlohmann::json& session, const TimeZone& default_zone,
                                           const std::string& field) {
  if (!session.is_object() || !session.contains("starts_local") || !session["starts_local"].is_string())
    return std::nullopt;
  const auto wall = parse_wall_time(session["starts_local"].get<std::string>());
  const auto named = session.contains("timezone") && session["timezone"].is_string()
                         ? TimeZone::find(session["timezone"].get<std::string>())
                         : std::optional(default_zone);
  if (!wall || !named) return std::nullopt;
  const auto instant = to_instant(*wall, *named, Disambiguation::reject);
  if (instant) return std::nullopt;
  return wall_time_problem(field, instant.error(), *wall, *named).extensions["wall_time"];
}

// The 422 for a session, with "wall_time" when its start is skipped or repeated.
Problem session_problem(FieldErrors errors, const nlohmann::json& body, const TimeZone& default_zone) {
  Problem problem = validation_failed(std::move(errors));
  if (auto wall_time = wall_time_of(body, default_zone, "starts_local")) problem.extensions["wall_time"] = *wall_time;
  return problem;
}

// The 422 for a new event: the first of its sessions whose start is skipped or repeated gets "wall_time".
Problem new_event_problem(FieldErrors errors, const nlohmann::json& body) {
  Problem problem = validation_failed(std::move(errors));
  if (!body.is_object() || !body.contains("sessions") || !body["sessions"].is_array()) return problem;
  const auto zone = body.contains("timezone") && body["timezone"].is_string()
                        ? TimeZone::find(body["timezone"].get<std::string>())
                        : std::nullopt;
  if (!zone) return problem;
  const auto& sessions = body["sessions"];
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    if (auto wall_time = wall_time_of(sessions[i], *zone, "sessions[" + std::to_string(i) + "].starts_local")) {
      problem.extensions["wall_time"] = *wall_time;
      break;
    }
  }
  return problem;
}

std::string event_location(const Context& context, const Event& event) {
  return context.config.base_url + "/api/v1/events/" + event.slug;
}

}  // namespace

Result<> list_events(Context& context, const ListQuery& query) {
  auto page = page_request(context, "events", query.limit, query.cursor);
  if (!page) return std::unexpected(page.error());
  const Instant now = context.clock();
  return context.store.transact([&](store::Tx& tx) -> Result<> {
    auto events = store::events::listed(tx, page->after, page->rows_to_read());
    for (const auto& event : events) {
      if (auto viewer = viewer_zone(query.tz, event.zone); !viewer) return std::unexpected(viewer.error());
    }
    return document(page_json(
        context, *page, std::move(events), [](const Event& e) { return e.id; },
        [&](const Event& e) { return event_json(e, *viewer_zone(query.tz, e.zone), now); }));
  });
}

Result<> read_event(Context& context, std::string_view slug, std::optional<std::string_view> tz,
                    const OrganiserCredentials& credentials) {
  const Instant now = context.clock();
  return context.store.autocommit([&](store::Tx& tx) -> Result<> {
    auto event = context.events.current(tx, slug);
    if (!event) return std::unexpected(problems::event_not_found(slug));
    // Its organisers see drafts, and the meeting link and address nobody else is shown.
    const bool by_organiser = credentials.present() && authorise(tx, context, credentials, slug).has_value();
    if (!is_public(event->status) && !by_organiser) return std::unexpected(problems::event_not_found(slug));
    auto viewer = viewer_zone(tz, event->zone);
    if (!viewer) return std::unexpected(viewer.error());
    return document(by_organiser ? organiser_event_json(*event, *viewer, now) : event_json(*event, *viewer, now));
  });
}

std::vector<Event> listed_events(Context& context, int limit) {
  return context.store.autocommit([&](store::Tx& tx) { return store::events::listed(tx, 0, limit); });
}

EventCache::Snapshot public_event(Context& context, std::string_view slug) {
  auto event = context.store.autocommit([&](store::Tx& tx) { return context.events.current(tx, slug); });
  return event && is_public(event->status) ? event : nullptr;
}

Result<> create_event(Context& context, const OrganiserCredentials& credentials, const nlohmann::json& body) {
  const Instant now = context.clock();
  return context.store.transact([&](store::Tx& tx) -> Result<> {
    auto organiser = authorise(tx, context, credentials, "", Scope::any_event_creation);
    if (!organiser) return std::unexpected(organiser.error());
    auto requested = parse_new_event(body);
    if (!requested) return std::unexpected(new_event_problem(requested.error(), body));
    auto event = insert_new_event(tx, *requested);
    if (!event) return std::unexpected(problems::slug_taken(requested->event.slug));
    store::organisers::grant(tx, organiser->id, event->id);
    store::audit::write(tx, organiser->actor(), {event->id, store::audit::Action::event_create});
    return created(organiser_event_json(*event, event->zone, now), event_location(context, *event));
  });
}

Result<> change_event(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                      const nlohmann::json& body) {
  const Instant now = context.clock();
  return context.store.transact([&](store::Tx& tx) -> Result<> {
    auto found = organiser_event(tx, context, credentials, slug);
    if (!found) return std::unexpected(found.error());
    store::seats::lock_capacity(tx, found->event.id);
    auto before = store::events::by_slug(tx, slug);  // read again under the lock
    auto after = apply_event_changes(*before, body, now);
    if (!after) return std::unexpected(validation_failed(after.error()));
    if (auto problem = resize(tx, *before, *after, now)) return std::unexpected(*problem);
    store::events::update(tx, *after);
    // Cancelling the event cancels every session still on: each registrant is told, and their
    // calendars drop it.
    if (after->status == EventStatus::cancelled && before->status != EventStatus::cancelled) {
      for (const Session& session : before->sessions) {
        if (session.status != SessionStatus::scheduled) continue;
        Session cancelled = session;
        cancelled.status = SessionStatus::cancelled;
        store_session_change(tx, *after, session, cancelled, found->organiser.actor(), now);
        std::replace_if(after->sessions.begin(), after->sessions.end(),
                        [&](const Session& s) { return s.id == session.id; }, cancelled);
      }
    }
    store::audit::write(tx, found->organiser.actor(),
                        {after->id, store::audit::Action::event_update, std::nullopt, std::nullopt, body.dump()});
    context.events.forget(slug);  // other servers hear of it from the database (NOTIFY)
    return document(organiser_event_json(*after, after->zone, now));
  });
}

Result<> add_session(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                     const nlohmann::json& body) {
  return context.store.transact([&](store::Tx& tx) -> Result<> {
    auto found = organiser_event(tx, context, credentials, slug);
    if (!found) return std::unexpected(found.error());
    const Event& event = found->event;
    if (event.sessions.size() >= static_cast<std::size_t>(kMaxSessionsPerEvent))
      return std::unexpected(validation_failed({too_many_sessions()}));
    auto session = parse_new_session(body, event.zone, event.title);
    if (!session) return std::unexpected(session_problem(session.error(), body, event.zone));
    const Session stored = store::events::insert_session(tx, event.id, *session);
    store::audit::write(tx, found->organiser.actor(),
                        {event.id, store::audit::Action::session_create, std::nullopt, stored.id, body.dump()});
    context.events.forget(slug);
    return created(session_json(stored, event.zone, event.zone),
                   event_location(context, event) + "/sessions/" + std::to_string(stored.id));
  });
}

namespace {

// Shared by PATCH and DELETE of a session: load, change, bump the sequence when calendars must hear
// of it (each active registrant then gets an update or a cancellation), store.
template <class Change>
Result<> update_session(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                        std::string_view session_id, const nlohmann::json& body_of_change, Change&& change) {
  const auto id = parse_id(session_id);
  const Instant now = context.clock();
  return context.store.transact([&](store::Tx& tx) -> Result<> {
    auto found = organiser_event(tx, context, credentials, slug);
    if (!found) return std::unexpected(found.error());
    const Event& event = found->event;
    const auto current = std::find_if(event.sessions.begin(), event.sessions.end(),
                                      [&](const Session& s) { return id && s.id == *id; });
    if (current == event.sessions.end()) return std::unexpected(problems::session_not_found(slug, session_id));
    std::expected<Session, FieldErrors> next = change(*current);
    if (!next) return std::unexpected(session_problem(next.error(), body_of_change, current->time.zone));
    store_session_change(tx, event, *current, *next, found->organiser.actor(), now);
    context.events.forget(slug);
    return document(session_json(*next, event.zone, event.zone));
  });
}

}  // namespace

Result<> change_session(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                        std::string_view session_id, const nlohmann::json& body) {
  return update_session(context, credentials, slug, session_id, body,
                        [&](const Session& current) { return apply_session_changes(current, body); });
}

Result<> cancel_session(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                        std::string_view session_id) {
  return update_session(context, credentials, slug, session_id, nlohmann::json::object(),
                        [](const Session& current) -> std::expected<Session, FieldErrors> {
                          Session next = current;
                          next.status = SessionStatus::cancelled;
                          return next;
                        });
}

bool ensure_event(store::Store& store, const nlohmann::json& body) {
  auto requested = parse_new_event(body);
  if (!requested) {
    std::string message = "invalid event:";
    for (const auto& e : requested.error()) message += " " + e.field + " " + e.message + ";";
    throw std::invalid_argument(message);
  }
  return store.transact([&](store::Tx& tx) { return insert_new_event(tx, *requested).has_value(); });
}

}  // namespace convene::app
