// The notification worker: plans reminders as they come due, claims due outbox rows
// (FOR UPDATE SKIP LOCKED, so any number of workers share one database), renders each message in
// the registrant's language, delivers it, and records the outcome.
//
// Guarantees: a message is marked sent only after the mailer accepted it; a worker that dies
// leaves its claims to expire (lease), after which another worker sends them. So nothing is lost,
// and a message is sent twice only if a worker died between the mailer accepting it and the row
// being marked; both copies then carry the same Message-ID (the outbox row's), which lets mail
// systems and people see them as one.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <stop_token>
#include <string>

#include "app/context.hpp"
#include "convene/outbox.hpp"
#include "convene/registration.hpp"
#include "mail/mailer.hpp"

namespace convene::store {
class Tx;
namespace outbox {
struct Claimed;
struct Outcome;
}  // namespace outbox
namespace announcements {
struct Announcement;
}  // namespace announcements
namespace registrations {
struct NewAccessToken;
}  // namespace registrations
}  // namespace convene::store

namespace convene::app {

// How a worker behaves; worker_options(config) makes them from the configuration, whose defaults
// (app/config.hpp) are the only ones.
struct WorkerOptions {
  std::string name;                     // recorded on claimed rows; unique per worker
  int batch;                            // messages claimed at a time
  std::chrono::seconds lease;           // longer than any one delivery (SMTP times out at 60 s)
  int max_attempts;                     // then the message is marked failed, its error kept
  std::chrono::seconds first_retry;     // doubled each attempt, with +-20% jitter, at most 1 hour
  std::chrono::milliseconds idle_wait;  // between polls when nothing is due
  std::chrono::seconds plan_every;      // how often reminders that came due are planned
};

// Read by /metrics from other threads: atomic.
struct WorkerCounters {
  std::atomic<long> sent{0}, retried{0}, failed{0}, skipped{0}, lost_claims{0};
};

// One delivery loop. Threads: a Worker runs on one thread (run); its counters may be read from
// any other. Any number of workers, in any number of processes, share one database.
class Worker {
 public:
  Worker(Context& context, mail::Mailer& mailer, WorkerOptions options);
  // Plans reminders if it is time, indexes a batch of the roster search's notes, then claims and
  // handles one batch of messages. Returns how many notes and messages it took: 0 when nothing waited.
  int run_once(const std::stop_token& stop = {});
  // Until `stop` is requested; claims not yet handled when it is are given back.
  void run(std::stop_token stop);
  const WorkerCounters& counters() const { return counters_; }

 private:
  // Handles a claimed batch: one read of its registrations, one check of its events, one insert of
  // its tokens, one delivery call, one write of its outcomes.
  // What one batch sends, and what became of the rest.
  struct Outgoing {
    std::vector<store::outbox::Outcome> outcomes;               // decided without sending
    std::vector<store::registrations::NewAccessToken> tokens;   // the links' tokens, stored before sending
    std::vector<mail::Envelope> envelopes;
    std::vector<const store::outbox::Claimed*> rows;           // parallel to envelopes
    void add(const store::outbox::Claimed& row, MessageKind kind, mail::Message message, Instant now,
             const std::string& message_host);
  };
  void handle(const std::vector<store::outbox::Claimed>& batch, Instant now,
              std::chrono::steady_clock::time_point claimed_at);
  void registrant_message(const store::outbox::Claimed& row, MessageKind kind, const Registration& registration,
                          const Event& event, const store::announcements::Announcement* announcement, Instant now,
                          Outgoing& out);
  void sign_in_message(const store::outbox::Claimed& row, Instant now, Outgoing& out);
  void invitation_message(const store::outbox::Claimed& row, const Event* event, Instant now, Outgoing& out);
  void deliver(Outgoing& out, Instant now, std::chrono::steady_clock::time_point claimed_at);
  const Event* event(std::int64_t id, std::int64_t current_version, store::Tx& tx);
  void record(const std::vector<store::outbox::Outcome>& outcomes);
  std::chrono::seconds retry_delay(int attempts);

  Context& context_;
  mail::Mailer& mailer_;
  WorkerOptions options_;
  WorkerCounters counters_;
  std::chrono::steady_clock::time_point next_plan_{};
  std::map<std::int64_t, Event> events_;  // by id; checked against the database's version per batch
};

// A name for this worker process: host, process id and a random suffix.
std::string default_worker_name();
// The options the configuration asks for.
WorkerOptions worker_options(const Config& config);

}  // namespace convene::app
