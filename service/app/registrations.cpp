#include "app/registrations.hpp"

#include <random>


#include "app/secrets.hpp"
#include "convene/json_views.hpp"
#include "convene/registration.hpp"

namespace convene::app {
namespace {

using store::Transaction;

Problem registration_not_found() {
  return not_found("No registration has this manage token. Check the link from your confirmation.");
}

Problem event_not_found(std::string_view slug) {
  return not_found("There is no event '" + std::string(slug) + "'.");
}

Problem already_registered() {
  return Problem{409, "already-registered", "Already registered",
                 "This e-mail address is already registered for this event. We have sent the "
                 "confirmation again to that address; it holds the link to manage the registration."};
}

std::optional<Problem> window_problem(const Event& event, Instant now) {
  const RegistrationWindow window = registration_window(event, now);
  if (const auto* early = std::get_if<RegistrationNotYetOpen>(&window)) {
    Problem p{409, "registration-not-open", "Registration is not open yet",
              "Registration opens at " + format_instant(early->opens_at) + "."};
    p.extensions["opens_at"] = format_instant(early->opens_at);
    return p;
  }
  if (const auto* closed = std::get_if<RegistrationClosed>(&window)) {
    if (!closed->closed_at) {
      return Problem{409, "event-cancelled", "The event was cancelled",
                     "This event was cancelled, so it takes no registrations."};
    }
    Problem p{409, "registration-closed", "Registration is closed",
              "Registration closed at " + format_instant(*closed->closed_at) + "."};
    p.extensions["closed_at"] = format_instant(*closed->closed_at);
    return p;
  }
  return std::nullopt;
}

RegistrationLinks links_for(const Config& config, std::string_view token) {
  const std::string t(token);
  return {config.base_url + "/r/" + t, config.base_url + "/api/v1/registrations/" + t + "/invite.ics"};
}

// The keys an Idempotency-Key maps to. The lookup key and the sealing key are both derived from the
// client's key, and the sealing key also from the body, so what is stored reveals neither.
struct IdempotencyKeys {
  Sha256 lookup;
  Sha256 request;
  Sha256 seal;
};

IdempotencyKeys idempotency_keys(std::string_view slug, std::string_view key, std::string_view raw_body) {
  const std::string scope = "POST /api/v1/events/" + std::string(slug) + "/registrations\n" + std::string(key);
  return {sha256("lookup\n" + scope), sha256(raw_body), sha256("seal\n" + scope + "\n" + std::string(raw_body))};
}

// Where a registration starts looking for a free seat: anywhere, so that concurrent registrations
// for one event lock different rows on different pages (seat numbers mean nothing to anyone).
int random_seat(int capacity) {
  thread_local std::mt19937 generator{std::random_device{}()};
  return std::uniform_int_distribution<int>(1, std::max(1, capacity))(generator);
}

Problem idempotency_key_reused() {
  return Problem{422, "idempotency-key-reused", "Idempotency-Key reused with another request",
                 "This Idempotency-Key was first used with a different request body. Use a new key for "
                 "a new request."};
}

std::expected<TimeZone, Problem> viewer_zone_or(std::optional<std::string_view> requested, const TimeZone& fallback) {
  if (!requested) return fallback;
  if (auto zone = TimeZone::find(*requested)) return *zone;
  return std::unexpected(validation_failed({{"tz", "must be an IANA time zone name such as Asia/Kathmandu"}}));
}

}  // namespace

namespace {

// A registration written: the event it was checked against, and what the store decided.
struct Admitted {
  EventCache::Snapshot event;
  std::int64_t id;
  RegistrationStatus status;
};

// Applies the event's rules to a cached copy of the event and inserts the registration, in one
// statement that holds only if the copy is still current; a stale copy is reloaded and the rules
// applied again. With waitlisting refused and no seat to take, nothing is written (nullopt).
using Waitlisting = Transaction::Waitlisting;
std::expected<std::optional<Admitted>, Problem> admit(Context& context, store::Transaction& tx, std::string_view slug,
                                                      const RegistrationRequest& request, const SecretToken& token,
                                                      Instant now, Waitlisting waitlisting) {
  auto event = context.events.get(tx, slug);
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (!event || event->status == EventStatus::draft) return std::unexpected(event_not_found(slug));
    if (auto problem = window_problem(*event, now)) return std::unexpected(*problem);
    const TimeZone zone = request.zone.value_or(event->zone);
    const Transaction::NewRegistration row{event->id, request, zone, request.language.value_or(Language::en),
                                           token.hash(), now};
    const auto inserted = tx.insert_registration(row, *event, random_seat(event->capacity), waitlisting);
    switch (inserted.outcome) {
      case store::RegistrationInsert::inserted:
        return Admitted{event, inserted.id, inserted.status};
      case store::RegistrationInsert::no_seat_or_duplicate:
        return std::nullopt;
      case store::RegistrationInsert::already_registered:
        return std::unexpected(already_registered());
      case store::RegistrationInsert::event_changed:
        event = context.events.reload(tx, slug);
        break;
    }
  }
  return std::unexpected(Problem{409, "event-changing", "The event is being changed",
                                 "The event changed several times while we registered you; please try again."});
}

// No seat was free for the taking; settle it under the event's capacity lock, in the transaction
// that wrote the registration (so no crash in between can leave someone waiting while a seat is
// free): seats others were taking may have come free again, and nobody can free one meanwhile unseen.
void settle_waitlisted(store::Transaction& tx, Admitted& admitted, Instant now) {
  if (admitted.status != RegistrationStatus::waitlisted) return;
  tx.lock_capacity(admitted.event->id);
  if (tx.claim_seat_waiting(admitted.event->id, admitted.id, now)) admitted.status = RegistrationStatus::confirmed;
}

// Admits with waitlisting allowed and settles a waitlisting, all in `tx`.
std::expected<Admitted, Problem> admit_and_settle(Context& context, store::Transaction& tx, std::string_view slug,
                                                  const RegistrationRequest& request, const SecretToken& token,
                                                  Instant now) {
  auto admitted = admit(context, tx, slug, request, token, now, Waitlisting::allowed);
  if (!admitted) return std::unexpected(admitted.error());
  Admitted result = **admitted;  // with waitlisting allowed, something was written
  settle_waitlisted(tx, result, now);
  return result;
}

// "Already registered": the confirmation goes again to the address, which is how its owner gets
// the link back, and no token is revealed to whoever asked. At most once an hour per address.
void resend_confirmation(Context& context, std::string_view slug, const RegistrationRequest& request, Instant now) {
  context.store.autocommit([&](Transaction& tx) {
    if (auto event = context.events.get(tx, slug)) tx.enqueue_confirmation_resend(event->id, request.email.text(), now);
  });
}

Reply created_reply(const Context& context, const Admitted& admitted, const RegistrationRequest& request,
                    const SecretToken& token, Instant now) {
  const Event& event = *admitted.event;
  Registration registration{.zone = request.zone.value_or(event.zone)};
  registration.id = admitted.id;
  registration.event_id = event.id;
  registration.email = request.email.text();
  registration.name = request.name;
  registration.organisation = request.organisation;
  registration.country = request.country;
  registration.language = request.language.value_or(Language::en);
  registration.answers = request.answers;
  registration.status = admitted.status;
  registration.consent_at = registration.created_at = registration.updated_at = now;
  nlohmann::json body =
      registration_json(registration, event, registration.zone, links_for(context.config, token.text()));
  body["manage_token"] = token.text();
  return Reply{201, body.dump(), false};
}

}  // namespace

