// The row codecs: the columns a statement selects to make an Event or a Registration, and how those
// columns become one. One place for each, so that every statement reads them alike. Internal to
// the store.
#pragma once

#include <pqxx/pqxx>

#include "convene/event.hpp"
#include "convene/registration.hpp"

namespace convene::store {

// Columns of `events e` (and its sessions, as one JSON array, and the installation's sequence floor)
// for event_from_row.
extern const char* const kEventColumns;
Event event_from_row(const pqxx::row& row);

// A session as json_build_object(...) writes it (kSessionObject, for a session `s`).
extern const char* const kSessionObject;
Session session_from_json_text(const std::string& text);

// Columns of `registrations r` for registration_from_row.
extern const char* const kRegistrationColumns;
Registration registration_from_row(const pqxx::row& row);

// The registration's columns and, for the roster, its check-in and joins.
extern const char* const kRosterColumns;

}  // namespace convene::store
