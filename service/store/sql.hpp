// How the store's modules run SQL: named statements, prepared on every connection, and the
// conversions of parameters and columns. Internal to the store.
//
// A statement is an object (`const Statement kEventBySlug{"event_by_slug", "SELECT ..."}`) that
// registers itself when its module is loaded, so every connection prepares it and code refers to it
// by the object: a misspelt statement does not compile. Columns are read by the names the SQL gives
// them (`row["slug"]`), never by position.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "convene/crypto.hpp"
#include "convene/time.hpp"
#include "store/deadline.hpp"
#include "store/store.hpp"

namespace convene::store {

class Statement {
 public:
  Statement(std::string name, std::string sql);
  const std::string& name() const { return name_; }
  const std::string& sql() const { return sql_; }

 private:
  std::string name_;
  std::string sql_;
};

// Every statement of the modules linked into this program, in the order they were loaded.
const std::vector<const Statement*>& all_statements();

pqxx::transaction_base& sql(Tx& tx);

// One round trip (a statement and, outside a transaction, its commit) under the store's deadline:
// `send` is given the transaction and returns what PostgreSQL answered.
class RoundTrip {
 public:
  template <class Send>
  static pqxx::result run(Tx& tx, Send&& send) {
    auto watch = tx.deadline_.watch(tx.tx_.conn(), tx.deadline_passed_);
    auto result = send(sql(tx));
    watch.finish();
    return result;
  }
};

template <class... Args>
pqxx::result exec(Tx& tx, const Statement& statement, Args&&... args) {
  return RoundTrip::run(tx, [&](pqxx::transaction_base& t) {
    return t.exec_prepared(statement.name(), std::forward<Args>(args)...);
  });
}

// The same, sent with the statement's text rather than by its prepared name, so that PostgreSQL
// plans it for these values every time: for a statement whose best plan depends on them and which a
// prepared statement would, after five executions, risk running with one generic plan.
template <class... Args>
pqxx::result exec_planned_for_values(Tx& tx, const Statement& statement, Args&&... args) {
  return RoundTrip::run(tx, [&](pqxx::transaction_base& t) {
    return t.exec_params(statement.sql(), std::forward<Args>(args)...);
  });
}

// --- Parameters. Times cross the boundary as whole seconds since the epoch: the connection runs
// in UTC, and nothing depends on how PostgreSQL would format a timestamp.

inline long long epoch(Instant instant) { return instant.time_since_epoch().count(); }
inline long long epoch(WallTime wall) { return wall.time_since_epoch().count(); }
// to_timestamp(NULL) is NULL, so optional instants travel as nullable text.
std::optional<std::string> epoch_text(const std::optional<Instant>& instant);
// libpqxx 6 passes a null for a null const char*; std::optional is not understood there.
inline const char* nullable(const std::optional<std::string>& value) { return value ? value->c_str() : nullptr; }
std::optional<std::string> id_text(std::optional<std::int64_t> id);
// A bigint[] literal: "{1,2,3}".
std::string id_array(const std::vector<std::int64_t>& ids);
inline std::string hex(const Sha256& digest) { return to_hex(digest); }
std::string hex_of_bytes(std::string_view bytes);

// --- Columns.

Instant instant_of(const pqxx::field& field);
std::optional<Instant> optional_instant_of(const pqxx::field& field);
std::optional<std::string> optional_text(const pqxx::field& field);
std::optional<std::int64_t> optional_id(const pqxx::field& field);
Sha256 digest_from_hex(const std::string& text);
std::string bytes_from_hex(const std::string& text);
// A zone name stored earlier that today's tz database no longer knows (it has never happened: IANA
// keeps old names as links) reads as UTC rather than making the row unreadable.
TimeZone zone_of(const std::string& name);

}  // namespace convene::store
