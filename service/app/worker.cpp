#include "app/worker.hpp"

#include <unistd.h>

#include <cmath>
#include <random>
#include <thread>

#include "app/log.hpp"
#include "app/secrets.hpp"
#include "app/sign_in.hpp"
#include "convene/invites.hpp"
#include "convene/messages.hpp"
#include "store/announcements.hpp"
#include "store/events.hpp"
#include "store/idempotency.hpp"
#include "store/invitations.hpp"
#include "store/outbox.hpp"
#include "store/organisers.hpp"
#include "store/registrations.hpp"
#include "store/search.hpp"
#include "store/sign_ins.hpp"

namespace convene::app {
namespace {

using store::outbox::Claimed;
using store::outbox::Outcome;

// Search notes indexed per round (store/search.hpp): about a tenth of a second of folding and
// trigram indexing, so that a round never keeps messages waiting long.
constexpr int kSearchNotesPerRound = 5000;

// The host part of BASE_URL, for Message-IDs.
std::string host_of(const std::string& url) {
  std::string host = url;
  if (const auto scheme = host.find("://"); scheme != std::string::npos) host = host.substr(scheme + 3);
  host = host.substr(0, host.find_first_of("/:"));
  return host.empty() ? "convene.invalid" : host;
}

// Why a message is no longer worth sending when its turn comes, if it is not.
std::optional<std::string> obsolete(const Claimed& row, MessageKind kind, const Registration& registration,
                                    const Event& event, Instant now) {
  const auto status_now = [&] { return "the registration is " + std::string(to_string(registration.status)); };
  const Session* session = nullptr;
  for (const auto& s : event.sessions) {
    if (row.session_id && s.id == *row.session_id) session = &s;
  }
  switch (kind) {
    case MessageKind::confirmation:
    case MessageKind::promotion:
      if (!is_active(registration.status)) return status_now();
      return std::nullopt;
    case MessageKind::reminder:
      if (registration.status != RegistrationStatus::confirmed) return status_now();
      if (session == nullptr || session->status != SessionStatus::scheduled) return "the session was cancelled";
      if (session->sequence != row.sequence) return "the session moved; its reminder follows the new time";
      if (session->starts_at <= now) return "the session has started";
      return std::nullopt;
    case MessageKind::update:
      if (!is_active(registration.status)) return status_now();
      if (session == nullptr || session->sequence != row.sequence) return "a newer update replaces this one";
      return std::nullopt;
    case MessageKind::announcement:
      if (!is_active(registration.status)) return status_now();
      return std::nullopt;
    case MessageKind::cancellation:
    case MessageKind::rejection:
    case MessageKind::sign_in:
    case MessageKind::invitation:  // obsolete_invitation
      return std::nullopt;
  }
  return std::nullopt;
}

// Why an invitation (or its reminder) is no longer worth sending, if it is not. One written while the
// event is a draft is skipped too: its link would lead nowhere yet (remind once it is published).
std::optional<std::string> obsolete_invitation(const std::optional<store::invitations::Invitation>& invitation,
                                               const Event* event) {
  if (!invitation) return "the invitation was withdrawn";
  if (invitation->used_at) return "the invitee has registered";
  if (event == nullptr) return "the event is gone";
  if (event->status != EventStatus::published) return "the event is " + std::string(to_string(event->status));
  if (event->access != EventAccess::invitation) return "the event is open to anyone now";
  return std::nullopt;
}

}  // namespace

std::string default_worker_name() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(host) + "/" + std::to_string(getpid()) + "/" + base64url(random_bytes(6));
}

WorkerOptions worker_options(const Config& config) {
  return WorkerOptions{.name = {},
                       .batch = config.worker_batch,
                       .lease = std::chrono::seconds{config.worker_lease_seconds},
                       .max_attempts = config.worker_max_attempts,
                       .first_retry = std::chrono::seconds{config.worker_first_retry_seconds},
                       .idle_wait = std::chrono::milliseconds{config.worker_poll_ms},
                       .plan_every = std::chrono::seconds{config.worker_plan_seconds}};
}

Worker::Worker(Context& context, mail::Mailer& mailer, WorkerOptions options)
    : context_(context), mailer_(mailer), options_(std::move(options)) {
  if (options_.name.empty()) options_.name = default_worker_name();
}

std::chrono::seconds Worker::retry_delay(int attempts) {
  thread_local std::mt19937 generator{std::random_device{}()};
  const double base = static_cast<double>(options_.first_retry.count()) * std::pow(2.0, std::max(0, attempts - 1));
  const double capped = std::min(base, 3600.0);
  // Rounded, not cut down: cutting would make every delay about a tenth shorter than it should be.
  return std::chrono::seconds{std::lround(capped * std::uniform_real_distribution<double>(0.8, 1.2)(generator))};
}

