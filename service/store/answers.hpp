// Registrants' answers to an event's own questions: who holds a limited choice, and counts per
// option. The answers themselves are written with the registration (store/registrations.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "store/store.hpp"

namespace convene::store::answers {

// Serialises the registrations that pick one limited option of one event's question, until the
// transaction ends. Take them in one order (limited_picks sorts them) so that two never cross.
void lock_option(Tx& tx, std::int64_t event_id, const std::string& question, const std::string& option);

// Active registrations (confirmed, waitlisted, pending) of the event whose answers contain
// `contained` (PostgreSQL's @>), leaving out `except_registration` (0: none).
int holders(Tx& tx, std::int64_t event_id, const nlohmann::json& contained, std::int64_t except_registration = 0);

// Active registrations per answer value of every question: {question: {value: count}}, values as
// text (option keys, true/false, country codes; each element of a list counts).
std::map<std::string, std::map<std::string, int>> counts(Tx& tx, std::int64_t event_id);

}  // namespace convene::store::answers
