#include "app/roster.hpp"

#include "app/access.hpp"
#include "app/paging.hpp"
#include "convene/csv.hpp"
#include "convene/json_views.hpp"
#include "store/answers.hpp"
#include "store/organiser_views.hpp"

#include <span>

namespace convene::app {
namespace {

using store::organiser_views::RosterEntry;

constexpr int kCsvPageRows = 5000;
// The export's columns before those of the questions: every column the store gives but the answers'
// JSON, which is the last.
constexpr auto kExportColumns = store::organiser_views::kExportColumns;
static_assert(kExportColumns.back() == "answers");
constexpr std::span<const std::string_view> kFixedColumns{kExportColumns.data(), kExportColumns.size() - 1};

nlohmann::json instant_or_null(const std::optional<Instant>& at) {
  return at ? nlohmann::json(format_instant(*at)) : nlohmann::json(nullptr);
}

nlohmann::json id_or_null(const std::optional<std::int64_t>& id) {
  return id ? nlohmann::json(*id) : nlohmann::json(nullptr);
}

// Reads one page of an organiser's list of an event: authorises, then `read(tx, event)`.
// `read` answers the document's JSON, or a Result of it when it may refuse the request.
template <class Read>
Result<> organiser_list(Context& context, const OrganiserCredentials& credentials, std::string_view slug, Read&& read) {
  return context.store.autocommit([&](store::Tx& tx) -> Result<> {
    auto found = organiser_event(tx, context, credentials, slug);
    if (!found) return std::unexpected(found.error());
    if constexpr (std::is_same_v<decltype(read(tx, found->event)), Result<nlohmann::json>>) {
      auto json = read(tx, found->event);
      if (!json) return std::unexpected(json.error());
      return document(*std::move(json));
    } else {
      return document(read(tx, found->event));
    }
  });
}

// Active registrants per answer of each question that has a few answers to count (choices, yes/no,
// countries), asked or retired; every option of a choice is there, 0 when nobody picked it.
nlohmann::json answer_counts_json(const Questionnaire& questions,
                                  const std::map<std::string, std::map<std::string, int>>& counts) {
  nlohmann::json by_question = nlohmann::json::object();
  for (const auto* list : {&questions.asked, &questions.retired}) {
    for (const auto& question : *list) {
      if (question.type != QuestionType::one_choice && question.type != QuestionType::several_choices &&
          question.type != QuestionType::yes_no && question.type != QuestionType::country)
        continue;
      nlohmann::json by_value = nlohmann::json::object();
      for (const auto& option : question.options) by_value[option.key] = 0;
      if (question.type == QuestionType::yes_no) by_value = {{"yes", 0}, {"no", 0}};
      if (const auto found = counts.find(question.key); found != counts.end()) {
        for (const auto& [value, n] : found->second) {
          if (question.type == QuestionType::yes_no) by_value[value == "true" ? "yes" : "no"] = n;
          else by_value[value] = n;
        }
      }
      by_question[question.key] = by_value;
    }
  }
  return by_question;
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
  if (query.q && !query.q->empty()) filter.text = *query.q;
  if (query.attendance) {
    if (*query.attendance == "attended") filter.attended = true;
    else if (*query.attendance == "did_not_attend") filter.attended = false;
    else errors.push_back({"attendance", "must be attended or did_not_attend"});
  }
  auto page = page_request(context, "roster:" + std::string(slug), query.limit, query.cursor, errors);
  if (!page) return std::unexpected(page.error());
  return organiser_list(context, credentials, slug, [&](store::Tx& tx, const Event& event) -> Result<nlohmann::json> {
    if (!query.answers.empty()) {
      nlohmann::json contained = nlohmann::json::object();
      FieldErrors answer_errors;
      for (const auto& [key, value] : query.answers) {
        auto wanted = answer_filter(event.questions, key, value);
        if (!wanted) {
          answer_errors.push_back({"answers." + key, wanted.error()});
          continue;
        }
        for (auto& [k, v] : wanted->items()) {
          if (v.is_array() && contained.contains(k)) contained[k].insert(contained[k].end(), v.begin(), v.end());
          else contained[k] = v;  // two values for a one-answer question: nobody has both
        }
      }
      if (!answer_errors.empty()) return std::unexpected(validation_failed(answer_errors));
      filter.answers_contain = contained.dump();
    }
    return page_json(
        context, *page, store::organiser_views::roster_page(tx, event.id, filter, page->after, page->rows_to_read()),
        [](const RosterEntry& e) { return e.registration.id; },
        [&](const RosterEntry& e) {
          return roster_entry_json(e.registration, event, e.checked_in_at, e.first_joined_at, e.last_joined_at);
        });
  });
}

Result<CsvExport> csv_export(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                             std::optional<std::string_view> language) {
  const auto chosen = language ? parse_language(*language) : Language::en;
  if (!chosen) return std::unexpected(validation_failed({{"lang", std::string(kLanguageExpected)}}));
  auto found = context.store.autocommit(
      [&](store::Tx& tx) { return organiser_event(tx, context, credentials, slug); });
  if (!found) return std::unexpected(found.error());
  return CsvExport(context, found->event, *chosen);
}

CsvExport::CsvExport(Context& context, const Event& event, Language language)
    : context_(&context), event_id_(event.id), filename_(event.slug + "-registrations.csv"), language_(language) {
  questions_ = event.questions.asked;
  questions_.insert(questions_.end(), event.questions.retired.begin(), event.questions.retired.end());
}

std::optional<std::string> CsvExport::next() {
  if (done_) return std::nullopt;
  std::string out;
  if (!header_written_) {
    // A byte-order mark: spreadsheet programs otherwise read UTF-8 names as Latin-1.
    out = "\xEF\xBB\xBF";
    std::vector<std::string> header(kFixedColumns.begin(), kFixedColumns.end());
    for (const auto& question : questions_) header.push_back(question.label.in(language_));
    append_csv_row(out, {header.begin(), header.end()});
    header_written_ = true;
  }
  // Keyset pages, each a statement of its own: no transaction is held open while a slow client reads.
  const auto page = context_->store.autocommit(
      [&](store::Tx& tx) { return store::organiser_views::export_page(tx, event_id_, after_id_, kCsvPageRows); });
  out.reserve(out.size() + page.rows.size() * 200);
  std::vector<std::string_view> cells;
  std::vector<std::string> answer_cells(questions_.size());
  for (const auto& row : page.rows) {
    cells.assign(row.begin(), row.begin() + kFixedColumns.size());
    const std::string& answers_text = row[kFixedColumns.size()];
    const auto answers = answers_text.empty() ? nlohmann::json::object() : nlohmann::json::parse(answers_text);
    for (std::size_t i = 0; i < questions_.size(); ++i) {
      const auto answer = answers.find(questions_[i].key);
      answer_cells[i] = answer == answers.end() ? "" : answer_text(questions_[i], *answer, language_);
      cells.push_back(answer_cells[i]);
    }
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
                          {"invited_not_registered", stats.invited_not_registered},
                          {"active", active},
                          {"attended", stats.attended},
                          {"attendance_rate", rate(stats.attended, confirmed)},
                          {"attendance_by_country", attendance_by_country},
                          {"by_answer", answer_counts_json(event.questions, store::answers::counts(tx, event.id))}};
  });
}

Result<> deliveries(Context& context, const OrganiserCredentials& credentials, std::string_view slug,
                    const DeliveriesQuery& query) {
  FieldErrors errors;
  // "sending" is shown to organisers as pending (in progress), so it is not asked for by name; sign-in
  // links are the organisers' own mail, not an event's.
  const auto status = list_filter(query.status, parse_delivery_status, "status", "pending, sent, failed or skipped",
                                  errors, std::optional(DeliveryStatus::sending));
  const auto kind = list_filter(query.kind, parse_message_kind, "kind",
                                "confirmation, promotion, reminder, update, cancellation, rejection, announcement or "
                                "invitation",
                                errors, std::optional(MessageKind::sign_in));
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
                                {"registration_id", id_or_null(d.registration_id)},
                                {"invitation_id", id_or_null(d.invitation_id)},
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
