// The only code that speaks SQL. Every method of Transaction is one statement (or a few) with typed
// inputs and outputs; the use cases in service/app decide what to do with them.
#pragma once

#include <cstdint>
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

struct InsertedRegistration {
  std::int64_t id;
  RegistrationStatus status;
};

struct IdempotencyRecord {
  Sha256 request_hash;
  std::optional<int> status;        // absent while the first request is still in flight
  std::optional<std::string> sealed_response;
};

struct OrganiserGrant {
  std::int64_t organiser_id;
  bool all_events;
  bool has_event;  // rights on the event asked about
};

class Transaction {
 public:
  explicit Transaction(pqxx::transaction_base& tx) : tx_(tx) {}

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
  // Fast path: takes a free seat if one is free and not being taken right now (SKIP LOCKED);
  // otherwise the registration is inserted waitlisted and the caller must try claim_seat_waiting
  // under lock_capacity. nullopt when the address is already registered for the event.
  std::optional<InsertedRegistration> insert_registration_taking_seat(const NewRegistration& r);
  // Inserts without a seat (pending approval). nullopt when the address is already registered.
  std::optional<InsertedRegistration> insert_registration_pending(const NewRegistration& r);
  // Slow path: waits for seats being taken by others to settle, then takes one if any is free and
  // marks the registration confirmed. Call under lock_capacity.
  bool claim_seat_waiting(std::int64_t event_id, std::int64_t registration_id, Instant now);
  std::optional<Registration> registration_by_token_hash(const Sha256& hash, bool for_update);
  std::optional<Registration> registration_by_id(std::int64_t id);
  void update_registration_details(const Registration& registration, Instant now);
  void set_registration_status(std::int64_t id, RegistrationStatus status, Instant now);
  // Frees the seat a registration holds, if any; returns whether it held one.
  bool release_seat(std::int64_t registration_id);

  // Idempotency-Key records.
  // Claims the key for this request: true if it was free. Blocks while another transaction holds it.
  bool claim_idempotency_key(const Sha256& key_hash, const Sha256& request_hash);
  std::optional<IdempotencyRecord> idempotency_record(const Sha256& key_hash);
  void complete_idempotency_key(const Sha256& key_hash, int status, const std::string& sealed_response);

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

  pqxx::transaction_base& tx_;
};

class Store {
 public:
  explicit Store(PoolOptions options);

  // Runs `work` in a read-committed transaction and commits it, unless `work` returns a
  // std::expected holding an error: then everything it wrote is rolled back. Transient conflicts
  // (deadlock, serialisation failure) are retried; a lost or unreachable database becomes
  // DatabaseUnavailable.
  template <class Work>
  auto transact(Work&& work) {
    for (int attempt = 1;; ++attempt) {
      auto lease = pool_.acquire();
      try {
        pqxx::work tx(*lease);
        Transaction t(tx);
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

  Pool& pool() { return pool_; }

 private:
  template <class T>
  static bool succeeded(const T& result) {
    if constexpr (requires { result.has_value(); typename T::error_type; }) return result.has_value();
    else return true;
  }

  // Rethrows the current exception, as DatabaseUnavailable when it means the database is away.
  [[noreturn]] static void translate_failure(Pool::Lease& lease);

  Pool pool_;
};

}  // namespace convene::store