Result register_attendee(Context& context, const RegistrationRequestContext& input) {
  auto request = parse_registration_request(input.body);
  if (!request) return std::unexpected(validation_failed(request.error()));
  if (input.idempotency_key && (input.idempotency_key->empty() || input.idempotency_key->size() > 255)) {
    return std::unexpected(validation_failed({{"Idempotency-Key", "must be 1-255 characters"}}));
  }
  const Instant now = context.clock();
  const SecretToken token = context.tokens.mint();

  if (!input.idempotency_key) {
    // The common case, a seat free for the taking, is one statement committed on its own. Without
    // one, the registration is written waitlisted and settled in one transaction.
    auto taken = context.store.autocommit([&](Transaction& tx) {
      return admit(context, tx, input.slug, *request, token, now, Waitlisting::refused);
    });
    std::expected<Admitted, Problem> admitted =
        !taken ? std::unexpected(taken.error())
        : *taken ? std::expected<Admitted, Problem>(**taken)
                 : context.store.transact([&](Transaction& tx) {
                     return admit_and_settle(context, tx, input.slug, *request, token, now);
                   });
    if (!admitted) {
      if (admitted.error().type == "already-registered") resend_confirmation(context, input.slug, *request, now);
      return std::unexpected(admitted.error());
    }
    return created_reply(context, *admitted, *request, token, now);
  }

  // With an Idempotency-Key, the registration and the record of its answer commit together.
  const IdempotencyKeys keys = idempotency_keys(input.slug, *input.idempotency_key, input.raw_body);
  Result result = context.store.transact([&](Transaction& tx) -> Result {
    if (!tx.claim_idempotency_key(keys.lookup, keys.request)) {
      // Seen before (the claim waited for the first request's transaction if it was in flight).
      auto record = tx.idempotency_record(keys.lookup);
      if (!record || record->request_hash != keys.request) return std::unexpected(idempotency_key_reused());
      auto body = record->sealed_response ? open(keys.seal, *record->sealed_response) : std::nullopt;
      if (!body || !record->status) return std::unexpected(idempotency_key_reused());
      return Reply{*record->status, *std::move(body), true};
    }
    auto admitted = admit_and_settle(context, tx, input.slug, *request, token, now);
    if (!admitted) return std::unexpected(admitted.error());
    Reply reply = created_reply(context, *admitted, *request, token, now);
    tx.complete_idempotency_key(keys.lookup, reply.status, seal(keys.seal, random_bytes(12), reply.body), admitted->id);
    return reply;
  });
  if (!result && result.error().type == "already-registered") resend_confirmation(context, input.slug, *request, now);
  return result;
}

