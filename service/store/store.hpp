// The only code that speaks SQL. Every method of Transaction is one statement (or a few) with typed
// inputs and outputs; the use cases in service/app decide what to do with them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "convene/crypto.hpp"
#include "convene/event.hpp"
#include "convene/registration.hpp"
#include "store/pool.hpp"

namespace convene::store {

struct RegistrationInsert {
  enum Outcome { inserted, already_registered, event_changed, no_seat_or_duplicate } outcome;
  std::int64_t id;            // when inserted
  RegistrationStatus status;  // when inserted: confirmed, waitlisted or pending
};

struct IdempotencyRecord {
  Sha256 request_hash;
  std::optional<int> status;        // absent while the first request is still in flight
  std::optional<std::string> sealed_response;
};

// A session with where it belongs and the tz database its instant was computed with.
struct StoredSession {
  std::int64_t event_id;
  std::string event_slug;
  Session session;
  std::string tzdb_version;
};

struct SessionChange {
  std::int64_t session_id;
  const char* reason;  // "organiser" or "tzdata"
  Instant old_starts_at, new_starts_at;
  SessionStatus old_status, new_status;
  std::string old_tzdb_version;
  int new_sequence;
};

// A message a worker has claimed.
struct OutboxRow {
  std::int64_t id;
  std::int64_t registration_id;
  std::int64_t event_id;
  std::string kind;
  std::optional<std::int64_t> session_id;
  int offset_seconds;
  int sequence;
  int attempts;  // including this one
};

// A registration as organisers see it on the roster.
struct RosterEntry {
  Registration registration;
  std::optional<Instant> checked_in_at;
  std::optional<Instant> first_joined_at;
  std::optional<Instant> last_joined_at;
};

struct RosterFilter {
  std::optional<RegistrationStatus> status;
  std::optional<std::string> country;
  std::optional<std::string> like_pattern;  // matched against name, e-mail and organisation, folded
};

struct EventStats {
  std::map<std::string, int> by_status, by_country, by_timezone;
  int seats_left = 0, waitlist_length = 0, checked_in = 0, overbooked = 0;
};

struct DeliveryRow {
  std::int64_t id, registration_id;
  std::string kind;
  std::optional<std::int64_t> session_id;
  std::string status;
  int attempts;
  Instant due_at;
  std::optional<Instant> sent_at;
  std::optional<std::string> last_error;
};

struct AuditEntry {
  std::int64_t id;
  std::string actor, action;
  std::optional<std::int64_t> registration_id, session_id;
  std::string details;  // JSON text
  Instant at;
};

struct OrganiserGrant {
  std::int64_t organiser_id;
  std::string email;
  bool all_events;
  bool has_event;  // rights on the event asked about
};

// Typed statements over one connection: inside a transaction (Store::transact) or each committing
// on its own (Store::autocommit).
class Transaction {
 public:
  explicit Transaction(pqxx::transaction_base& tx) : tx_(tx) {}
  // Records in `changed` the ids of registrations whose invite may look different after this work.
  Transaction(pqxx::transaction_base& tx, std::vector<std::int64_t>& changed) : tx_(tx), changed_(&changed) {}

  // Events.
  std::optional<Event> event_by_slug(std::string_view slug);
  std::optional<Event> event_by_id(std::int64_t id);
  // Published events with id > after_id, in id order.
  std::vector<Event> published_events(std::int64_t after_id, int limit);
  // Returns the new id, or nullopt if the slug is taken.
  std::optional<std::int64_t> insert_event(const Event& event);
  void update_event(const Event& event);
  Session insert_session(std::int64_t event_id, const NewSession& session);
  void update_session(std::int64_t event_id, const Session& session);
  // Scheduled sessions starting after `after`, locked for update (tz-refresh).
  std::vector<StoredSession> scheduled_sessions_after(Instant after);
  void record_session_change(const SessionChange& change);

