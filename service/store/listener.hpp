// Listens for changes other servers make (PostgreSQL LISTEN/NOTIFY) on a connection of its own, in
// a thread of its own, reconnecting when the database goes away. Its callbacks run on that thread:
// what they touch must be safe to touch from it (the caches lock).
#pragma once

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <thread>

namespace convene::store {

class ChangeListener {
 public:
  struct Callbacks {
    std::function<void(const std::string& slug)> event_changed;
    std::function<void(std::int64_t registration_id)> registration_changed;
    // Listening (re)started or stopped: while it is not listening, no change can be trusted to
    // arrive, so caches must check the database themselves.
    std::function<void(bool listening)> listening;
  };
  ChangeListener(std::string url, Callbacks callbacks);
  ~ChangeListener();  // stops and joins

 private:
  void run(std::stop_token stop);
  std::string url_;
  Callbacks callbacks_;
  std::jthread thread_;
};

}  // namespace convene::store
