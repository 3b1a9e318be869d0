// What organisers do to registrations (declared in roster.hpp): approve, reject, cancel, reinstate,
// confirm beyond capacity, check in, erase. Every change runs under the event's capacity lock, sends
// its message and is written to the audit log.
#include "app/access.hpp"
#include "app/erasure.hpp"
#include "app/problems.hpp"
#include "app/roster.hpp"
#include "app/seat_moves.hpp"
#include "convene/text.hpp"
#include "store/organiser_views.hpp"
#include "store/outbox.hpp"
#include "store/registrations.hpp"
#include "store/seats.hpp"

namespace convene::app {
namespace {

struct Moderation {
  std::optional<RegistrationStatus> status;
  std::optional<bool> checked_in;
  bool override_capacity = false;
};

Result<Moderation> parse_moderation(const nlohmann::json& body) {
  if (!body.is_object()) return std::unexpected(validation_failed({{"body", "must be a JSON object"}}));
  FieldErrors errors;
  Moderation m;
  if (body.contains("status")) {
    if (body["status"].is_string()) m.status = parse_registration_status(body["status"].get<std::string>());
    if (!m.status || *m.status == RegistrationStatus::waitlisted || *m.status == RegistrationStatus::pending) {
      errors.push_back({"status", "must be confirmed, rejected or cancelled"});
      m.status.reset();
    }
  }
  const auto flag = [&](const char* name) -> std::optional<bool> {
    if (!body.contains(name)) return std::nullopt;
    if (body[name].is_boolean()) return body[name].get<bool>();
    errors.push_back({name, "must be true or false"});
    return std::nullopt;
  };
  m.checked_in = flag("checked_in");
  m.override_capacity = flag("override_capacity").value_or(false);
  if (!errors.empty()) return std::unexpected(validation_failed(std::move(errors)));
  return m;
}

// Confirms (approving, reinstating, or beyond capacity when asked), or ends a registration, with the
// message each change calls for. A problem when no seat can be had.
std::optional<Problem> change_status(store::Tx& tx, const Event& event, const Registration& current,
                                     RegistrationStatus wanted, bool override_capacity, Instant now) {
  const RegistrationStatus was = current.status;
  if (wanted == RegistrationStatus::confirmed) {
    if (!store::seats::claim_waiting(tx, event.id, current.id, now)) {
      if (!override_capacity) return problems::capacity_reached(event.capacity);
      store::seats::take_extra(tx, event.id, current.id, now);
    }
    if (was == RegistrationStatus::waitlisted) {
      store::outbox::enqueue(tx, {current.id, event.id, MessageKind::promotion}, now);
      return std::nullopt;
    }
    // Approved, or reinstated after a cancellation: a confirmation, and an invite newer than any
    // cancellation the calendar holds.
    if (!is_active(was)) store::registrations::bump_invite_sequence(tx, current.id);
    store::outbox::enqueue(tx, {current.id, event.id, MessageKind::confirmation, std::nullopt,
                                store::registrations::next_confirmation_sequence(tx, current.id)},
                           now);
    return std::nullopt;
  }
  end_registration(tx, event.id, current.id, wanted, now);
  store::outbox::enqueue(tx,
                         {current.id, event.id,
                          wanted == RegistrationStatus::rejected ? MessageKind::rejection : MessageKind::cancellation,
                          std::nullopt, current.invite_sequence + 1},
                         now);
  return std::nullopt;
}

// The event and one of its registrations, locked for a change of seats: the event's capacity lock
// first, then the registration's row (the order every path takes).
template <class Change>
Result<> change_registration_of(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                                std::string_view id_text, Change&& change) {
  const auto id = parse_id(id_text);
  return context.store.transact([&](store::Tx& tx) -> Result<> {
    auto found = organiser_event(tx, context, credentials, slug);
    if (!found) return std::unexpected(found.error());
    if (!id) return std::unexpected(problems::registration_not_found(slug, id_text));
    store::seats::lock_capacity(tx, found->event.id);
    auto entry = store::organiser_views::roster_entry(tx, found->event.id, *id, true);
    if (!entry) return std::unexpected(problems::registration_not_found(slug, id_text));
    return change(tx, *found, *entry);
  });
}

}  // namespace

Result<> moderate(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                  std::string_view id_text, const nlohmann::json& body) {
  auto wanted = parse_moderation(body);
  if (!wanted) return std::unexpected(wanted.error());
  const Instant now = context.clock();
  using store::organiser_views::RosterEntry;
  return change_registration_of(context, credentials, slug, id_text,
                                [&](store::Tx& tx, const OrganiserEvent& found, const RosterEntry& entry) -> Result<> {
    const Event& event = found.event;
    const std::int64_t id = entry.registration.id;
    const auto actor = found.organiser.actor();
    if (wanted->status && *wanted->status != entry.registration.status) {
      if (auto problem = change_status(tx, event, entry.registration, *wanted->status, wanted->override_capacity, now))
        return std::unexpected(*problem);
      store::audit::write(tx, actor,
                          {event.id, store::audit::Action::registration_status, id, std::nullopt,
                           nlohmann::json{{"from", to_string(entry.registration.status)},
                                          {"to", to_string(*wanted->status)},
                                          {"override_capacity", wanted->override_capacity}}
                               .dump()});
    }
    if (wanted->checked_in && *wanted->checked_in != entry.checked_in_at.has_value()) {
      store::registrations::set_checked_in(tx, id, *wanted->checked_in ? std::optional(now) : std::nullopt, now);
      store::audit::write(tx, actor,
                          {event.id, *wanted->checked_in ? store::audit::Action::registration_check_in
                                                         : store::audit::Action::registration_check_in_undone,
                           id});
    }
    const auto after = store::organiser_views::roster_entry(tx, event.id, id, false);
    return document(
        roster_entry_json(after->registration, event, after->checked_in_at, after->first_joined_at, after->last_joined_at));
  });
}

Result<> erase_by_organiser(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                            std::string_view id_text) {
  const Instant now = context.clock();
  using store::organiser_views::RosterEntry;
  return change_registration_of(context, credentials, slug, id_text,
                                [&](store::Tx& tx, const OrganiserEvent& found, const RosterEntry& entry) -> Result<> {
    erase(tx, found.event, entry.registration, found.organiser.actor(), now);
    return document({{"id", entry.registration.id}, {"erased", true}});
  });
}

}  // namespace convene::app
