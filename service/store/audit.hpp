// The audit log: who (an organiser, the registrant, the system) did what to which registration or
// session of an event, and when.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "convene/enum_names.hpp"
#include "convene/time.hpp"
#include "store/store.hpp"

namespace convene::store::audit {

enum class Action {
  event_create,
  event_update,
  session_create,
  session_update,
  session_cancel,
  registration_status,
  registration_check_in,
  registration_check_in_undone,
  registration_erase,
};
inline constexpr auto kActionNames = enum_names<Action>(
    std::pair{Action::event_create, "event.create"}, std::pair{Action::event_update, "event.update"},
    std::pair{Action::session_create, "session.create"}, std::pair{Action::session_update, "session.update"},
    std::pair{Action::session_cancel, "session.cancel"},
    std::pair{Action::registration_status, "registration.status"},
    std::pair{Action::registration_check_in, "registration.check_in"},
    std::pair{Action::registration_check_in_undone, "registration.check_in_undone"},
    std::pair{Action::registration_erase, "registration.erase"});

struct Actor {
  std::optional<std::int64_t> organiser_id;  // absent: the registrant or the system
  std::string name;                           // "organiser:3 ops@example.org", "registrant"
};

struct Record {
  std::int64_t event_id;
  Action action;
  std::optional<std::int64_t> registration_id = std::nullopt;
  std::optional<std::int64_t> session_id = std::nullopt;
  std::string details_json = "{}";
};
void write(Tx& tx, const Actor& actor, const Record& record);

struct Entry {
  std::int64_t id;
  std::string actor, action;
  std::optional<std::int64_t> registration_id, session_id;
  std::string details;  // JSON text
  Instant at;
};
// Entries of an event with id > after_id, in id order.
std::vector<Entry> page(Tx& tx, std::int64_t event_id, std::int64_t after_id, int limit);

}  // namespace convene::store::audit