  // Capacity. Seats are rows; see sql/001_init.sql.
  void add_seats(std::int64_t event_id, int first_seat_no, int last_seat_no);
  // Serialises the slow paths of one event (waitlisting, freeing and moving seats), never the fast
  // path of taking a free seat.
  void lock_capacity(std::int64_t event_id);
  int confirmed_count(std::int64_t event_id);
  // Removes seats numbered above `capacity`; their holders move to free seats below. The caller has
  // checked that confirmed_count <= capacity and holds lock_capacity.
  void shrink_seats(std::int64_t event_id, int capacity);
  // Gives free seats to the oldest waitlisted registrants; returns the ids promoted.
  std::vector<std::int64_t> fill_seats_from_waitlist(std::int64_t event_id, Instant now);

  // Registrations.
  struct NewRegistration {
    std::int64_t event_id;
    const RegistrationRequest& request;
    const TimeZone& zone;
    Language language;
    Sha256 manage_token_hash;
    Instant now;
  };
  // One statement: inserts the registration if `checked_against` (the event whose rules the caller
  // applied) is still the current version. It takes a free seat when one is free and not being
  // taken right now, searching from `first_seat_to_try` (spread these at random) and wrapping
  // around. Without a seat to take it inserts nothing unless waitlisting is allowed; then the
  // registration is waitlisted, and the caller must try claim_seat_waiting under lock_capacity in
  // the same transaction. Events that need approval give pending registrations and no seat.
  enum class Waitlisting { refused, allowed };
  RegistrationInsert insert_registration(const NewRegistration& r, const Event& checked_against,
                                         int first_seat_to_try, Waitlisting waitlisting);
  // Slow path: waits for seats being taken by others to settle, then takes one if any is free and
  // marks the registration confirmed. Call under lock_capacity.
  bool claim_seat_waiting(std::int64_t event_id, std::int64_t registration_id, Instant now);
  // Cancels or rejects; returns whether a seat was freed (then fill it: fill_seats_from_waitlist).
  // Call under lock_capacity.
  bool end_registration(std::int64_t id, RegistrationStatus status, Instant now);
  std::optional<Registration> registration_by_token_hash(const Sha256& hash, bool for_update);
  // For reads: the registration with its event's slug and current version (one statement), so the
  // caller can use a cached copy of the event when its version still matches.
  struct RegistrationAndEvent {
    Registration registration;
    std::string event_slug;
    std::int64_t event_version;
  };
  std::optional<RegistrationAndEvent> registration_and_event_version(const Sha256& hash);
  std::optional<std::int64_t> event_version(std::string_view slug);
  std::optional<Registration> registration_by_id(std::int64_t id);
  void update_registration_details(const Registration& registration, Instant now);

  // Outbox (notifications). Writers enqueue in the transaction of the change that causes the message.
  // `sequence` tells apart messages of one kind about successive versions (see the unique key).
  void enqueue(std::int64_t registration_id, std::int64_t event_id, std::string_view kind,
               std::optional<std::int64_t> session_id, int sequence, Instant due);
  // The same message for every active registrant (confirmed, waitlisted, pending) of an event.
  int enqueue_for_active_registrants(std::int64_t event_id, std::string_view kind, std::int64_t session_id,
                                     int sequence, Instant due);
  // Creates the reminders that are due by `until` and not yet created: for confirmed registrants who
  // registered before the reminder was due, sessions still to start. Returns how many.
  int plan_reminders(Instant now);
  // Deletes Idempotency-Key records older than 24 hours (at most `limit` of them); returns how many.
  int purge_idempotency_keys(Instant now, int limit);
  // Claims up to `limit` due messages (pending, or sending with an expired lease) for `worker`.
  std::vector<OutboxRow> claim_outbox(std::string_view worker, Instant now, std::chrono::seconds lease, int limit);
  // What became of claimed messages, recorded in one statement. Each applies only if `worker` still
  // holds the claim (same attempt); returns how many did (the rest were taken over meanwhile).
  struct OutboxOutcome {
    const OutboxRow* row;
    std::string status;  // sent, pending (retry at due), failed, skipped
    Instant due;         // for pending
    std::string detail;  // last_error: the error, or why skipped
  };
  int record_outbox_outcomes(std::string_view worker, const std::vector<OutboxOutcome>& outcomes, Instant now);
  // Gives claimed messages back untouched (a worker stopping before it got to them).
  void release_outbox(std::string_view worker, const std::vector<OutboxRow>& rows);
  std::vector<Registration> registrations_by_ids(const std::vector<std::int64_t>& ids);
  // Current versions of events, to tell which cached copies are still good.
  std::map<std::int64_t, std::int64_t> event_versions(const std::vector<std::int64_t>& ids);
  // Re-sends the confirmation of the registration of `email` for an event, at most once an hour.
  bool enqueue_confirmation_resend(std::int64_t event_id, std::string_view email, Instant now);

