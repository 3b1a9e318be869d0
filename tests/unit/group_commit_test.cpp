// Group commit (app/group_commit.hpp): every request is written exactly once, in a batch of its own
// lane, batches never exceed their size, no more than kBatchesInFlight of a lane are written at once
// and a second only for a full batch, a failed batch fails each of its members and no other, and
// deadlines are kept while batches stall.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <ctime>
#include <vector>

#include "app/group_commit.hpp"
#include "convene/request_deadline.hpp"
#include "convene/unavailable.hpp"

namespace convene::app {
namespace {

struct Item {
  int id = 0;
  std::int64_t lane = 0;
  int written_in = -1;  // the batch that wrote it
};

using Batches = GroupCommit<Item>;

TEST(GroupCommit, AQuietLaneWritesEachRequestAtOnceOnItsOwn) {
  Batches batches(64);
  for (int i = 0; i < 3; ++i) {
    Item item{i, 1};
    std::size_t size = 0;
    batches.submit({1, 1}, item, [&](std::span<Item* const> batch) {
      size = batch.size();
      batch[0]->written_in = i;
    });
    EXPECT_EQ(size, 1u);
    EXPECT_EQ(item.written_in, i);
  }
}

TEST(GroupCommit, ConcurrentRequestsAreWrittenOnceInBatchesOfTheirLane) {
  constexpr int kThreads = 48, kPerThread = 40, kMaxBatch = 8;
  Batches batches(kMaxBatch);
  std::mutex mutex;
  int batch_count = 0;
  std::size_t largest = 0;
  std::atomic<int> in_flight[2] = {0, 0};
  std::atomic<int> most_in_flight{0};
  std::vector<int> times_written(kThreads * kPerThread, 0);
  std::atomic<bool> mixed_lanes{false};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPerThread; ++k) {
        Item item{t * kPerThread + k, t % 2};
        batches.submit({item.lane, 7}, item, [&](std::span<Item* const> batch) {
          const int now_in_flight = ++in_flight[batch[0]->lane];
          int seen = most_in_flight.load();
          while (now_in_flight > seen && !most_in_flight.compare_exchange_weak(seen, now_in_flight)) {
          }
          std::this_thread::sleep_for(std::chrono::microseconds(300));  // a commit's flush
          std::lock_guard lock(mutex);
          const int number = batch_count++;
          largest = std::max(largest, batch.size());
          for (Item* i : batch) {
            if (i->lane != batch[0]->lane) mixed_lanes = true;
            ++times_written[i->id];
            i->written_in = number;
          }
          --in_flight[batch[0]->lane];
        });
        EXPECT_GE(item.written_in, 0);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  for (int count : times_written) ASSERT_EQ(count, 1);
  EXPECT_FALSE(mixed_lanes);
  EXPECT_LE(largest, static_cast<std::size_t>(kMaxBatch));
  EXPECT_GT(largest, 1u) << "48 threads at once should have shared batches";
  EXPECT_LT(batch_count, kThreads * kPerThread);
  EXPECT_LE(most_in_flight.load(), static_cast<int>(Batches::kBatchesInFlight));
}

TEST(GroupCommit, ASecondBatchIsWrittenBesideTheFirstOnlyForAFullBatch) {
  using namespace std::chrono_literals;
  constexpr std::size_t kMaxBatch = 4;
  Batches batches(kMaxBatch);
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::size_t> started;  // the size of each batch, as its writing starts
  bool release_first = false;
  auto writer = [&](std::span<Item* const> batch) {
    std::unique_lock lock(mutex);
    started.push_back(batch.size());
    changed.notify_all();
    // The first batch stalls in its commit until released.
    if (started.size() == 1) changed.wait(lock, [&] { return release_first; });
  };
  auto batches_started = [&](std::size_t count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return started.size() >= count; });
  };
  std::vector<Item> items(1 + kMaxBatch);
  std::vector<std::thread> threads;
  auto submit = [&](std::size_t i) {
    items[i] = Item{static_cast<int>(i), 5};
    threads.emplace_back([&, i] { batches.submit({5, 1}, items[i], writer); });
  };

