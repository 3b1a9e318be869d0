#include "app/registrations.hpp"

#include <algorithm>
#include <random>
#include <span>

#include "app/erasure.hpp"
#include "app/idempotency.hpp"
#include "app/problems.hpp"
#include "app/seat_moves.hpp"
#include "convene/json_views.hpp"
#include "convene/registration.hpp"
#include "convene/request_deadline.hpp"
#include "store/answers.hpp"
#include "store/events.hpp"
#include "store/invitations.hpp"
#include "store/outbox.hpp"
#include "store/registrations.hpp"
#include "store/seats.hpp"

namespace convene::app {
namespace {

using store::registrations::Inserted;
using store::registrations::Waitlisting;

// How often the event may change under one registration before we give up and say so.
constexpr int kMaxEventChangesWhileRegistering = 5;

RegistrationLinks links_for(const Config& config, std::string_view token) {
  const std::string t(token);
  return {config.base_url + "/r/" + t, config.base_url + "/api/v1/registrations/" + t + "/invite.ics"};
}

// Where a registration starts looking for a free seat: anywhere, so that concurrent registrations
// for one event lock different rows on different pages (seat numbers mean nothing to anyone).
int random_seat(int capacity) {
  thread_local std::mt19937 generator{std::random_device{}()};
  return std::uniform_int_distribution<int>(1, std::max(1, capacity))(generator);
}

Result<TimeZone> viewer_zone_or(std::optional<std::string_view> requested, const TimeZone& fallback) {
  if (!requested) return fallback;
  if (auto zone = TimeZone::find(*requested)) return *zone;
  return std::unexpected(problems::invalid_zone("tz"));
}

std::optional<Problem> refuse_sign_up(Context& context, std::string_view client, const Email* email) {
  auto& limits = context.limits;
  const auto now = std::chrono::steady_clock::now();
  if (!email) {
    if (auto d = limits.registrations_per_address.admit(client, now); !d.allowed)
      return problems::rate_limited(d, "Too many registrations from your network.");
    return std::nullopt;
  }
  if (auto d = limits.registrations_per_email.admit(email->key(), now); !d.allowed)
    return problems::rate_limited(d, "Too many registration attempts with this e-mail address.");
  if (auto d = limits.registrations_per_domain.admit(email->domain(), now); !d.allowed)
    return problems::rate_limited(d, "Too many registrations with addresses of this e-mail domain right now.");
  return std::nullopt;
}

// A registration written: the event it was checked against, what the store decided, and the
// answers as stored.
struct Admitted {
  EventCache::Snapshot event;
  std::int64_t id;
  RegistrationStatus status;
  nlohmann::json answers;
};

// Limited choices are held like seats: each picked option is locked (in one order) and its holders
// counted within the transaction that writes the registration, so no option is ever oversold.
std::optional<Problem> hold_limited_options(store::Tx& tx, const Event& event, const std::vector<LimitedPick>& picks,
                                            std::int64_t except_registration = 0) {
  for (const auto& pick : picks) {
    store::answers::lock_option(tx, event.id, pick.question, pick.option);
    const auto contained = answer_filter(event.questions, pick.question, pick.option);
    if (contained && store::answers::holders(tx, event.id, *contained, except_registration) >= pick.limit) {
      const Question& question = *event.questions.find(pick.question);
      return problems::option_full(question, *question.option(pick.option), pick.limit);
    }
  }
  return std::nullopt;
}

// The unused invitation of an invitation event that the request's token opens for its address,
// locked until the registration commits (store/invitations.hpp).
std::optional<std::int64_t> hold_invitation(const Context& context, store::Tx& tx, const Event& event,
                                            const RegistrationRequest& request) {
  if (!request.invitation || !context.tokens.may_exist(*request.invitation)) return std::nullopt;
  return store::invitations::hold_unused(tx, event.id, sha256(*request.invitation), request.email.text());
}

// Applies the event's rules to a cached copy of the event and inserts the registration (with its
// confirmation), in one statement that holds only if the copy is still current; a stale copy is
// reloaded and the rules applied again. With waitlisting refused (the fast path: one statement that
// commits on its own) nothing is written (nullopt) when no seat is free to take, nor when the
// answers pick a limited option, which only a transaction can count, nor for an invitation event,
// whose invitation only a transaction can hold until it is used.
Result<std::optional<Admitted>> admit(Context& context, store::Tx& tx, std::string_view slug,
                                      const RegistrationRequest& request, const SecretToken& token, Instant now,
                                      Waitlisting waitlisting) {
  auto event = context.events.get(tx, slug);
  std::optional<std::int64_t> invitation;  // held in `tx` once found
  for (int attempt = 0; attempt < kMaxEventChangesWhileRegistering; ++attempt) {
    if (!event || !is_public(event->status)) return std::unexpected(problems::event_not_found(slug));
    if (event->access == EventAccess::invitation && !invitation) {
      if (waitlisting == Waitlisting::refused) return std::nullopt;
      invitation = hold_invitation(context, tx, *event, request);
      if (!invitation) return std::unexpected(problems::invitation_required());
    }
    if (auto problem = problems::window(*event, now)) return std::unexpected(*problem);
    auto answers = check_answers(event->questions.asked, request.answers);
    if (!answers) return std::unexpected(validation_failed(answers.error()));
    if (const auto picks = limited_picks(event->questions.asked, *answers); !picks.empty()) {
      if (waitlisting == Waitlisting::refused) return std::nullopt;
      if (auto full = hold_limited_options(tx, *event, picks)) return std::unexpected(*full);
    }
    RegistrationRequest checked = request;
    checked.answers = *answers;
    const TimeZone zone = request.zone.value_or(event->zone);
    const store::registrations::NewRegistration row{checked, zone, request.language.value_or(Language::en),
                                                    token.hash(), now};
    const Inserted inserted = store::registrations::insert(tx, row, *event, random_seat(event->capacity), waitlisting,
                                                           MessageKind::confirmation);
    switch (inserted.outcome) {
      case Inserted::inserted:
        if (invitation) store::invitations::use(tx, *invitation, inserted.id, now);
        return Admitted{event, inserted.id, inserted.status, checked.answers};
      case Inserted::no_seat: return std::nullopt;
      case Inserted::already_registered: return std::unexpected(problems::already_registered());
      case Inserted::event_changed: event = context.events.reload(tx, slug); break;
    }
  }
  return std::unexpected(problems::event_changing());
}

// No seat was free for the taking: settle the waitlisted ones, oldest first, under the event's
// capacity lock, in the transaction that wrote them (so no crash in between can leave someone waiting
// while a seat is free): seats others were taking may have come free again, and nobody can free one
// meanwhile unseen. So once one of them finds no seat, none is left for the rest. `now` is the latest
// of their requests' times.
void settle_waitlisted(store::Tx& tx, std::span<Admitted> admitted, Instant now) {
  std::vector<Admitted*> waiting;
  for (Admitted& a : admitted)
    if (a.status == RegistrationStatus::waitlisted) waiting.push_back(&a);
  if (waiting.empty()) return;
  std::sort(waiting.begin(), waiting.end(), [](const Admitted* a, const Admitted* b) { return a->id < b->id; });
  store::seats::lock_capacity(tx, waiting.front()->event->id);
  for (Admitted* a : waiting) {
    if (!store::seats::claim_waiting(tx, a->event->id, a->id, now)) return;
    a->status = RegistrationStatus::confirmed;
  }
}

// Admits with waitlisting allowed and settles a waitlisting, all in `tx`.
Result<Admitted> admit_and_settle(Context& context, store::Tx& tx, std::string_view slug,
                                  const RegistrationRequest& request, const SecretToken& token, Instant now) {
  auto admitted = admit(context, tx, slug, request, token, now, Waitlisting::allowed);
  if (!admitted) return std::unexpected(admitted.error());
  Admitted result = **admitted;  // with waitlisting allowed, something was written
  settle_waitlisted(tx, std::span(&result, 1), now);
  return result;
}

// "Already registered": the confirmation goes again to the address, which is how its owner gets the
// link back, and no token is revealed to whoever asked. At most once an hour per address.
void resend_confirmation_if_registered(Context& context, const Problem& problem, std::string_view slug,
                                       const RegistrationRequest& request, Instant now) {
  if (problem.type != ProblemType::already_registered) return;
  context.store.autocommit([&](store::Tx& tx) {
    if (auto event = context.events.get(tx, slug))
      store::outbox::enqueue_confirmation_resend(tx, event->id, request.email.text(), now);
  });
}

Document created_reply(const Context& context, const Admitted& admitted, const RegistrationRequest& request,
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
  registration.answers = admitted.answers;
  registration.status = admitted.status;
  registration.consent_at = registration.created_at = registration.updated_at = now;
  return Document{registration_text(registration, event, registration.zone, links_for(context.config, token.text()),
                                    token.text()),
                  Document::Kind::created};
}

// The registration a manage token opens, with its event, locked for a change of seats: the event's
// capacity lock first, then the registration's row (the order every path takes).
struct Locked {
  Registration registration;
  Event event;
};
std::optional<Locked> locked_by_token(store::Tx& tx, const Sha256& token_hash) {
  auto found = store::registrations::by_token_hash(tx, token_hash, false);
  if (!found) return std::nullopt;
  store::seats::lock_capacity(tx, found->event_id);
  auto registration = store::registrations::by_token_hash(tx, token_hash, true);
  auto event = store::events::by_id(tx, found->event_id);
  if (!registration || !event) return std::nullopt;
  return Locked{*std::move(registration), *std::move(event)};
}

// What a registrant's token opens on their own registration, locked for a change of seats.
template <class Work>
Result<> on_own_registration(Context& context, std::string_view manage_token, Work&& work) {
  if (!context.tokens.may_exist(manage_token)) return std::unexpected(problems::unknown_manage_token());
  const Instant now = context.clock();
  return context.store.transact([&](store::Tx& tx) -> Result<> {
    auto found = locked_by_token(tx, sha256(manage_token));
    if (!found) return std::unexpected(problems::unknown_manage_token());
    return work(tx, *found, now);
  });
}

// Writes members of a batch for one version of `event` (group commit) in `tx`: each member's
// Idempotency-Key claimed, the registrations inserted by one statement, and each written one's reply
// built and recorded under its key, in the transaction that holds its row. With waitlisting refused
// only those with a seat free for the taking (or pending approval) are written; with it allowed the
// others are waitlisted and settled. A member not written has its key given back; those for whom no
// seat was free are returned, the rest (address registered, event changed, key seen before) go their
// own way afterwards.
std::vector<BatchedRegistration*> write_members(Context& context, store::Tx& tx, const EventCache::Snapshot& event,
                                                std::span<BatchedRegistration* const> batch, Waitlisting waitlisting) {
  std::vector<BatchedRegistration*> members;
  for (BatchedRegistration* member : batch) {
    member->written.reset();  // a retried transaction starts again
    if (!member->once || claim_once(tx, *member->once, member->now)) members.push_back(member);
  }
  std::vector<TimeZone> zones;
  zones.reserve(members.size());  // rows refer to these
  std::vector<store::registrations::NewRegistration> rows;
  Instant latest = members.empty() ? Instant{} : members.front()->now;
  for (const BatchedRegistration* member : members) {
    const RegistrationRequest& request = member->request;
    zones.push_back(request.zone.value_or(event->zone));
    rows.push_back({request, zones.back(), request.language.value_or(Language::en), member->token.hash(), member->now});
    latest = std::max(latest, member->now);
  }
  const auto inserted = store::registrations::insert(tx, rows, *event, random_seat(event->capacity), waitlisting,
                                                     MessageKind::confirmation);
  std::vector<BatchedRegistration*> unseated, written;
  std::vector<Admitted> admitted;
  for (std::size_t i = 0; i < members.size(); ++i) {
    BatchedRegistration& member = *members[i];
    if (inserted[i].outcome != Inserted::inserted) {
      if (member.once) release_once(tx, *member.once);
      if (inserted[i].outcome == Inserted::no_seat) unseated.push_back(&member);
      continue;
    }
    written.push_back(&member);
    admitted.push_back({event, inserted[i].id, inserted[i].status, member.request.answers});
  }
  settle_waitlisted(tx, admitted, latest);
  for (std::size_t i = 0; i < written.size(); ++i) {
    BatchedRegistration& member = *written[i];
    member.written = created_reply(context, admitted[i], member.request, member.token, member.now);
    if (member.once) complete_once(tx, *member.once, {*member.written, admitted[i].id});
  }
  return unseated;
}

// Writes a batch: first everyone a free seat reaches, by one statement (committed on its own when no
// member has a key); then, if the event is full, everyone it did not reach, waitlisted together in
// one transaction under the capacity lock (one lock and one commit for the batch: in a rush at a
// full event, one each made the waitlisted queue for the lock behind each other's commits). That
// second transaction's failure is its members' alone: the first one's rows have committed.
void write_batch(Context& context, const EventCache::Snapshot& event, std::span<BatchedRegistration* const> batch) {
  auto take_seats = [&](store::Tx& tx) { return write_members(context, tx, event, batch, Waitlisting::refused); };
  const bool keyed = std::any_of(batch.begin(), batch.end(), [](const BatchedRegistration* m) { return m->once; });
  const std::vector<BatchedRegistration*> unseated =
      keyed ? context.store.transact(take_seats) : context.store.autocommit(take_seats);
  if (unseated.empty()) return;
  try {
    context.store.transact([&](store::Tx& tx) { write_members(context, tx, event, unseated, Waitlisting::allowed); });
  } catch (...) {
    for (BatchedRegistration* member : unseated) member->failure = std::current_exception();
  }
}

// A registration written with the concurrent ones for the same event, when all it needs is a seat
// free for the taking (or the organiser's approval): nullopt sends it its own way, which also says
// what is wrong with it, if anything is.
std::optional<Result<>> register_in_batch(Context& context, std::string_view slug, const RegistrationRequest& request,
                                          const SecretToken& token, Instant now, const IdempotentRequest* once) {
  if (context.config.registration_batch_max == 0) return std::nullopt;
  EventCache::Snapshot event = context.events.kept(slug);
  if (!event) event = context.store.autocommit([&](store::Tx& tx) { return context.events.get(tx, slug); });
  if (!event || !is_public(event->status) || event->access == EventAccess::invitation) return std::nullopt;
  if (problems::window(*event, now)) return std::nullopt;
  auto answers = check_answers(event->questions.asked, request.answers);
  if (!answers || !limited_picks(event->questions.asked, *answers).empty()) return std::nullopt;
  RegistrationRequest checked = request;
  checked.answers = *std::move(answers);
  BatchedRegistration mine{checked, token, now, once};
  context.registration_batches.submit({event->id, event->version}, mine,
                                      [&](std::span<BatchedRegistration* const> batch) { write_batch(context, event, batch); });
  if (mine.failure) std::rethrow_exception(mine.failure);
  if (!mine.written) return std::nullopt;
  return Result<>(*std::move(mine.written));
}

}  // namespace

Result<> register_attendee(Context& context, const RegistrationRequestContext& input) {
  if (auto refused = refuse_sign_up(context, input.client, nullptr)) return std::unexpected(*refused);
  auto request = parse_registration_request(input.body);
  if (!request) return std::unexpected(validation_failed(request.error()));
  if (auto refused = refuse_sign_up(context, input.client, &request->email)) return std::unexpected(*refused);
  if (auto problem = check_idempotency_key(input.idempotency_key)) return std::unexpected(*problem);
  const Instant now = context.clock();
  const SecretToken token = context.tokens.mint();
  // However many statements, queues and batches it goes through, a registration waits on the database
  // at most DB_DEADLINE_MS (and the second it takes to leave a silent server): in a rush, a request
  // queued behind batches stuck on a commit must not wait out theirs and then its own.
  const RequestDeadline database_deadline{std::chrono::steady_clock::now() + context.config.db_deadline};

  std::optional<IdempotentRequest> once;
  if (input.idempotency_key)
    once = IdempotentRequest{"POST /api/v1/events/" + std::string(input.slug) + "/registrations",
                             *input.idempotency_key, input.raw_body};
  if (auto batched = register_in_batch(context, input.slug, *request, token, now, once ? &*once : nullptr))
    return *batched;

  // On its own: the request needs more than a free seat, or the batch could not write it.
  Result<> result;
  if (once) {
    // The registration and the record of its answer commit together.
    result = context.store.transact([&](store::Tx& tx) {
      return answer_once(tx, *once, now, [&](store::Tx& tx) -> Result<Answered> {
        auto admitted = admit_and_settle(context, tx, input.slug, *request, token, now);
        if (!admitted) return std::unexpected(admitted.error());
        return Answered{created_reply(context, *admitted, *request, token, now), admitted->id};
      });
    });
  } else {
    // A seat free for the taking is one statement committed on its own. Without one, the
    // registration is written waitlisted and settled in one transaction.
    auto taken = context.store.autocommit([&](store::Tx& tx) {
      return admit(context, tx, input.slug, *request, token, now, Waitlisting::refused);
    });
    Result<Admitted> admitted = !taken ? std::unexpected(taken.error())
                                : *taken ? Result<Admitted>(**taken)
                                         : context.store.transact([&](store::Tx& tx) {
                                             return admit_and_settle(context, tx, input.slug, *request, token, now);
                                           });
    if (admitted) result = created_reply(context, *admitted, *request, token, now);
    else result = std::unexpected(admitted.error());
  }
  if (!result) resend_confirmation_if_registered(context, result.error(), input.slug, *request, now);
  return result;
}

Result<OwnRegistration> own_registration(Context& context, std::string_view manage_token) {
  if (!context.tokens.may_exist(manage_token)) return std::unexpected(problems::unknown_manage_token());
  return context.store.autocommit([&](store::Tx& tx) -> Result<OwnRegistration> {
    auto found = store::registrations::with_event_version(tx, sha256(manage_token));
    if (!found) return std::unexpected(problems::unknown_manage_token());
    auto event = context.events.at_version(tx, found->event_slug, found->event_version);
    if (!event) return std::unexpected(problems::unknown_manage_token());
    const bool answers_may_change = !problems::window(*event, context.clock());  // as change_registration asks
    return OwnRegistration{std::move(found->registration), std::move(event), answers_may_change};
  });
}

Result<> read_registration(Context& context, std::string_view manage_token, std::optional<std::string_view> tz) {
  auto own = own_registration(context, manage_token);
  if (!own) return std::unexpected(own.error());
  auto viewer = viewer_zone_or(tz, own->registration.zone);
  if (!viewer) return std::unexpected(viewer.error());
  return Document{registration_text(own->registration, *own->event, *viewer, links_for(context.config, manage_token))};
}

Result<> change_registration(Context& context, std::string_view manage_token, const nlohmann::json& body) {
  if (!context.tokens.may_exist(manage_token)) return std::unexpected(problems::unknown_manage_token());
  auto changes = parse_registration_changes(body);
  if (!changes) return std::unexpected(validation_failed(changes.error()));
  const Instant now = context.clock();
  return context.store.transact([&](store::Tx& tx) -> Result<> {
    auto current = store::registrations::by_token_hash(tx, sha256(manage_token), true);
    if (!current) return std::unexpected(problems::unknown_manage_token());
    auto event = store::events::by_id(tx, current->event_id);
    if (!event) return std::unexpected(problems::unknown_manage_token());
    Registration next = apply(*current, *changes);
    if (changes->answers) {
      // Answers change while registration is open, as they were given: checked, and a limited
      // choice held as at registration (the registrant's own place does not count against them).
      if (auto closed = problems::window(*event, now)) return std::unexpected(*closed);
      auto answers = check_answers(event->questions.asked, *changes->answers);
      if (!answers) return std::unexpected(validation_failed(answers.error()));
      if (is_active(current->status))
        if (auto full = hold_limited_options(tx, *event, limited_picks(event->questions.asked, *answers), current->id))
          return std::unexpected(*full);
      next.answers = *std::move(answers);
    }
    next.updated_at = now;
    store::registrations::update_details(tx, next, now);
    return Document{registration_text(next, *event, next.zone, links_for(context.config, manage_token))};
  });
}

Result<> cancel_registration(Context& context, std::string_view manage_token) {
  return on_own_registration(context, manage_token, [&](store::Tx& tx, Locked& found, Instant now) -> Result<> {
    Registration& registration = found.registration;
    if (!can_cancel(registration.status)) return std::unexpected(problems::registration_rejected());
    if (registration.status != RegistrationStatus::cancelled) {
      end_registration(tx, found.event.id, registration.id, RegistrationStatus::cancelled, now);
      registration.status = RegistrationStatus::cancelled;
      registration.cancelled_at = registration.updated_at = now;
      registration.invite_sequence += 1;
      store::outbox::enqueue(tx, {registration.id, found.event.id, MessageKind::cancellation, std::nullopt,
                                  registration.invite_sequence},
                             now);
    }
    return Document{registration_text(registration, found.event, registration.zone,
                                      links_for(context.config, manage_token))};
  });
}

Result<> erase_by_registrant(Context& context, std::string_view manage_token) {
  return on_own_registration(context, manage_token, [](store::Tx& tx, Locked& found, Instant now) -> Result<> {
    erase(tx, found.event, found.registration, {std::nullopt, "registrant"}, now);
    return document({{"id", found.registration.id}, {"erased", true}});
  });
}

}  // namespace convene::app
