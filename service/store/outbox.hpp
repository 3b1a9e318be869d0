// The outbox: messages written in the transaction of the change that causes them, claimed by
// workers (FOR UPDATE SKIP LOCKED, under a lease), and what became of each. A unique key on
// (registration, kind, session, offset, sequence) makes "sent once" a database fact.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convene/outbox.hpp"
#include "convene/time.hpp"
#include "store/store.hpp"

namespace convene::store::outbox {

// One message about a registration. `sequence` tells apart messages of one kind about successive
// versions of the same thing (see the unique key); a copy already queued is not queued again.
struct Message {
  std::int64_t registration_id;
  std::int64_t event_id;
  MessageKind kind;
  std::optional<std::int64_t> session_id = std::nullopt;
  int sequence = 0;
};
void enqueue(Tx& tx, const Message& message, Instant due);
// The same message about a session for every active registrant of an event.
int enqueue_for_active_registrants(Tx& tx, std::int64_t event_id, MessageKind kind, std::int64_t session_id,
                                   int sequence, Instant due);
// The confirmation again, for the registration of `email` at an event, at most once an hour
// (that is how a person gets their link back). Returns whether it was queued.
bool enqueue_confirmation_resend(Tx& tx, std::int64_t event_id, std::string_view email, Instant now);
// Creates the reminders due by `now` and not yet created: for confirmed registrants who registered
// before the reminder was due, sessions still to start. Returns how many.
int plan_reminders(Tx& tx, Instant now);

// A message a worker has claimed.
struct Claimed {
  std::int64_t id;
  std::optional<std::int64_t> registration_id;  // a message to a registrant
  std::optional<std::int64_t> sign_in_id;       // a sign-in link to an organiser's address
  std::optional<std::int64_t> invitation_id;    // an invitation, or a reminder of it, to an invitee
  std::optional<std::int64_t> event_id;
  std::string kind;  // as stored: a newer version of convene may write kinds this one does not know
  std::optional<std::int64_t> session_id;
  int offset_seconds;
  int sequence;  // of announcements: the announcement's id; of invitations: 0, then the reminder's number
  int attempts;  // including this one
};
// Claims up to `limit` due messages (pending, or sending with an expired lease) for `worker`.
std::vector<Claimed> claim(Tx& tx, std::string_view worker, Instant now, std::chrono::seconds lease, int limit);

// What became of a claimed message. Applies only if `worker` still holds the claim (same attempt).
struct Outcome {
  const Claimed* message;
  DeliveryStatus status;  // sent, pending (retry at `due`), failed or skipped
  Instant due;
  std::string detail;     // the error, or why skipped
};
// Records outcomes in one statement; returns how many applied (the rest were taken over meanwhile).
int record(Tx& tx, std::string_view worker, const std::vector<Outcome>& outcomes, Instant now);
// Gives claimed messages back untouched (a worker stopping before it got to them).
void release(Tx& tx, std::string_view worker, const std::vector<Claimed>& messages);

// For /metrics.
struct Depth {
  long due = 0;                   // pending or sending, due now
  double oldest_due_seconds = 0;  // how long the oldest of them has been due
  std::map<std::string, long> by_status;
};
Depth depth(Tx& tx);

}  // namespace convene::store::outbox
