#include "app/calendars.hpp"

#include "app/problems.hpp"
#include "convene/invites.hpp"
#include "store/registrations.hpp"

namespace convene::app {
namespace {

// A weak ETag over what the document shows. DTSTAMP (the time of generation) is left out on
// purpose: a calendar app polling an unchanged invite should get 304, not a new copy every time.
std::string etag_of(std::string_view what) { return "W/\"" + to_hex(sha256(what)).substr(0, 32) + "\""; }

// The document as it would read at any other moment: DTSTAMP lines (never folded: they are short)
// left out.
std::string without_dtstamp(std::string_view document) {
  std::string kept;
  kept.reserve(document.size());
  while (!document.empty()) {
    const std::size_t end = document.find("\r\n");
    const std::string_view line = document.substr(0, end == std::string_view::npos ? document.size() : end + 2);
    if (!line.starts_with("DTSTAMP:")) kept += line;
    document.remove_prefix(line.size());
  }
  return kept;
}

bool matches(std::optional<std::string_view> if_none_match, const std::string& etag) {
  if (!if_none_match) return false;
  if (*if_none_match == "*") return true;
  // A list of tags; weak comparison (RFC 9110 section 13.1.2): W/ prefixes do not matter.
  const auto bare = [](std::string_view tag) {
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == ',')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == ',')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    return tag;
  };
  std::string_view list = *if_none_match;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    if (bare(list.substr(0, comma)) == bare(etag)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

CalendarResult registrant_invite_document(Context& context, std::string_view manage_token,
                                          std::optional<std::string_view> if_none_match) {
  const Problem unknown = problems::unknown_manage_token();
  if (!context.tokens.may_exist(manage_token)) return std::unexpected(unknown);
  const Sha256 token_hash = sha256(manage_token);
  const auto answer = [&](const RenderedInvite& invite) {
    return CalendarDocument{invite.method, invite.filename, invite.etag,
                            matches(if_none_match, invite.etag) ? std::nullopt : std::optional(invite.body)};
  };
  const auto trusted_version = [&context](const std::string& slug) { return context.events.trusted_version(slug); };
  if (auto kept = context.invites.find(token_hash, trusted_version)) return answer(*kept);

  const InviteCache::Ticket ticket = context.invites.ticket();  // before the read: see InviteCache
  const Instant now = context.clock();
  // Reads only: each statement on its own, and the event from the cache when its version matches.
  auto rendered = context.store.autocommit([&](store::Tx& tx) -> Result<RenderedInvite> {
    auto found = store::registrations::with_event_version(tx, token_hash);
    if (!found) return std::unexpected(unknown);
    const Registration& registration = found->registration;
    auto event = context.events.at_version(tx, found->event_slug, found->event_version);
    if (!event) return std::unexpected(unknown);
    const std::string manage_url = context.config.base_url + "/r/" + std::string(manage_token);
    const ical::Calendar calendar =
        registrant_invite(*event, registration, InviteLinks{manage_url, std::nullopt}, context.config.sender(), now);
    return RenderedInvite{registration.id,
                          event->slug,
                          event->version,
                          calendar.method,
                          event->slug + ".ics",
                          std::string(),
                          ical::write(calendar)};
  });
  if (!rendered) return std::unexpected(rendered.error());
  rendered->etag = etag_of(without_dtstamp(rendered->body));
  CalendarDocument document = answer(*rendered);
  context.invites.keep(token_hash, *std::move(rendered), ticket);
  return document;
}

CalendarResult public_calendar_document(Context& context, std::string_view slug,
                                        std::optional<std::string_view> if_none_match) {
  const Instant now = context.clock();
  return context.store.autocommit([&](store::Tx& tx) -> CalendarResult {
    auto event = context.events.current(tx, slug);
    if (!event || !has_public_feed(*event)) return std::unexpected(problems::event_not_found(slug));
    // The floor too: a restored database counts versions again from an earlier one, and the same
    // version number may then stand for other content than a copy held from before the restore.
    CalendarDocument document{ical::Method::publish, event->slug + ".ics",
                              etag_of("feed\n" + std::to_string(event->version) + "\n" +
                                      std::to_string(event->sequence_floor) + "\n" + tzdb_version()),
                              std::nullopt};
    if (!matches(if_none_match, document.etag)) {
      // Rendered once per version of the event; DTSTAMP is when that copy was rendered.
      document.body = context.events.document(event->slug, event->version);
      if (!document.body) {
        document.body = ical::write(
            public_calendar(*event, context.config.base_url + "/events/" + event->slug, context.config.sender(), now));
        context.events.keep_document(event->slug, event->version, *document.body);
      }
    }
    return document;
  });
}

}  // namespace convene::app
