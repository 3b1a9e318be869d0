#include "app/organisers.hpp"

#include <stdexcept>

#include "app/access.hpp"
#include "app/problems.hpp"
#include "app/secrets.hpp"
#include "app/sign_in.hpp"
#include "convene/registration.hpp"
#include "store/events.hpp"
#include "store/organisers.hpp"
#include "store/sign_ins.hpp"

namespace convene::app {

Result<Organiser> authorise(store::Tx& tx, const Context& context, const OrganiserCredentials& credentials,
                            std::string_view slug, Scope scope) {
  if (!credentials.present()) return std::unexpected(problems::missing_organiser_token());
  // Tokens are looked up by their SHA-256 hash: the database compares hashes, so timing reveals
  // nothing about a token, and a stolen copy of the tables holds no usable one.
  std::optional<store::organisers::Grant> grant;
  const bool by_session = !credentials.bearer;
  const std::string_view token = by_session ? *credentials.session : *credentials.bearer;
  if (context.tokens.may_exist(token)) {
    if (!by_session) {
      grant = store::organisers::by_token_hash(tx, sha256(token), slug);
    } else if (auto email = store::sign_ins::session_email(tx, sha256(token), context.clock(), kSessionIdleTimeout)) {
      grant = store::organisers::by_email(tx, *email, slug);
    }
  }
  if (!grant) {
    return std::unexpected(by_session ? problems::session_ended() : problems::unknown_organiser_token());
  }
  const bool allowed = scope == Scope::identity || grant->all_events || (scope == Scope::event && grant->has_event);
  if (!allowed) {
    return std::unexpected(scope == Scope::event ? problems::not_an_organiser_of(slug)
                                                 : problems::not_allowed_to_create_events());
  }
  return Organiser{grant->organiser_id, grant->email, grant->all_events, by_session};
}

Result<OrganiserEvent> organiser_event(store::Tx& tx, const Context& context, const OrganiserCredentials& credentials,
                                       std::string_view slug) {
  auto organiser = authorise(tx, context, credentials, slug);
  if (!organiser) return std::unexpected(organiser.error());
  auto event = store::events::by_slug(tx, slug);
  if (!event) return std::unexpected(problems::event_not_found(slug));
  return OrganiserEvent{*organiser, *std::move(event)};
}

std::string add_organiser(store::Store& store, std::string_view email, std::optional<std::string_view> slug) {
  if (!Email::parse(email)) throw std::invalid_argument("not an e-mail address: " + std::string(email));
  const SecretToken token = TokenMinter(store.server_secret("tokens")).mint();
  store.transact([&](store::Tx& tx) {
    const auto id = store::organisers::insert(tx, email, token.hash(), !slug.has_value());
    if (slug && !store::organisers::grant(tx, id, *slug))
      throw std::invalid_argument("no event has the slug " + std::string(*slug));
  });
  return token.text();
}

int revoke_organiser(store::Store& store, std::string_view email) {
  return store.transact([&](store::Tx& tx) { return store::organisers::revoke(tx, email); });
}

}  // namespace convene::app