int Worker::run_once(const std::stop_token& stop) {
  const Instant now = context_.clock();
  if (std::chrono::steady_clock::now() >= next_plan_) {
    context_.store.autocommit([&](store::Tx& tx) {
      store::outbox::plan_reminders(tx, now);
      // Idempotency-Key records expire (store/idempotency.hpp); the planner, which runs on every
      // worker every few seconds, also clears the expired ones, a bounded batch at a time.
      store::idempotency::purge(tx, now, 1000);
    });
    next_plan_ = std::chrono::steady_clock::now() + options_.plan_every;
  }
  const int indexed = context_.store.autocommit(
      [&](store::Tx& tx) { return store::search::index_backlog(tx, kSearchNotesPerRound); });
  const auto claimed_at = std::chrono::steady_clock::now();
  const auto batch = context_.store.autocommit(
      [&](store::Tx& tx) { return store::outbox::claim(tx, options_.name, now, options_.lease, options_.batch); });
  if (batch.empty()) return indexed;
  if (stop.stop_requested()) {
    context_.store.autocommit([&](store::Tx& tx) { store::outbox::release(tx, options_.name, batch); });
    return indexed;
  }
  handle(batch, context_.clock(), claimed_at);
  return indexed + static_cast<int>(batch.size());
}

void Worker::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    int handled = 0;
    try {
      handled = run_once(stop);
    } catch (const std::exception& e) {
      // The database is away or a message could not be handled: the rows stay claimed until their
      // lease runs out and are tried again then. Keep going.
      log::write(log::Level::warn, {{"worker", "error"}, {"detail", e.what()}});
    }
    if (handled == 0) {
      const auto until = std::chrono::steady_clock::now() + options_.idle_wait;
      while (!stop.stop_requested() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

const Event* Worker::event(std::int64_t id, std::int64_t current_version, store::Tx& tx) {
  auto it = events_.find(id);
  if (it == events_.end() || it->second.version != current_version) {
    auto fresh = store::events::by_id(tx, id);
    if (!fresh) return nullptr;
    it = events_.insert_or_assign(id, *std::move(fresh)).first;
  }
  return &it->second;
}

void Worker::handle(const std::vector<Claimed>& batch, Instant now, std::chrono::steady_clock::time_point claimed_at) {
  // What the batch is about, read once.
  std::vector<std::int64_t> registration_ids, event_ids, announcement_ids;
  for (const auto& row : batch) {
    if (row.registration_id) registration_ids.push_back(*row.registration_id);
    if (row.event_id) event_ids.push_back(*row.event_id);
    if (row.kind == to_string(MessageKind::announcement)) announcement_ids.push_back(row.sequence);
  }
  std::map<std::int64_t, Registration> registrations;
  std::map<std::int64_t, const Event*> events;
  std::map<std::int64_t, store::announcements::Announcement> announcements;
  context_.store.autocommit([&](store::Tx& tx) {
    for (auto& r : store::registrations::by_ids(tx, registration_ids)) registrations.emplace(r.id, std::move(r));
    for (const auto& [id, version] : store::events::versions(tx, event_ids)) events[id] = event(id, version, tx);
    for (auto& a : store::announcements::by_ids(tx, announcement_ids)) announcements.emplace(a.id, std::move(a));
  });

  Outgoing out;
  const ical::Person sender = context_.config.sender();
  for (const auto& row : batch) {
    const auto kind = parse_message_kind(row.kind);
    if (!kind) {
      // Written by a newer version of convene (during a rolling upgrade) or by hand: never sent
      // as something else. Failed, with the reason, so that it shows in the deliveries.
      out.outcomes.push_back({&row, DeliveryStatus::failed, now, "unknown message kind '" + row.kind + "': not sent"});
      ++counters_.failed;
      continue;
    }
    if (*kind == MessageKind::sign_in) {
      sign_in_message(row, now, out);
      continue;
    }
    auto event_it = row.event_id ? events.find(*row.event_id) : events.end();
    if (*kind == MessageKind::invitation) {
      invitation_message(row, event_it == events.end() ? nullptr : event_it->second, now, out);
      continue;
    }
    auto registration_it = row.registration_id ? registrations.find(*row.registration_id) : registrations.end();
    if (registration_it == registrations.end() || event_it == events.end() || event_it->second == nullptr) {
      out.outcomes.push_back({&row, DeliveryStatus::skipped, now, "registration or event is gone"});
      continue;
    }
    const Registration& registration = registration_it->second;
    const Event& event = *event_it->second;
    if (auto reason = obsolete(row, *kind, registration, event, now)) {
      out.outcomes.push_back({&row, DeliveryStatus::skipped, now, *reason});
      continue;
    }
    const store::announcements::Announcement* announcement = nullptr;
    if (*kind == MessageKind::announcement) {
      const auto found = announcements.find(row.sequence);
      if (found == announcements.end() || found->second.withdrawn_at) {
        out.outcomes.push_back({&row, DeliveryStatus::skipped, now, "the announcement was withdrawn"});
        continue;
      }
      announcement = &found->second;
    }
    registrant_message(row, *kind, registration, event, announcement, now, out);
  }
  deliver(out, now, claimed_at);
}

void Worker::registrant_message(const Claimed& row, MessageKind kind, const Registration& registration,
                                const Event& event, const store::announcements::Announcement* announcement, Instant now,
                                Outgoing& out) {
  const ical::Person sender = context_.config.sender();
  // Fresh secrets for this message's links; only their hashes are stored.
  const SecretToken manage = context_.tokens.mint();
  out.tokens.push_back({registration.id, TokenPurpose::manage, manage.hash()});
  std::optional<SecretToken> join;
  const bool about_attending = kind != MessageKind::cancellation && kind != MessageKind::rejection &&
                               kind != MessageKind::announcement;
  if (registration.status == RegistrationStatus::confirmed && about_attending) {
    join = context_.tokens.mint();
    out.tokens.push_back({registration.id, TokenPurpose::join, join->hash()});
  }
  const std::string manage_url = context_.config.base_url + "/r/" + manage.text();
  const std::optional<std::string> join_url =
      join ? std::optional(context_.config.base_url + "/j/" + join->text()) : std::nullopt;

  const std::string organiser = event.organiser_name.value_or(sender.name.value_or(sender.email));
  const AnnouncementText* text = announcement ? &announcement->in(registration.language) : nullptr;
  const ComposedText composed =
      compose({kind, event, registration, row.session_id, manage_url, join_url, organiser, text});

  mail::Message message;
  message.from = {sender.email, event.organiser_name ? event.organiser_name : sender.name};
  message.to = {registration.email, registration.name};
  message.subject = composed.subject;
  message.text = composed.text;
  message.html = composed.html;
  if (kind != MessageKind::announcement) {
    // The invitation, updated or withdrawn, rides along (iMIP): about one session for a
    // session's cancellation, else every session.
    const std::optional<std::int64_t> about_one_session =
        kind == MessageKind::cancellation ? row.session_id : std::optional<std::int64_t>{};
    const ical::Calendar invite =
        registrant_invite(event, registration, InviteLinks{manage_url, join_url}, sender, now, about_one_session);
    message.calendar = mail::CalendarPart{std::string(ical::to_string(invite.method)), ical::write(invite)};
  }
  message.headers = {{"List-Unsubscribe", "<" + manage_url + ">"},
                     {"Content-Language", std::string(to_string(registration.language))}};
  out.add(row, kind, std::move(message), now, host_of(context_.config.base_url));
}

void Worker::sign_in_message(const Claimed& row, Instant now, Outgoing& out) {
  std::optional<store::sign_ins::Request> request;
  bool still_organiser = false;
  const SecretToken link = context_.tokens.mint();
  context_.store.transact([&](store::Tx& tx) {
    if (row.sign_in_id) request = store::sign_ins::find(tx, *row.sign_in_id);
    still_organiser = request && store::organisers::by_email(tx, request->email, "");
    // The link's token exists before the message carrying it leaves; it works from now on.
    if (still_organiser) store::sign_ins::set_token(tx, request->id, link.hash(), now + kSignInLinkLifetime);
  });
  if (!still_organiser) {
    out.outcomes.push_back({&row, DeliveryStatus::skipped, now, "the address is no longer an organiser's"});
    return;
  }
  const ComposedText composed =
      compose_sign_in(request->language, context_.config.base_url + "/organise/sign-in/" + link.text(),
                      static_cast<int>(kSignInLinkLifetime.count()));
  const ical::Person sender = context_.config.sender();
  mail::Message message;
  message.from = {sender.email, sender.name};
  message.to = {request->email, std::nullopt};
  message.subject = composed.subject;
  message.text = composed.text;
  message.html = composed.html;
  message.headers = {{"Content-Language", std::string(to_string(request->language))}};
  out.add(row, MessageKind::sign_in, std::move(message), now, host_of(context_.config.base_url));
}

void Worker::invitation_message(const Claimed& row, const Event* event, Instant now, Outgoing& out) {
  std::optional<store::invitations::Invitation> invitation;
  std::optional<std::string> obsolete;
  const SecretToken link = context_.tokens.mint();
  context_.store.transact([&](store::Tx& tx) {
    if (row.invitation_id) invitation = store::invitations::by_id(tx, *row.invitation_id);
    obsolete = obsolete_invitation(invitation, event);
    // The link's token exists before the message carrying it leaves.
    if (!obsolete) store::invitations::add_token(tx, invitation->id, link.hash());
  });
  if (obsolete) {
    out.outcomes.push_back({&row, DeliveryStatus::skipped, now, *obsolete});
    return;
  }
  const ical::Person sender = context_.config.sender();
  const ComposedText composed = compose_invitation(
      {*event, invitation->name, invitation->language,
       context_.config.base_url + "/events/" + event->slug + "?invitation=" + link.text(),
       event->organiser_name.value_or(sender.name.value_or(sender.email)), row.sequence > 0});
  mail::Message message;
  message.from = {sender.email, event->organiser_name ? event->organiser_name : sender.name};
  message.to = {invitation->email, invitation->name};
  message.subject = composed.subject;
  message.text = composed.text;
  message.html = composed.html;
  message.headers = {{"Content-Language", std::string(to_string(invitation->language))}};
  out.add(row, MessageKind::invitation, std::move(message), now, host_of(context_.config.base_url));
}

void Worker::Outgoing::add(const Claimed& row, MessageKind kind, mail::Message message, Instant now,
                           const std::string& message_host) {
  // One Message-ID per outbox row, the same on every attempt: a duplicate is recognisable as one.
  message.message_id = "<outbox-" + std::to_string(row.id) + "@" + message_host + ">";
  message.date = now;
  message.headers.insert(message.headers.begin(), {{"X-Convene-Kind", std::string(to_string(kind))},
                                                   {"Auto-Submitted", "auto-generated"}});
  envelopes.push_back({"outbox-" + std::to_string(row.id), message.from, message.to, mail::render(message)});
  rows.push_back(&row);
}

void Worker::deliver(Outgoing& out, Instant now, std::chrono::steady_clock::time_point claimed_at) {
  auto& outcomes = out.outcomes;
  auto& tokens = out.tokens;
  auto& envelopes = out.envelopes;
  auto& delivered_rows = out.rows;
  // The tokens exist before any message carrying them leaves.
  context_.store.autocommit([&](store::Tx& tx) { store::registrations::add_access_tokens(tx, tokens); });
  // What needs no delivery is recorded at once; deliveries as the mailer reports them.
  record(outcomes);
  if (envelopes.empty()) return;
  // The claim holds for `lease`; past half of it, what is not yet sent goes back, so that no other
  // worker can take a row over (its lease run out) while this one is still sending it.
  const auto deadline = claimed_at + options_.lease / 2;
  std::vector<bool> reported_rows(envelopes.size(), false);
  mailer_.deliver(envelopes, [&](const std::vector<std::pair<std::size_t, mail::Delivery>>& results) {
    std::vector<Outcome> reported;
    for (const auto& [index, delivery] : results) {
      reported_rows[index] = true;
      const Claimed& row = *delivered_rows[index];
      switch (delivery.outcome) {
        case mail::Delivery::delivered:
          reported.push_back({&row, DeliveryStatus::sent, now, ""});
          ++counters_.sent;
          break;
        case mail::Delivery::rejected:
          reported.push_back({&row, DeliveryStatus::failed, now, delivery.detail});
          ++counters_.failed;
          break;
        case mail::Delivery::retry_later:
          if (row.attempts >= options_.max_attempts) {
            reported.push_back({&row, DeliveryStatus::failed, now,
                                "gave up after " + std::to_string(row.attempts) + " attempts: " + delivery.detail});
            ++counters_.failed;
          } else {
            reported.push_back({&row, DeliveryStatus::pending, context_.clock() + retry_delay(row.attempts), delivery.detail});
            ++counters_.retried;
          }
          break;
      }
    }
    record(reported);
  }, [&] { return std::chrono::steady_clock::now() < deadline; });
  std::vector<Claimed> unsent;
  for (std::size_t i = 0; i < envelopes.size(); ++i) {
    if (!reported_rows[i]) unsent.push_back(*delivered_rows[i]);
  }
  if (!unsent.empty())
    context_.store.autocommit([&](store::Tx& tx) { store::outbox::release(tx, options_.name, unsent); });
}

void Worker::record(const std::vector<Outcome>& outcomes) {
  if (outcomes.empty()) return;
  for (const auto& o : outcomes) {
    if (o.status == DeliveryStatus::skipped) ++counters_.skipped;
  }
  const int recorded = context_.store.autocommit(
      [&](store::Tx& tx) { return store::outbox::record(tx, options_.name, outcomes, context_.clock()); });
  // Rows another worker took over after our lease ran out (we were too slow): it sends them too.
  counters_.lost_claims += static_cast<long>(outcomes.size()) - recorded;
}

}  // namespace convene::app
