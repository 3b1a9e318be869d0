#include "store/listener.hpp"

#include <charconv>

#include <pqxx/pqxx>

namespace convene::store {
namespace {

// One channel: the payload of each notification goes to `changed`.
class Changes final : public pqxx::notification_receiver {
 public:
  Changes(pqxx::connection_base& connection, const std::string& channel,
          std::function<void(const std::string&)> changed)
      : pqxx::notification_receiver(connection, channel), changed_(std::move(changed)) {}
  void operator()(const std::string& payload, int) override { changed_(payload); }

 private:
  std::function<void(const std::string&)> changed_;
};

// sql/008 sends the registration's id; anything else would be a bug there, and dropping every
// copy is the safe reading of it.
void registration_changed(const ChangeListener::Callbacks& callbacks, const std::string& payload) {
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(payload.data(), payload.data() + payload.size(), id);
  if (error == std::errc() && end == payload.data() + payload.size()) callbacks.registration_changed(id);
  else callbacks.listening(true);
}

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
      Changes events(connection, "convene_events", callbacks_.event_changed);
      Changes registrations(connection, "convene_registrations",
                            [this](const std::string& payload) { registration_changed(callbacks_, payload); });
      // LISTEN is issued by the receivers; from here on no change can be missed.
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
