// Organisers' view of an event: the roster, its CSV export, statistics, the deliveries of the outbox,
// the audit log (roster.cpp); and what organisers do to registrations: approve, reject, cancel,
// check in, erase (moderation.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/context.hpp"
#include "app/organisers.hpp"
#include "convene/event.hpp"
#include "convene/registration.hpp"

namespace convene::app {

struct RosterQuery {
  std::optional<std::string_view> status, q, country, limit, cursor;
  std::optional<std::string_view> attendance;  // attended or did_not_attend (confirmed registrants)
  // ?answers.<key>=<value>: registrants who gave that answer (an option's key, yes or no, a country).
  std::vector<std::pair<std::string, std::string>> answers;
};
Result<> roster(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                const RosterQuery& query);

// The CSV export, produced in pages of a few thousand rows so that memory stays flat whatever the
// size of the event. next() returns the next chunk of the file, or nullopt at the end. Used by one
// thread at a time (the one serving the download).
class CsvExport {
 public:
  CsvExport(Context& context, const Event& event, Language language);
  std::optional<std::string> next();
  const std::string& filename() const { return filename_; }

 private:
  Context* context_;
  std::int64_t event_id_;
  std::string filename_;
  std::vector<Question> questions_;  // a column each: those asked, then those retired
  Language language_;                // of the questions' labels and the options' texts
  std::int64_t after_id_ = 0;
  bool header_written_ = false;
  bool done_ = false;
};
// `language` (?lang=, default English) is that of the question columns' headers and choices.
Result<CsvExport> csv_export(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                             std::optional<std::string_view> language);

Result<> event_statistics(Context& context, const OrganiserCredentials& credentials, std::string_view slug);

struct DeliveriesQuery {
  std::optional<std::string_view> status, kind, limit, cursor;
};
Result<> deliveries(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                    const DeliveriesQuery& query);

struct PageQuery {
  std::optional<std::string_view> limit, cursor;
};
Result<> audit_log(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                   const PageQuery& query);

// PATCH /events/{slug}/registrations/{id}: status (confirmed, rejected, cancelled), checked_in,
// override_capacity. Each change sends the matching message and is written to the audit log.
Result<> moderate(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                  std::string_view id, const nlohmann::json& body);

// An organiser erases a registration: personal data removed, counts kept; an active registration
// is cancelled first (its seat goes to the waitlist).
Result<> erase_by_organiser(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                            std::string_view id);

// A registration as the roster shows it (no sessions: the roster is about people).
nlohmann::json roster_entry_json(const Registration& registration, const Event& event,
                                 std::optional<Instant> checked_in_at, std::optional<Instant> first_joined_at,
                                 std::optional<Instant> last_joined_at);

}  // namespace convene::app
