#include "app/registrations.hpp"

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

Result register_attendee(Context& context, const RegistrationRequestContext& input) {
  auto request = parse_registration_request(input.body);
  if (!request) return std::unexpected(validation_failed(request.error()));
  if (input.idempotency_key && (input.idempotency_key->empty() || input.idempotency_key->size() > 255)) {
    return std::unexpected(validation_failed({{"Idempotency-Key", "must be 1-255 characters"}}));
  }
  const Instant now = context.clock();
  const SecretToken token = SecretToken::generate();
  std::optional<IdempotencyKeys> idempotency;
  if (input.idempotency_key) idempotency = idempotency_keys(input.slug, *input.idempotency_key, input.raw_body);

  return context.store.transact([&](Transaction& tx) -> Result {
    if (idempotency && !tx.claim_idempotency_key(idempotency->lookup, idempotency->request)) {
      // Seen before (the claim waited for the first request's transaction if it was in flight).
      auto record = tx.idempotency_record(idempotency->lookup);
      if (!record || record->request_hash != idempotency->request) return std::unexpected(idempotency_key_reused());
      auto body = record->sealed_response ? open(idempotency->seal, *record->sealed_response) : std::nullopt;
      if (!body || !record->status) return std::unexpected(idempotency_key_reused());
      return Reply{*record->status, *std::move(body), true};
    }

    auto event = tx.event_by_slug(input.slug);
    if (!event || event->status == EventStatus::draft) return std::unexpected(event_not_found(input.slug));
    if (auto problem = window_problem(*event, now)) return std::unexpected(*problem);

    const TimeZone zone = request->zone.value_or(event->zone);
    const Transaction::NewRegistration row{event->id, *request, zone,
                                           request->language.value_or(Language::en), token.hash(), now};
    auto inserted = event->requires_approval ? tx.insert_registration_pending(row)
                                             : tx.insert_registration_taking_seat(row);
    if (!inserted) return std::unexpected(already_registered());
    if (inserted->status == RegistrationStatus::waitlisted) {
      // No seat was free for the taking; settle it under the event's lock: seats others were
      // taking may have come free again, and nobody can free one meanwhile unseen.
      tx.lock_capacity(event->id);
      if (tx.claim_seat_waiting(event->id, inserted->id, now)) inserted->status = RegistrationStatus::confirmed;
    }

    Registration registration{.zone = zone};
    registration.id = inserted->id;
    registration.event_id = event->id;
    registration.email = request->email.text();
    registration.name = request->name;
    registration.organisation = request->organisation;
    registration.country = request->country;
    registration.language = row.language;
    registration.answers = request->answers;
    registration.status = inserted->status;
    registration.consent_at = registration.created_at = registration.updated_at = now;

    nlohmann::json body = registration_json(registration, *event, zone, links_for(context.config, token.text()));
    body["manage_token"] = token.text();
    Reply reply{201, body.dump(), false};
    if (idempotency) {
      tx.complete_idempotency_key(idempotency->lookup, reply.status,
                                  seal(idempotency->seal, random_bytes(12), reply.body));
    }
    return reply;
  });
}

Result read_registration(Context& context, std::string_view manage_token, std::optional<std::string_view> tz) {
  if (!SecretToken::well_formed(manage_token)) return std::unexpected(registration_not_found());
  return context.store.transact([&](Transaction& tx) -> Result {
    auto registration = tx.registration_by_token_hash(sha256(manage_token), false);
    if (!registration) return std::unexpected(registration_not_found());
    auto event = tx.event_by_id(registration->event_id);
    if (!event) return std::unexpected(registration_not_found());
    auto viewer = viewer_zone_or(tz, registration->zone);
    if (!viewer) return std::unexpected(viewer.error());
    return ok_json(registration_json(*registration, *event, *viewer, links_for(context.config, manage_token)));
  });
}

Result change_registration(Context& context, std::string_view manage_token, const nlohmann::json& body) {
  if (!SecretToken::well_formed(manage_token)) return std::unexpected(registration_not_found());
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
  if (!SecretToken::well_formed(manage_token)) return std::unexpected(registration_not_found());
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
      tx.set_registration_status(registration->id, RegistrationStatus::cancelled, now);
      if (tx.release_seat(registration->id)) tx.fill_seats_from_waitlist(event->id, now);
      registration->status = RegistrationStatus::cancelled;
      registration->cancelled_at = now;
      registration->updated_at = now;
    }
    return ok_json(registration_json(*registration, *event, registration->zone,
                                     links_for(context.config, manage_token)));
  });
}

}  // namespace convene::app