  submit(0);
  EXPECT_TRUE(batches_started(1));
  // Fewer than a full batch queue behind the stalled one: they wait for it, to be written together.
  for (std::size_t i = 1; i < kMaxBatch; ++i) submit(i);
  std::this_thread::sleep_for(200ms);
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(started.size(), 1u) << "a batch of fewer than " << kMaxBatch << " was written beside the stalled one";
  }
  // One more makes a full batch: written beside the stalled one, all of it.
  submit(kMaxBatch);
  EXPECT_TRUE(batches_started(2)) << "a full batch waited for the stalled one";
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(started.size() >= 2 ? started[1] : 0, kMaxBatch);
    release_first = true;  // whatever happened, so that every thread ends and the test reports
  }
  changed.notify_all();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(started.size(), 2u);
  EXPECT_EQ(batches.figures().requests, 1 + kMaxBatch);
}

TEST(GroupCommit, AFailedBatchFailsEachOfItsMembersAndNoOther) {
  Batches batches(16);
  constexpr int kThreads = 32;
  std::atomic<int> failed{0}, succeeded{0}, failing_members{0};
  std::atomic<int> batches_written{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Item item{t, 3};
      try {
        batches.submit({3, 1}, item, [&](std::span<Item* const> batch) {
          // Every other batch fails, as a commit whose outcome is unknown.
          if (batches_written++ % 2 == 1) {
            failing_members += static_cast<int>(batch.size());
            throw std::runtime_error("connection lost during COMMIT");
          }
          for (Item* i : batch) i->written_in = 1;
        });
        EXPECT_EQ(item.written_in, 1);
        ++succeeded;
      } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "connection lost during COMMIT");
        EXPECT_EQ(item.written_in, -1);
        ++failed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed.load() + succeeded.load(), kThreads);
  EXPECT_EQ(failed.load(), failing_members.load());
}

TEST(GroupCommit, RequestsQueuedBehindAStalledBatchLeaveUnwrittenAtTheirDeadline) {
  using Clock = std::chrono::steady_clock;
  using namespace std::chrono_literals;
  Batches batches(64);
  std::atomic<bool> release_stalled{false};
  std::atomic<int> written{0}, timed_out{0};
  std::vector<Clock::duration> waits;
  std::mutex mutex;
  std::vector<std::optional<RequestDeadline::Time>> batch_deadlines;
  auto writer = [&](std::span<Item* const> batch) {
    {
      std::lock_guard lock(mutex);
      batch_deadlines.push_back(RequestDeadline::current());
    }
    // The database stalls (a commit waiting for a standby that is gone) until released.
    while (!release_stalled) std::this_thread::sleep_for(5ms);
    written += static_cast<int>(batch.size());
  };
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  // A stalled batch holds the lane; request 1 queues behind it with time to spare, six more with
  // 300 ms to go each.
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      const RequestDeadline deadline{Clock::now() + (t < 2 ? 10s : 300ms)};
      Item item{t, 9};
      const auto began = Clock::now();
      try {
        batches.submit({9, 1}, item, writer);
      } catch (const DatabaseTimeout&) {
        ++timed_out;
        std::lock_guard lock(mutex);
        waits.push_back(Clock::now() - began);
      }
    });
    if (t < 2) std::this_thread::sleep_for(50ms);  // 0 leads the stalled batch, 1 is the first queued
  }
  std::this_thread::sleep_for(800ms);
  release_stalled = true;
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(timed_out.load(), 6) << "the queued requests were kept past their deadline";
  EXPECT_EQ(written.load(), 2) << "requests 0 and 1, in a batch each";
  for (const auto wait : waits) {
    EXPECT_GE(wait, 250ms);
    EXPECT_LT(wait, 700ms) << "a queued request waited for the stalled batch to end";
  }
  // Each batch was written to its member's deadline.
  ASSERT_EQ(batch_deadlines.size(), 2u);
  for (const auto& deadline : batch_deadlines) {
    ASSERT_TRUE(deadline.has_value());
    EXPECT_GT(*deadline, start + 9s);
  }
}

