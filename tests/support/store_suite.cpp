#include "support/store_suite.hpp"

#include <atomic>
#include <stdexcept>

#include "convene/problem.hpp"
#include "store/events.hpp"
#include "store/seats.hpp"

namespace convene::testing {

Instant utc_instant(int year, unsigned month, unsigned day, int hour, int minute) {
  return date::sys_days{date::year{year} / date::month{month} / date::day{day}} + std::chrono::hours{hour} +
         std::chrono::minutes{minute};
}

Event event_named(const std::string& slug, int capacity) {
  Event event{.zone = TimeZone::utc()};
  event.slug = slug;
  event.title = "Event " + slug;
  event.capacity = capacity;
  event.registration_closes = StaysOpen{};
  event.status = EventStatus::published;
  return event;
}

Event insert_event(store::Tx& tx, Event event) {
  const auto id = store::events::insert(tx, event);
  if (!id) throw std::runtime_error("the slug " + event.slug + " is taken");
  event.id = *id;
  event.version = 1;
  store::seats::add(tx, event.id, 1, event.capacity);
  return event;
}

RegistrationRequest registration_request(const std::string& email, const nlohmann::json& more) {
  nlohmann::json body = {{"email", email}, {"name", "Registrant"}, {"consent", true}};
  for (const auto& [key, value] : more.items()) body[key] = value;
  auto request = parse_registration_request(body);
  if (!request) throw std::runtime_error("not a registration: " + body.dump());
  return *std::move(request);
}

store::registrations::Inserted insert_registration(store::Tx& tx, const Event& event, const std::string& email,
                                                   Instant now, store::registrations::Waitlisting waitlisting,
                                                   const nlohmann::json& more) {
  const RegistrationRequest request = registration_request(email, more);
  const TimeZone zone = request.zone.value_or(event.zone);
  const store::registrations::NewRegistration row{request, zone, request.language.value_or(Language::en),
                                                  sha256("manage " + email), now};
  return store::registrations::insert(tx, row, event, 1, waitlisting, MessageKind::confirmation);
}

app::Config test_config() {
  app::Config config;
  config.base_url = "https://convene.test";
  return config;
}

std::string describe(const app::Result<>& result) {
  if (result) return "a document: " + result->json;
  nlohmann::json problem;
  to_json(problem, result.error());
  return "a problem: " + problem.dump();
}

nlohmann::json json_of(const app::Result<>& result) {
  return result ? nlohmann::json::parse(result->json) : nlohmann::json::object();
}

}  // namespace convene::testing
