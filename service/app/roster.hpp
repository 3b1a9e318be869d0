// Organisers' view of an event: the roster, its CSV export, statistics, the deliveries of the outbox,
// the audit log; and what organisers do to registrations (approve, reject, cancel, check in, erase).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/context.hpp"
#include "app/organisers.hpp"

namespace convene::app {

using Authorization = std::optional<std::string_view>;

struct RosterQuery {
  std::optional<std::string_view> status, q, country, limit, cursor;
};
Result roster(Context& context, Authorization authorization, std::string_view slug, const RosterQuery& query);

// The CSV export, produced in pages of a few thousand rows so that memory stays flat whatever the
// size of the event. next() returns the next chunk of the file, or nullopt at the end.
class CsvExport {
 public:
  CsvExport(Context& context, std::int64_t event_id, std::string filename)
      : context_(&context), event_id_(event_id), filename_(std::move(filename)) {}
  std::optional<std::string> next();
  const std::string& filename() const { return filename_; }

 private:
  Context* context_;
  std::int64_t event_id_;
  std::string filename_;
  std::int64_t after_id_ = 0;
  bool header_written_ = false;
  bool done_ = false;
};
std::expected<CsvExport, Problem> csv_export(Context& context, Authorization authorization, std::string_view slug);

Result event_statistics(Context& context, Authorization authorization, std::string_view slug);

struct DeliveriesQuery {
  std::optional<std::string_view> status, kind, limit, cursor;
};
Result deliveries(Context& context, Authorization authorization, std::string_view slug, const DeliveriesQuery& query);

struct PageQuery {
  std::optional<std::string_view> limit, cursor;
};
Result audit_log(Context& context, Authorization authorization, std::string_view slug, const PageQuery& query);

// PATCH /events/{slug}/registrations/{id}: status (confirmed, rejected, cancelled), checked_in,
// override_capacity. Each change sends the matching message and is written to the audit log.
Result moderate(Context& context, Authorization authorization, std::string_view slug, std::string_view id,
                const nlohmann::json& body);

// Erasure, by an organiser or by the registrant with their manage token: personal data removed,
// counts kept; an active registration is cancelled first (its seat goes to the waitlist).
Result erase_by_organiser(Context& context, Authorization authorization, std::string_view slug, std::string_view id);
Result erase_by_registrant(Context& context, std::string_view manage_token);

}  // namespace convene::app
