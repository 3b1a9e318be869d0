// Invitations to invitation-only events, the tokens of their links (hashes only), and the messages
// that carry them (the invitation, and each reminder, queued in the outbox).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "convene/crypto.hpp"
#include "convene/invitation.hpp"
#include "convene/time.hpp"
#include "store/store.hpp"

namespace convene::store::invitations {

struct Invitation {
  std::int64_t id;
  std::int64_t event_id;
  std::string email;
  std::optional<std::string> name;
  Language language;
  Instant invited_at;
  int reminders;                                 // queued so far
  std::optional<Instant> used_at;                // when the invitee registered with it
  std::optional<std::int64_t> registration_id;   // that registration, until it is deleted
};

// What inviting a list came to. Each address is invited once per event; one already registered for
// the event is not invited (they are in).
struct Invited {
  int invited = 0;
  int already_invited = 0;
  int already_registered = 0;
};
// Writes the new invitations and queues each one's message, in one statement.
Invited invite(Tx& tx, std::int64_t event_id, const std::vector<Invitee>& invitees, Instant now);

// The event's invitations with id > after_id, by id, at most `limit`; only those in `status` if given.
std::vector<Invitation> page(Tx& tx, std::int64_t event_id, std::optional<InvitationStatus> status,
                             std::int64_t after_id, int limit);
std::optional<Invitation> by_id(Tx& tx, std::int64_t id);

enum class Withdrawal { withdrawn, used, not_found };
// Deletes an unused invitation of the event, with its tokens and the messages not yet sent.
Withdrawal withdraw(Tx& tx, std::int64_t event_id, std::int64_t id);

// Queues one more reminder for every unused invitation of the event; returns how many.
int remind(Tx& tx, std::int64_t event_id, Instant now);

// The token of a link an invitation message carries. Every such link works until the invitation is used.
void add_token(Tx& tx, std::int64_t invitation_id, const Sha256& token_hash);

// The unused invitation of the event that the token belongs to, if it was sent to `email` (letter
// case aside), locked until the transaction ends: concurrent registrations with one invitation wait
// here, and find it used once the first commits.
std::optional<std::int64_t> hold_unused(Tx& tx, std::int64_t event_id, const Sha256& token_hash, std::string_view email);
// Marks a held invitation used by the registration just written, in the same transaction.
void use(Tx& tx, std::int64_t invitation_id, std::int64_t registration_id, Instant now);

}  // namespace convene::store::invitations
