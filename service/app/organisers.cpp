#include "app/organisers.hpp"

#include <stdexcept>

#include "app/secrets.hpp"
#include "convene/registration.hpp"

namespace convene::app {
namespace {

Problem unauthorised(std::string detail) {
  return Problem{401, "unauthorised", "Organiser token required", std::move(detail)};
}

}  // namespace

// "Bearer <token>", the scheme in any letter case (RFC 9110 section 11.1).
std::optional<std::string_view> bearer_token(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char ch = header[i];
    if ((ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch) != kScheme[i]) return std::nullopt;
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

std::expected<Organiser, Problem> authorise(store::Transaction& tx, const TokenMinter& tokens,
                                            std::optional<std::string_view> authorization, std::string_view slug,
                                            Scope scope) {
  if (!authorization) return std::unexpected(unauthorised("Send Authorization: Bearer <organiser token>."));
  auto token = bearer_token(*authorization);
  if (!token || !tokens.may_exist(*token))
    return std::unexpected(unauthorised("The organiser token is malformed, unknown or revoked."));
  // The token is looked up by its SHA-256 hash: the database compares hashes, so timing reveals
  // nothing about the token, and a stolen copy of the table holds no usable token.
  auto grant = tx.organiser_by_token_hash(sha256(*token), slug);
  if (!grant) return std::unexpected(unauthorised("The organiser token is malformed, unknown or revoked."));
  const bool allowed = grant->all_events || (scope == Scope::event && grant->has_event);
  if (!allowed) {
    return std::unexpected(Problem{403, "forbidden", "Not an organiser of this event",
                                   scope == Scope::event
                                       ? "This organiser token has no rights on event '" + std::string(slug) + "'."
                                       : "Only tokens created with --all may create events."});
  }
  return Organiser{grant->organiser_id, grant->email, grant->all_events};
}

std::string add_organiser(store::Store& store, std::string_view email, std::optional<std::string_view> slug) {
  if (!Email::parse(email)) throw std::invalid_argument("not an e-mail address: " + std::string(email));
  std::string key = store.transact([](store::Transaction& tx) { return tx.server_secret("tokens"); });
  const SecretToken token = TokenMinter(std::move(key)).mint();
  store.transact([&](store::Transaction& tx) {
    const auto id = tx.insert_organiser(email, token.hash(), !slug.has_value());
    if (slug && !tx.grant_event(id, *slug)) throw std::invalid_argument("no event has the slug " + std::string(*slug));
  });
  return token.text();
}

int revoke_organiser(store::Store& store, std::string_view email) {
  return store.transact([&](store::Transaction& tx) { return tx.revoke_organisers(email); });
}

}  // namespace convene::app