Result read_registration(Context& context, std::string_view manage_token, std::optional<std::string_view> tz) {
  if (!context.tokens.may_exist(manage_token)) return std::unexpected(registration_not_found());
  return context.store.autocommit([&](Transaction& tx) -> Result {
    auto found = tx.registration_and_event_version(sha256(manage_token));
    if (!found) return std::unexpected(registration_not_found());
    const Registration* registration = &found->registration;
    auto event = context.events.at_version(tx, found->event_slug, found->event_version);
    if (!event) return std::unexpected(registration_not_found());
    auto viewer = viewer_zone_or(tz, registration->zone);
    if (!viewer) return std::unexpected(viewer.error());
    return ok_json(registration_json(*registration, *event, *viewer, links_for(context.config, manage_token)));
  });
}

Result change_registration(Context& context, std::string_view manage_token, const nlohmann::json& body) {
  if (!context.tokens.may_exist(manage_token)) return std::unexpected(registration_not_found());
  auto changes = parse_registration_changes(body);
  if (!changes) return std::unexpected(validation_failed(changes.error()));
  const Instant now = context.clock();
  return context.store.transact([&](Transaction& tx) -> Result {
    auto current = tx.registration_by_token_hash(sha256(manage_token), true);
    if (!current) return std::unexpected(registration_not_found());
    auto event = tx.event_by_id(current->event_id);
    if (!event) return std::unexpected(registration_not_found());
    Registration next = apply(*current, *changes);
    next.updated_at = now;
    tx.update_registration_details(next, now);
    return ok_json(registration_json(next, *event, next.zone, links_for(context.config, manage_token)));
  });
}

Result cancel_registration(Context& context, std::string_view manage_token) {
  if (!context.tokens.may_exist(manage_token)) return std::unexpected(registration_not_found());
  const Instant now = context.clock();
  const Sha256 token_hash = sha256(manage_token);
  return context.store.transact([&](Transaction& tx) -> Result {
    auto found = tx.registration_by_token_hash(token_hash, false);
    if (!found) return std::unexpected(registration_not_found());
    // Seats move only under the event's capacity lock, taken before the registration's row lock
    // (the order every path uses).
    tx.lock_capacity(found->event_id);
    auto registration = tx.registration_by_token_hash(token_hash, true);
    auto event = tx.event_by_id(found->event_id);
    if (!registration || !event) return std::unexpected(registration_not_found());
    if (!can_cancel(registration->status)) {
      return std::unexpected(Problem{409, "registration-rejected", "This registration was declined",
                                     "An organiser declined this registration, so there is nothing to cancel."});
    }
    if (registration->status != RegistrationStatus::cancelled) {
      if (tx.end_registration(registration->id, RegistrationStatus::cancelled, now)) {
        for (const auto promoted : tx.fill_seats_from_waitlist(event->id, now))
          tx.enqueue(promoted, event->id, "promotion", std::nullopt, 0, now);
      }
      registration->status = RegistrationStatus::cancelled;
      registration->cancelled_at = now;
      registration->updated_at = now;
      registration->invite_sequence += 1;
      tx.enqueue(registration->id, event->id, "cancellation", std::nullopt, registration->invite_sequence, now);
    }
    return ok_json(registration_json(*registration, *event, registration->zone,
                                     links_for(context.config, manage_token)));
  });
}

}  // namespace convene::app
