// The JSON shapes of the HTTP API (docs/api.md), built from domain values: as nlohmann-json trees,
// and the two that hot paths write (a zoned time, a registrant's registration) also straight as text,
// held to their trees by unit tests (tests/unit/json_views_test.cpp).
// Times are always shown twice where people read them: in the event's zone and in the viewer's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "convene/event.hpp"
#include "convene/registration.hpp"
#include "convene/time.hpp"

namespace convene {

// {"local": "2021-09-10T09:00:00", "offset": "-04:00", "abbreviation": "EDT", "zone": "America/New_York"}
nlohmann::json zoned_json(const ZonedTime& zoned);
nlohmann::json zoned_json(Instant instant, const TimeZone& zone);
// The same, appended as JSON text (for the time conversion endpoint and registration_text).
void append_zoned_json(std::string& out, const ZonedTime& zoned);
// {"starts": zoned, "ends": zoned}
nlohmann::json span_json(Instant starts, Instant ends, const TimeZone& zone);

nlohmann::json session_json(const Session& session, const TimeZone& event_zone, const TimeZone& viewer_zone);
nlohmann::json sessions_json(const Event& event, const TimeZone& viewer_zone);

// The public view of an event: no join link, nothing about who registered.
nlohmann::json event_json(const Event& event, const TimeZone& viewer_zone, Instant now);
// What its organisers see: the public view with the meeting link and the calendar organiser's address.
nlohmann::json organiser_event_json(const Event& event, const TimeZone& viewer_zone, Instant now);

// Links a registrant needs; only known right after registration or when the token is in the URL.
struct RegistrationLinks {
  std::string manage_url;
  std::string invite_url;
};
nlohmann::json registration_json(const Registration& registration, const Event& event,
                                 const TimeZone& viewer_zone, const std::optional<RegistrationLinks>& links);

// The same registration (and, when given, its manage token, which only the reply to the registration
// itself holds), written straight into JSON text. Every registrant's reply is built this way, by the
// batch's writer for each member: as a tree and its dump it was about a quarter of the server's CPU
// per registration for an event with one session (perf, 64 connections). A unit test holds it to
// registration_json, field for field, which stays the one the roster builds on.
std::string registration_text(const Registration& registration, const Event& event, const TimeZone& viewer_zone,
                              const std::optional<RegistrationLinks>& links,
                              std::optional<std::string_view> manage_token = std::nullopt);

std::optional<std::string> optional_instant_json(const std::optional<Instant>& instant);

}  // namespace convene