  // Tokens for links in e-mails (only their hashes are stored), in one statement.
  struct NewAccessToken {
    std::int64_t registration_id;
    const char* purpose;  // "manage" or "join"
    Sha256 hash;
  };
  void add_access_tokens(const std::vector<NewAccessToken>& tokens);
  // The registration a join token belongs to, recording the join (first and last time).
  std::optional<Registration> join_by_token_hash(const Sha256& token_hash, Instant now);

  // Organisers' views.
  std::vector<RosterEntry> roster_page(std::int64_t event_id, const RosterFilter& filter, std::int64_t after_id,
                                       int limit);
  // A page of the CSV export: each row's fields as text, in the order of kExportColumns, and the
  // last id (for the next page). Formatting happens in the database, next to the data.
  std::vector<std::vector<std::string>> export_page(std::int64_t event_id, std::int64_t after_id, int limit,
                                                    std::int64_t& last_id);
  std::optional<RosterEntry> roster_entry(std::int64_t event_id, std::int64_t registration_id, bool for_update);
  EventStats event_stats(std::int64_t event_id);
  std::vector<DeliveryRow> deliveries_page(std::int64_t event_id, std::optional<std::string_view> status,
                                           std::optional<std::string_view> kind, std::int64_t after_id, int limit);
  std::vector<AuditEntry> audit_page(std::int64_t event_id, std::int64_t after_id, int limit);
  void set_checked_in(std::int64_t registration_id, std::optional<Instant> at);
  // Takes a seat beyond capacity for a registration an organiser confirms anyway.
  void take_extra_seat(std::int64_t event_id, std::int64_t registration_id, Instant now);
  // A registration an organiser reinstates gets a newer invite than the cancellation it was sent.
  void bump_invite_sequence(std::int64_t registration_id);
  // The next number for a re-sent or re-issued confirmation (the unique key's sequence).
  int next_confirmation_sequence(std::int64_t registration_id);
  void audit(std::int64_t event_id, std::optional<std::int64_t> organiser_id, std::string_view actor,
             std::string_view action, std::optional<std::int64_t> registration_id,
             std::optional<std::int64_t> session_id, const std::string& details_json);
  // Removes the personal data of a registration; keeps what counts need. See sql/005.
  void erase_registration(std::int64_t registration_id, Instant now);

  // For /metrics.
  std::map<std::string, long> registrations_by_status();
  struct OutboxDepth {
    long due = 0;                // pending or sending, due now
    double oldest_due_seconds = 0;  // how long the oldest of them has been due
    std::map<std::string, long> by_status;
  };
  OutboxDepth outbox_depth();

  // Idempotency-Key records.
  // Claims the key for this request: true if it was free. Blocks while another transaction holds it.
  bool claim_idempotency_key(const Sha256& key_hash, const Sha256& request_hash);
  std::optional<IdempotencyRecord> idempotency_record(const Sha256& key_hash);
  void complete_idempotency_key(const Sha256& key_hash, int status, const std::string& sealed_response,
                                std::int64_t registration_id);

