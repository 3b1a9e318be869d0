#include "store/listener.hpp"

#include <pqxx/pqxx>

namespace convene::store {
namespace {

class EventChanges final : public pqxx::notification_receiver {
 public:
  EventChanges(pqxx::connection_base& connection, std::function<void(const std::string&)> changed)
      : pqxx::notification_receiver(connection, "convene_events"), changed_(std::move(changed)) {}
  void operator()(const std::string& payload, int) override { changed_(payload); }

 private:
  std::function<void(const std::string&)> changed_;
};

}  // namespace

ChangeListener::ChangeListener(std::string url, Callbacks callbacks)
    : url_(std::move(url)), callbacks_(std::move(callbacks)), thread_([this](std::stop_token stop) { run(stop); }) {}

ChangeListener::~ChangeListener() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void ChangeListener::run(std::stop_token stop) {
  auto backoff = std::chrono::milliseconds(200);
  while (!stop.stop_requested()) {
    try {
      pqxx::connection connection(url_);
      EventChanges receiver(connection, callbacks_.event_changed);
      // LISTEN is issued by the receiver; from here on no change can be missed.
      callbacks_.listening(true);
      backoff = std::chrono::milliseconds(200);
      auto next_ping = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!stop.stop_requested()) {
        connection.await_notification(0, 250'000);
        // A connection that died without a word (a network path gone) would never deliver again:
        // ask it something now and then, so that such a death is noticed.
        if (std::chrono::steady_clock::now() > next_ping) {
          pqxx::nontransaction(connection).exec("SELECT 1");
          next_ping = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        }
      }
      callbacks_.listening(false);
      return;
    } catch (const std::exception&) {
      callbacks_.listening(false);  // changes may be missed from now on
    }
    for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stop.stop_requested();
         waited += std::chrono::milliseconds(50))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

}  // namespace convene::store