TEST(GroupCommit, ABatchIsWrittenToTheEarliestDeadlineOfItsMembers) {
  using Clock = std::chrono::steady_clock;
  using namespace std::chrono_literals;
  Batches batches(64);
  std::atomic<bool> released{false};
  std::mutex mutex;
  std::vector<std::pair<std::size_t, std::optional<RequestDeadline::Time>>> written;  // size, deadline
  const auto base = Clock::now() + 60s;
  std::vector<std::thread> threads;
  for (int t = 0; t < 5; ++t) {
    threads.emplace_back([&, t] {
      // Request 0 leads a stalled batch; 1 to 4 queue and are then written together.
      const RequestDeadline deadline{base + std::chrono::seconds(t == 3 ? 1 : 10 + t)};
      Item item{t, 4};
      batches.submit({4, 1}, item, [&](std::span<Item* const> batch) {
        while (!released) std::this_thread::sleep_for(5ms);
        std::lock_guard lock(mutex);
        written.emplace_back(batch.size(), RequestDeadline::current());
      });
    });
    std::this_thread::sleep_for(30ms);
  }
  released = true;
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(written.size(), 2u);
  std::sort(written.begin(), written.end());
  EXPECT_EQ(written.back().first, 4u);
  ASSERT_TRUE(written.back().second.has_value());
  EXPECT_EQ(*written.back().second, base + 1s) << "not the earliest deadline of the batch's members";
}

TEST(GroupCommit, ARequestWhoseDeadlinePassesInsideAnotherThreadsBatchWaitsWithoutSpinning) {
  using Clock = std::chrono::steady_clock;
  using namespace std::chrono_literals;
  Batches batches(64);
  std::atomic<bool> release_first{false};
  std::atomic<double> follower_cpu_ms{-1};
  std::atomic<int> follower_written{0};
  // Request 0 leads a stalled batch (the lane's only one: a second would be written beside it only
  // for a full batch). Request 3 queues, then request 2 with 200 ms to go. When 0's batch ends, 3
  // leads the next batch, holding 2, and its writer (ignoring the deadline, as a stalled database
  // would) takes 600 ms: 2's deadline passes inside a batch another thread writes.
  auto writer = [&](std::span<Item* const> batch) {
    const int leader = batch.front()->id;
    if (leader == 0) {
      while (!release_first) std::this_thread::sleep_for(5ms);
    } else {
      std::this_thread::sleep_for(600ms);
      for (Item* item : batch) {
        if (item->id == 2) ++follower_written;
      }
    }
  };
  auto submit = [&](int id) {
    Item item{id, 3};
    batches.submit({3, 1}, item, writer);
  };
  std::thread first(submit, 0);
  std::this_thread::sleep_for(30ms);
  std::thread leader(submit, 3);
  std::this_thread::sleep_for(30ms);
  std::thread follower([&] {
    const RequestDeadline deadline{Clock::now() + 200ms};
    Item item{2, 3};
    timespec before{}, after{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &before);
    batches.submit({3, 1}, item, writer);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &after);
    follower_cpu_ms = static_cast<double>(after.tv_sec - before.tv_sec) * 1e3 +
                      static_cast<double>(after.tv_nsec - before.tv_nsec) / 1e6;
  });
  std::this_thread::sleep_for(30ms);
  release_first = true;
  leader.join();
  follower.join();
  first.join();
  EXPECT_EQ(follower_written.load(), 1) << "request 2 was not written in request 3's batch";
  // Spinning on an expired wait_until would cost this thread most of the ~450 ms it waited past its
  // deadline.
  EXPECT_LT(follower_cpu_ms.load(), 50.0) << "the request spun while another thread wrote its batch";
}

}  // namespace
}  // namespace convene::app