  // Organisers.
  std::int64_t insert_organiser(std::string_view email, const Sha256& token_hash, bool all_events);
  bool grant_event(std::int64_t organiser_id, std::string_view slug);
  void grant_event(std::int64_t organiser_id, std::int64_t event_id);
  // Rights of a live (unrevoked) token on an event (slug may be empty: no event asked about).
  std::optional<OrganiserGrant> organiser_by_token_hash(const Sha256& token_hash, std::string_view slug);
  int revoke_organisers(std::string_view email);

  std::string server_secret(std::string_view name);

  pqxx::transaction_base& raw() { return tx_; }

 private:
  std::vector<Session> sessions_of(std::int64_t event_id);
  std::optional<Event> event_where(const std::string& statement, const std::string& key);

  void changed(std::int64_t registration_id) {
    if (changed_) changed_->push_back(registration_id);
  }

  pqxx::transaction_base& tx_;
  std::vector<std::int64_t>* changed_ = nullptr;
};

// The SQL of a named prepared statement (for `convene sql NAME`, which the benchmarks use to run
// exactly what the service runs).
std::optional<std::string> statement_sql(std::string_view name);

class Store {
 public:
  explicit Store(PoolOptions options);

  // Runs `work` in a read-committed transaction and commits it, unless `work` returns a
  // std::expected holding an error: then everything it wrote is rolled back. Transient conflicts
  // (deadlock, serialisation failure) are retried; a lost or unreachable database becomes
  // DatabaseUnavailable.
  template <class Work>
  auto transact(Work&& work) {
    return run<pqxx::work>(std::forward<Work>(work));
  }

  // Runs `work` with every statement committing on its own: one round trip per statement, for
  // work that is a single statement (or whose statements are each safe alone).
  template <class Work>
  auto autocommit(Work&& work) {
    return run<pqxx::nontransaction>(std::forward<Work>(work));
  }

  Pool& pool() { return pool_; }

  // Called with the ids of the registrations a piece of work changed (see Transaction::changed),
  // after it committed, rolled back or ended with an unknown outcome: a needless call costs a
  // cache a miss, a missing one would leave it a stale copy. Set it before serving.
  using RegistrationsChanged = std::function<void(const std::vector<std::int64_t>&)>;
  void on_registrations_changed(RegistrationsChanged report) { registrations_changed_ = std::move(report); }

 private:
  // Reports the changes of one attempt when it goes out of scope, after its transaction has ended.
  struct ChangeReport {
    const RegistrationsChanged& report;
    std::vector<std::int64_t> ids = {};
    ~ChangeReport() {
      if (!ids.empty() && report) report(ids);
    }
  };

  template <class Tx, class Work>
  auto run(Work&& work) {
    for (int attempt = 1;; ++attempt) {
      auto lease = pool_.acquire();
      ChangeReport changes{registrations_changed_};
      try {
        Tx tx(*lease);
        Transaction t(tx, changes.ids);
        if constexpr (std::is_void_v<decltype(work(t))>) {
          work(t);
          tx.commit();
          return;
        } else {
          auto result = work(t);
          if (succeeded(result)) tx.commit();
          else tx.abort();
          return result;
        }
      } catch (const pqxx::transaction_rollback&) {
        if (attempt == 3) throw;
      } catch (...) {
        translate_failure(lease);
      }
    }
  }

  template <class T>
  static bool succeeded(const T& result) {
    if constexpr (requires { result.has_value(); typename T::error_type; }) return result.has_value();
    else return true;
  }

  // Rethrows the current exception, as DatabaseUnavailable when it means the database is away.
  [[noreturn]] static void translate_failure(Pool::Lease& lease);

  Pool pool_;
  RegistrationsChanged registrations_changed_;
};

}  // namespace convene::store
