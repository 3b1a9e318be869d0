#include "app/sign_in.hpp"

#include "app/access.hpp"
#include "app/problems.hpp"
#include "convene/json_views.hpp"
#include "convene/registration.hpp"
#include "store/organiser_views.hpp"
#include "store/organisers.hpp"
#include "store/sign_ins.hpp"

namespace convene::app {
namespace {

constexpr const char* kSignInAnswer =
    "If this address belongs to an organiser, a sign-in link is on its way to it. The link works once, "
    "for 15 minutes.";
static_assert(kSignInLinkLifetime == std::chrono::minutes{15}, "the answer above names the lifetime");

}  // namespace

Result<> request_sign_in(Context& context, const nlohmann::json& body, std::string_view client) {
  const auto now_steady = std::chrono::steady_clock::now();
  if (auto d = context.limits.sign_ins_per_address.admit(client, now_steady); !d.allowed)
    return std::unexpected(problems::rate_limited(d, "Too many sign-in links were asked for from your network."));
  FieldErrors errors;
  const auto* email_field = body.is_object() && body.contains("email") ? &body["email"] : nullptr;
  const auto email = email_field && email_field->is_string() ? Email::parse(email_field->get<std::string>()) : std::nullopt;
  if (!email) errors.push_back({"email", std::string(kEmailExpected)});
  std::optional<Language> language = Language::en;
  if (body.is_object() && body.contains("language") && !body["language"].is_null()) {
    language = body["language"].is_string() ? parse_language(body["language"].get<std::string>()) : std::nullopt;
    if (!language) errors.push_back({"language", std::string(kLanguageExpected)});
  }
  if (!errors.empty()) return std::unexpected(validation_failed(std::move(errors)));
  if (auto d = context.limits.sign_ins_per_email.admit(email->key(), now_steady); !d.allowed)
    return std::unexpected(problems::rate_limited(d, "Too many sign-in links were asked for this address."));
  const Instant now = context.clock();
  context.store.transact([&](store::Tx& tx) {
    if (store::organisers::by_email(tx, email->text(), "")) store::sign_ins::request(tx, email->text(), *language, now);
  });
  return accepted({{"detail", kSignInAnswer}});
}

Result<BrowserSession> complete_sign_in(Context& context, std::string_view link_token) {
  const Problem spent = not_found("This sign-in link is unknown, used already or older than 15 minutes. Ask for a new one.");
  if (!context.tokens.may_exist(link_token)) return std::unexpected(spent);
  const Instant now = context.clock();
  const SecretToken session = context.tokens.mint();
  return context.store.transact([&](store::Tx& tx) -> Result<BrowserSession> {
    const auto email = store::sign_ins::use(tx, sha256(link_token), now);
    // The address may have lost its last token since the link was mailed.
    if (!email || !store::organisers::by_email(tx, *email, "")) return std::unexpected(spent);
    store::sign_ins::open_session(tx, session.hash(), *email, now, now + kSessionLifetime);
    return BrowserSession{session.text(), kSessionLifetime};
  });
}

Result<> sign_out(Context& context, const OrganiserCredentials& credentials) {
  const Instant now = context.clock();
  if (credentials.session && context.tokens.may_exist(*credentials.session))
    context.store.autocommit([&](store::Tx& tx) { store::sign_ins::revoke_session(tx, sha256(*credentials.session), now); });
  return nothing();
}

Result<> who_am_i(Context& context, const OrganiserCredentials& credentials) {
  const Instant now = context.clock();
  return context.store.autocommit([&](store::Tx& tx) -> Result<> {
    auto organiser = authorise(tx, context, credentials, "", Scope::identity);
    if (!organiser) return std::unexpected(organiser.error());
    nlohmann::json events = nlohmann::json::array();
    const auto email = organiser->by_session ? std::optional(organiser->email) : std::nullopt;
    for (const auto& managed : store::organiser_views::managed_events(tx, organiser->id, email, organiser->all_events)) {
      nlohmann::json e = organiser_event_json(managed.event, managed.event.zone, now);
      e["figures"] = {{"confirmed", managed.confirmed},
                      {"waitlisted", managed.waitlisted},
                      {"pending", managed.pending},
                      {"cancelled", managed.cancelled}};
      events.push_back(std::move(e));
    }
    return document({{"email", organiser->email},
                     {"all_events", organiser->all_events},
                     {"signed_in_with", organiser->by_session ? "session" : "token"},
                     {"events", std::move(events)}});
  });
}

}  // namespace convene::app
