// Group commit: work of concurrent requests on one key (registrations for one version of one event)
// is done together, one batch at a time, so that one transaction and one WAL flush serve many.
//
// No timer: a request that finds its lane free writes at once, alone or with whoever queued before
// it. While a batch of the lane is being written, the requests that arrive queue; when it is done (a
// connection is free again) the first one queued writes the next batch, holding everything queued
// by then, up to `max_batch`. So a quiet service writes each request on its own as soon as it comes,
// and a rush fills batches in proportion to how long each takes. A second batch is written beside
// the first only once a full batch waits: before that, waiting for the first one's commit only makes
// the next batch bigger, and a statement's cost is mostly paid once per batch (bench/registration.sh
// prints both parts), so two half batches written at once cost more than one whole. The thread of a
// queued request does the writing (leader and followers): no thread of its own, nothing to stop.
//
// Deadlines (convene/request_deadline.hpp): a request still queued when its deadline passes leaves the
// queue unwritten (DatabaseTimeout: nothing changed), and a batch is written to the earliest deadline
// of its members, so that batches stuck behind a stalled database keep nobody waiting past theirs.
//
// Threads: shared by every HTTP thread of a process; submit may be called from any of them.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "convene/request_deadline.hpp"
#include "convene/unavailable.hpp"

namespace convene::app {

template <class Work>
class GroupCommit {
 public:
  // How many batches of one lane may be written at once, when full ones wait: while one waits for
  // its commit's flush, the next is already being written.
  static constexpr std::size_t kBatchesInFlight = 2;

  using Key = std::pair<std::int64_t, std::int64_t>;
  // Writes a batch; each item's outcome goes into the item. Throwing fails the whole batch: every
  // submit of it throws the same exception (an unknown outcome is every member's).
  using Writer = std::function<void(std::span<Work* const>)>;

  struct Figures {
    std::uint64_t batches = 0;  // batches written (or failed)
    std::uint64_t requests = 0;  // requests they held: requests / batches is the mean batch
  };

  explicit GroupCommit(std::size_t max_batch) : max_batch_(max_batch < 1 ? 1 : max_batch) {}

  // Queues `work` on lane `key` and returns once a batch holding it was written, by this thread or
  // another; `write` is called only if this thread writes the batch.
  void submit(Key key, Work& work, const Writer& write) {
    const auto ticket = std::make_shared<Ticket>(&work, RequestDeadline::current());
    Wakeups wakeups;
    {
      std::unique_lock lock(mutex_);
      Lane& lane = lanes_[key];
      lane.queued.push_back(ticket);
      // When the first one queued may write now (this request made a full batch, to be written beside
      // the one in flight), it is woken under the mutex, unlike elsewhere: this thread lets go of the
      // mutex at once, waiting below.
      if (lane.queued.front() != ticket && may_write(lane)) lane.queued.front()->wake.notify_one();
      // Once another thread's batch holds this request, only that batch settles it; the batch is
      // written to its earliest member's deadline, so waiting for it without one of our own is bounded
      // (and a wait_until on a deadline already past would return at once, spinning on the mutex).
      bool in_a_batch = false;
      while (!ticket->done) {
        if (may_write(lane) && lane.queued.front() == ticket) {
          write_next_batch(key, lane, lock, write, *ticket, wakeups);
          break;
        }
        if (!ticket->deadline || in_a_batch) {
          ticket->wake.wait(lock);
        } else if (ticket->wake.wait_until(lock, *ticket->deadline) == std::cv_status::timeout && !ticket->done) {
          const auto queued = std::find(lane.queued.begin(), lane.queued.end(), ticket);
          if (queued == lane.queued.end()) {
            in_a_batch = true;
            continue;
          }
          // Not taken into a batch yet: it leaves unwritten.
          lane.queued.erase(queued);
          wake_next(lane, wakeups);
          if (lane.queued.empty() && lane.in_flight == 0) lanes_.erase(key);
          ticket->failure = std::make_exception_ptr(DatabaseTimeout(kOutOfTime));
          break;
        }
      }
    }
    for (const auto& woken : wakeups) woken->wake.notify_one();
    if (ticket->failure) std::rethrow_exception(ticket->failure);
  }

