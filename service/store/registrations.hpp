// Registrations, and the tokens minted for the links in their e-mails (only hashes are stored).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "convene/crypto.hpp"
#include "convene/event.hpp"
#include "convene/outbox.hpp"
#include "convene/registration.hpp"
#include "store/store.hpp"

namespace convene::store::registrations {

// A registration to write, and the event whose rules the caller applied to it.
struct NewRegistration {
  const RegistrationRequest& request;
  const TimeZone& zone;
  Language language;
  Sha256 manage_token_hash;
  Instant now;
};

enum class Waitlisting { refused, allowed };

struct Inserted {
  enum Outcome { inserted, already_registered, event_changed, no_seat } outcome;
  std::int64_t id = 0;                                      // when inserted
  RegistrationStatus status = RegistrationStatus::pending;  // when inserted: confirmed, waitlisted or pending
};

// One statement, the fast path of the opening rush: inserts the registrations of `rows` (a batch of
// concurrent requests for one event, or just one) if `checked_against` (the event whose rules the
// caller applied) is still the current version, and queues `message` for each in the same statement.
// Each takes a free seat when one is free and not being taken right now, searching from
// `first_seat_to_try` (spread these at random) and wrapping around, so concurrent statements lock
// different rows. Without a seat to take a row is not written unless waitlisting is allowed; then
// the registration is waitlisted, and the caller must settle it (seats::claim_waiting under
// seats::lock_capacity) in the same transaction. Events that need approval give pending
// registrations and no seat. One outcome per row, in order. A row whose address is registered
// (before, or by an earlier row of the batch) is not written: already_registered, or no_seat when it
// found no seat and waitlisting is refused (the caller's waitlisting path then finds the duplicate).
std::vector<Inserted> insert(Tx& tx, std::span<const NewRegistration> rows, const Event& checked_against,
                             int first_seat_to_try, Waitlisting waitlisting, MessageKind message);
inline Inserted insert(Tx& tx, const NewRegistration& row, const Event& checked_against, int first_seat_to_try,
                       Waitlisting waitlisting, MessageKind message) {
  return insert(tx, std::span(&row, 1), checked_against, first_seat_to_try, waitlisting, message)[0];
}

// The registration a manage token belongs to (the one returned at registration, or one minted for
// an e-mail); `for_update` locks its row.
std::optional<Registration> by_token_hash(Tx& tx, const Sha256& hash, bool for_update);
// For reads: the registration with its event's slug and current version (one statement), so the
// caller can use a cached copy of the event when its version still matches.
struct WithEventVersion {
  Registration registration;
  std::string event_slug;
  std::int64_t event_version;
};
std::optional<WithEventVersion> with_event_version(Tx& tx, const Sha256& hash);
std::vector<Registration> by_ids(Tx& tx, const std::vector<std::int64_t>& ids);

// What a registrant may change: name, organisation, zone, language.
void update_details(Tx& tx, const Registration& registration, Instant now);
void set_checked_in(Tx& tx, std::int64_t registration_id, std::optional<Instant> at, Instant now);
// A registration reinstated by an organiser gets a newer invite than the cancellation it was sent.
void bump_invite_sequence(Tx& tx, std::int64_t registration_id);
// The next number for a re-sent or re-issued confirmation (the outbox key's sequence).
int next_confirmation_sequence(Tx& tx, std::int64_t registration_id);
// Removes what names or reaches the person; keeps what counts need (sql/005).
void erase(Tx& tx, std::int64_t registration_id, Instant now);

// Tokens for links in e-mails, in one statement.
struct NewAccessToken {
  std::int64_t registration_id;
  TokenPurpose purpose;
  Sha256 hash;
};
void add_access_tokens(Tx& tx, const std::vector<NewAccessToken>& tokens);
// The registration a join token belongs to, recording the join (first and last time) when it is
// confirmed.
std::optional<Registration> join_by_token_hash(Tx& tx, const Sha256& token_hash, Instant now);

}  // namespace convene::store::registrations
