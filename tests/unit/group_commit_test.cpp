// Group commit (app/group_commit.hpp): every request is written exactly once, in a batch of its own
// lane, batches never exceed their size, no more than kBatchesInFlight of a lane are written at once,
// and a failed batch fails each of its members and no other.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "app/group_commit.hpp"

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

}  // namespace
}  // namespace convene::app
