#include "app/roster.hpp"

#include "app/access.hpp"
#include "app/paging.hpp"
#include "convene/csv.hpp"
#include "convene/json_views.hpp"
#include "store/organiser_views.hpp"

namespace convene::app {
namespace {

using store::organiser_views::RosterEntry;

constexpr int kCsvPageRows = 5000;

nlohmann::json instant_or_null(const std::optional<Instant>& at) {
  return at ? nlohmann::json(format_instant(*at)) : nlohmann::json(nullptr);
}

nlohmann::json id_or_null(const std::optional<std::int64_t>& id) {
  return id ? nlohmann::json(*id) : nlohmann::json(nullptr);
}

// Reads one page of an organiser's list of an event: authorises, then `read(tx, event)`.
template <class Read>
Result<> organiser_list(Context& context, const OrganiserCredentials& credentials, std::string_view slug, Read&& read) {
  return context.store.autocommit([&](store::Tx& tx) -> Result<> {
    auto found = organiser_event(tx, context, credentials, slug);
    if (!found) return std::unexpected(found.error());
    return document(read(tx, found->event));
  });
}

}  // namespace

nlohmann::json roster_entry_json(const Registration& registration, const Event& event,
                                 std::optional<Instant> checked_in_at, std::optional<Instant> first_joined_at,
                                 std::optional<Instant> last_joined_at) {
  nlohmann::json out = registration_json(registration, event, registration.zone, std::nullopt);
  out.erase("sessions");  // times are on the event
  out.erase("event_title");
  out["checked_in"] = checked_in_at.has_value();
  out["attended"] = registration.status == RegistrationStatus::confirmed && attended(checked_in_at, first_joined_at);
  out["checked_in_at"] = instant_or_null(checked_in_at);
  out["first_joined_at"] = instant_or_null(first_joined_at);
  out["last_joined_at"] = instant_or_null(last_joined_at);
  return out;
}

Result<> roster(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                const RosterQuery& query) {
  store::organiser_views::RosterFilter filter;
  FieldErrors errors;
  if (query.status) {
    filter.status = parse_registration_status(*query.status);
    if (!filter.status) errors.push_back({"status", "must be confirmed, waitlisted, pending, cancelled or rejected"});
  }
  if (query.country) {
    if (auto country = CountryCode::parse(*query.country)) filter.country = std::string(country->code());
    else errors.push_back({"country", std::string(kCountryExpected)});
  }
  if (query.q && !query.q->empty()) filter.like_pattern = like_contains(*query.q);
  if (query.attendance) {
    if (*query.attendance == "attended") filter.attended = true;
    else if (*query.attendance == "did_not_attend") filter.attended = false;
    else errors.push_back({"attendance", "must be attended or did_not_attend"});
  }
  auto page = page_request(context, "roster:" + std::string(slug), query.limit, query.cursor, errors);
  if (!page) return std::unexpected(page.error());
  return organiser_list(context, credentials, slug, [&](store::Tx& tx, const Event& event) {
    return page_json(
        context, *page, store::organiser_views::roster_page(tx, event.id, filter, page->after, page->rows_to_read()),
        [](const RosterEntry& e) { return e.registration.id; },
        [&](const RosterEntry& e) {
          return roster_entry_json(e.registration, event, e.checked_in_at, e.first_joined_at, e.last_joined_at);
        });
  });
}

Result<CsvExport> csv_export(Context& context, const OrganiserCredentials& credentials, std::string_view slug) {
  auto found = context.store.autocommit(
      [&](store::Tx& tx) { return organiser_event(tx, context, credentials, slug); });
  if (!found) return std::unexpected(found.error());
  return CsvExport(context, found->event.id, found->event.slug + "-registrations.csv");
}

std::optional<std::string> CsvExport::next() {
  if (done_) return std::nullopt;
  std::string out;
  if (!header_written_) {
    // A byte-order mark: spreadsheet programs otherwise read UTF-8 names as Latin-1.
    out = "\xEF\xBB\xBF";
    append_csv_row(out, {store::organiser_views::kExportColumns.begin(), store::organiser_views::kExportColumns.end()});
    header_written_ = true;
  }
  // Keyset pages, each a statement of its own: no transaction is held open while a slow client reads.
  const auto page = context_->store.autocommit(
      [&](store::Tx& tx) { return store::organiser_views::export_page(tx, event_id_, after_id_, kCsvPageRows); });
  out.reserve(out.size() + page.rows.size() * 200);
  std::vector<std::string_view> cells;
  for (const auto& row : page.rows) {
    cells.assign(row.begin(), row.end());
    append_csv_row(out, cells);
  }
  if (!page.rows.empty()) after_id_ = page.last_id;
  if (static_cast<int>(page.rows.size()) < kCsvPageRows) done_ = true;
  return out;
}

Result<> event_statistics(Context& context, const OrganiserCredentials& credentials, std::string_view slug) {
  return organiser_list(context, credentials, slug, [](store::Tx& tx, const Event& event) {
    const auto stats = store::organiser_views::stats(tx, event.id);
    nlohmann::json by_status = nlohmann::json::object();
    for (const auto status : kRegistrationStatusNames.values()) {
      const auto it = stats.by_status.find(std::string(to_string(status)));
      by_status[std::string(to_string(status))] = it == stats.by_status.end() ? 0 : it->second;
    }
    const auto country_name = [](const std::string& code) { return code.empty() ? std::string("unknown") : code; };
    nlohmann::json by_country = nlohmann::json::object();
    for (const auto& [country, n] : stats.by_country) by_country[country_name(country)] = n;
    const auto rate = [](int attended, int confirmed) {
      return confirmed == 0 ? nlohmann::json(nullptr) : nlohmann::json(static_cast<double>(attended) / confirmed);
    };
    nlohmann::json attendance_by_country = nlohmann::json::object();
    for (const auto& [country, confirmed] : stats.confirmed_by_country) {
      const auto came = stats.attended_by_country.find(country);
      const int attended = came == stats.attended_by_country.end() ? 0 : came->second;
      attendance_by_country[country_name(country)] = {
          {"confirmed", confirmed}, {"attended", attended}, {"rate", rate(attended, confirmed)}};
    }
    const int confirmed = by_status["confirmed"].get<int>();
    int active = 0;
    for (const auto status : kRegistrationStatusNames.values()) {
      if (is_active(status)) active += by_status[std::string(to_string(status))].get<int>();
    }
    return nlohmann::json{{"by_status", by_status},
                          {"by_country", by_country},
                          {"by_timezone", stats.by_timezone},
                          {"capacity", event.capacity},
                          {"seats_left", stats.seats_left},
                          {"waitlist_length", stats.waitlist_length},
                          {"checked_in", stats.checked_in},
                          {"overbooked", stats.overbooked},
                          {"active", active},
                          {"attended", stats.attended},
                          {"attendance_rate", rate(stats.attended, confirmed)},
                          {"attendance_by_country", attendance_by_country}};
  });
}

Result<> deliveries(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                    const DeliveriesQuery& query) {
  FieldErrors errors;
  std::optional<DeliveryStatus> status;
  if (query.status) {
    status = parse_delivery_status(*query.status);
    // "sending" is shown to organisers as pending (in progress), so it is not asked for by name.
    if (!status || *status == DeliveryStatus::sending) errors.push_back({"status", "must be pending, sent, failed or skipped"});
  }
  std::optional<MessageKind> kind;
  if (query.kind) {
    kind = parse_message_kind(*query.kind);
    if (!kind) errors.push_back({"kind", "must be confirmation, promotion, reminder, update, cancellation or rejection"});
  }
  auto page = page_request(context, "deliveries:" + std::string(slug), query.limit, query.cursor, errors);
  if (!page) return std::unexpected(page.error());
  return organiser_list(context, credentials, slug, [&](store::Tx& tx, const Event& event) {
    using store::organiser_views::Delivery;
    return page_json(
        context, *page, store::organiser_views::deliveries_page(tx, event.id, status, kind, page->after, page->rows_to_read()),
        [](const Delivery& d) { return d.id; },
        [](const Delivery& d) {
          const bool in_progress = d.status == DeliveryStatus::sending;
          return nlohmann::json{{"id", d.id},
                                {"registration_id", d.registration_id},
                                {"kind", d.kind},
                                {"session_id", id_or_null(d.session_id)},
                                {"status", to_string(in_progress ? DeliveryStatus::pending : d.status)},
                                {"in_progress", in_progress},
                                {"attempts", d.attempts},
                                {"due_at", format_instant(d.due_at)},
                                {"sent_at", instant_or_null(d.sent_at)},
                                {"last_error", d.last_error ? nlohmann::json(*d.last_error) : nlohmann::json(nullptr)}};
        });
  });
}

Result<> audit_log(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                   const PageQuery& query) {
  auto page = page_request(context, "audit:" + std::string(slug), query.limit, query.cursor);
  if (!page) return std::unexpected(page.error());
  return organiser_list(context, credentials, slug, [&](store::Tx& tx, const Event& event) {
    using store::audit::Entry;
    return page_json(
        context, *page, store::audit::page(tx, event.id, page->after, page->rows_to_read()),
        [](const Entry& a) { return a.id; },
        [](const Entry& a) {
          return nlohmann::json{{"id", a.id},
                                {"actor", a.actor},
                                {"action", a.action},
                                {"registration_id", id_or_null(a.registration_id)},
                                {"session_id", id_or_null(a.session_id)},
                                {"details", nlohmann::json::parse(a.details)},
                                {"at", format_instant(a.at)}};
        });
  });
}

}  // namespace convene::app