  Figures figures() const {
    std::lock_guard lock(mutex_);
    return figures_;
  }

 private:
  struct Ticket {
    Ticket(Work* work, std::optional<RequestDeadline::Time> deadline) : work(work), deadline(deadline) {}
    Work* work;
    std::optional<RequestDeadline::Time> deadline;
    std::condition_variable wake;
    bool done = false;
    std::exception_ptr failure;
  };
  // Tickets are shared: a thread that must wake others does so after it let go of the mutex (one
  // woken while it is held would only wake to wait for it), and by then a ticket's owner may have
  // seen it done and returned.
  using TicketPtr = std::shared_ptr<Ticket>;
  using Wakeups = std::vector<TicketPtr>;
  struct Lane {
    std::deque<TicketPtr> queued;
    std::size_t in_flight = 0;
  };

  static constexpr const char* kOutOfTime = "the batches before this request did not finish in its time";

  // Writes the next batch, on the thread of `own` (first in the queue, though perhaps out of time);
  // the tickets to wake go into `wakeups`.
  void write_next_batch(const Key& key, Lane& lane, std::unique_lock<std::mutex>& lock, const Writer& write,
                        Ticket& own, Wakeups& wakeups) {
    std::vector<TicketPtr> batch;
    std::vector<Work*> works;
    std::optional<RequestDeadline::Time> earliest;
    const auto now = std::chrono::steady_clock::now();
    while (!lane.queued.empty() && batch.size() < max_batch_) {
      TicketPtr ticket = std::move(lane.queued.front());
      lane.queued.pop_front();
      if (ticket->deadline && *ticket->deadline <= now) {
        // Its time ran out while it queued: written, it would fail the whole batch at once.
        ticket->failure = std::make_exception_ptr(DatabaseTimeout(kOutOfTime));
        ticket->done = true;
        if (ticket.get() != &own) wakeups.push_back(std::move(ticket));
        continue;
      }
      works.push_back(ticket->work);
      if (ticket->deadline) earliest = earliest ? std::min(*earliest, *ticket->deadline) : *ticket->deadline;
      batch.push_back(std::move(ticket));
    }
    if (batch.empty()) {  // everyone queued was out of time
      wake_next(lane, wakeups);
      if (lane.queued.empty() && lane.in_flight == 0) lanes_.erase(key);
      return;
    }
    ++lane.in_flight;
    ++figures_.batches;
    figures_.requests += batch.size();
    // Another batch may start beside this one: its leader is woken now, not after this batch.
    if (may_write(lane)) {
      const TicketPtr next = lane.queued.front();
      lock.unlock();
      next->wake.notify_one();
    } else {
      lock.unlock();
    }
    std::exception_ptr failure;
    try {
      std::optional<RequestDeadline> batch_deadline;
      if (earliest) batch_deadline.emplace(*earliest);
      write(works);
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    --lane.in_flight;
    // The next batch's writer is woken first: the lane waits on it, this batch's members only on
    // their own replies (each wake-up is a system call, and a batch holds up to `max_batch`).
    wake_next(lane, wakeups);
    for (TicketPtr& ticket : batch) {
      ticket->failure = failure;
      ticket->done = true;
      if (ticket.get() != &own) wakeups.push_back(std::move(ticket));
    }
    if (lane.queued.empty() && lane.in_flight == 0) lanes_.erase(key);
  }

  // Whether the first one queued may write the next batch now: when no batch of the lane is being
  // written, or a full batch waits and another may be written beside.
  bool may_write(const Lane& lane) const {
    return !lane.queued.empty() &&
           (lane.in_flight == 0 || (lane.in_flight < kBatchesInFlight && lane.queued.size() >= max_batch_));
  }

  void wake_next(Lane& lane, Wakeups& wakeups) {
    if (may_write(lane)) wakeups.push_back(lane.queued.front());
  }

  const std::size_t max_batch_;
  mutable std::mutex mutex_;
  std::map<Key, Lane> lanes_;
  Figures figures_;
};

}  // namespace convene::app
