#include "store/invitations.hpp"

#include <nlohmann/json.hpp>

#include "store/sql.hpp"

namespace convene::store::invitations {
namespace {

// Each new invitation's message is sequence 0 of its kind; reminders are 1, 2... (outbox_once).
const Statement kInvite{"invite", R"sql(
  WITH given AS (
    SELECT v.email, v.name, v.language, v.position
    FROM jsonb_to_recordset($2::jsonb) AS v(email text, name text, language text, position integer)),
  registered AS (
    SELECT g.email FROM given g
    WHERE EXISTS (SELECT 1 FROM registrations r WHERE r.event_id = $1 AND lower(r.email) = lower(g.email))),
  invited AS (
    INSERT INTO invitations (event_id, email, name, language, invited_at)
    SELECT $1, g.email, g.name, g.language, to_timestamp($3) FROM given g
    WHERE g.email NOT IN (SELECT email FROM registered)
    ORDER BY g.position
    ON CONFLICT DO NOTHING
    RETURNING id),
  messages AS (
    INSERT INTO outbox (invitation_id, event_id, kind, sequence, due_at)
    SELECT id, $1, 'invitation', 0, to_timestamp($3) FROM invited)
  SELECT (SELECT count(*) FROM invited)::integer AS invited, (SELECT count(*) FROM registered)::integer AS registered)sql"};

#define CONVENE_INVITATION_COLUMNS                                                                     \
  " i.id, i.event_id, i.email, i.name, i.language, extract(epoch FROM i.invited_at)::bigint AS invited_at," \
  " i.reminders, extract(epoch FROM i.used_at)::bigint AS used_at, i.registration_id"

const Statement kPage{"invitations_page", "SELECT" CONVENE_INVITATION_COLUMNS R"sql(
  FROM invitations i
  WHERE i.event_id = $1 AND i.id > $2
    AND ($3::text IS NULL OR ($3 = 'pending') = (i.used_at IS NULL))
  ORDER BY i.id LIMIT $4)sql"};
const Statement kById{"invitation_by_id", "SELECT" CONVENE_INVITATION_COLUMNS " FROM invitations i WHERE i.id = $1"};
const Statement kWithdraw{"withdraw_invitation", R"sql(
  WITH target AS (SELECT id, used_at FROM invitations WHERE event_id = $1 AND id = $2 FOR UPDATE),
  withdrawn AS (DELETE FROM invitations i USING target t WHERE i.id = t.id AND t.used_at IS NULL RETURNING i.id)
  SELECT (SELECT count(*) FROM target)::integer AS found, (SELECT count(*) FROM withdrawn)::integer AS withdrawn)sql"};
const Statement kRemind{"remind_invitees", R"sql(
  WITH reminded AS (
    UPDATE invitations SET reminders = reminders + 1 WHERE event_id = $1 AND used_at IS NULL
    RETURNING id, reminders)
  INSERT INTO outbox (invitation_id, event_id, kind, sequence, due_at)
  SELECT id, $1, 'invitation', reminders, to_timestamp($2) FROM reminded
  ON CONFLICT DO NOTHING)sql"};
const Statement kAddToken{"add_invitation_token",
                          "INSERT INTO invitation_tokens (token_hash, invitation_id) VALUES (decode($2, 'hex'), $1)"};
const Statement kHoldUnused{"hold_unused_invitation", R"sql(
  SELECT i.id FROM invitations i JOIN invitation_tokens t ON t.invitation_id = i.id
  WHERE t.token_hash = decode($2, 'hex') AND i.event_id = $1 AND lower(i.email) = lower($3) AND i.used_at IS NULL
  FOR UPDATE OF i)sql"};
const Statement kUse{"use_invitation",
                     "UPDATE invitations SET used_at = to_timestamp($3), registration_id = $2 WHERE id = $1"};

Invitation invitation_from_row(const pqxx::row& row) {
  return {row["id"].as<std::int64_t>(),
          row["event_id"].as<std::int64_t>(),
          row["email"].as<std::string>(),
          optional_text(row["name"]),
          parse_language(row["language"].as<std::string>()).value_or(Language::en),
          instant_of(row["invited_at"]),
          row["reminders"].as<int>(),
          optional_instant_of(row["used_at"]),
          optional_id(row["registration_id"])};
}

}  // namespace

Invited invite(Tx& tx, std::int64_t event_id, const std::vector<Invitee>& invitees, Instant now) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& invitee : invitees) {
    rows.push_back({{"email", invitee.email.text()},
                    {"name", invitee.name ? nlohmann::json(*invitee.name) : nlohmann::json(nullptr)},
                    {"language", to_string(invitee.language)},
                    {"position", rows.size()}});
  }
  const auto row = exec(tx, kInvite, event_id, rows.dump(), epoch(now))[0];
  Invited outcome{row["invited"].as<int>(), 0, row["registered"].as<int>()};
  outcome.already_invited = static_cast<int>(invitees.size()) - outcome.invited - outcome.already_registered;
  return outcome;
}

std::vector<Invitation> page(Tx& tx, std::int64_t event_id, std::optional<InvitationStatus> status,
                             std::int64_t after_id, int limit) {
  const std::optional<std::string> wanted = status ? std::optional(std::string(to_string(*status))) : std::nullopt;
  std::vector<Invitation> found;
  for (const auto& row : exec(tx, kPage, event_id, after_id, nullable(wanted), limit))
    found.push_back(invitation_from_row(row));
  return found;
}

std::optional<Invitation> by_id(Tx& tx, std::int64_t id) {
  const auto result = exec(tx, kById, id);
  if (result.empty()) return std::nullopt;
  return invitation_from_row(result[0]);
}

Withdrawal withdraw(Tx& tx, std::int64_t event_id, std::int64_t id) {
  const auto row = exec(tx, kWithdraw, event_id, id)[0];
  if (row["found"].as<int>() == 0) return Withdrawal::not_found;
  return row["withdrawn"].as<int>() == 1 ? Withdrawal::withdrawn : Withdrawal::used;
}

int remind(Tx& tx, std::int64_t event_id, Instant now) {
  return static_cast<int>(exec(tx, kRemind, event_id, epoch(now)).affected_rows());
}

void add_token(Tx& tx, std::int64_t invitation_id, const Sha256& token_hash) {
  exec(tx, kAddToken, invitation_id, hex(token_hash));
}

std::optional<std::int64_t> hold_unused(Tx& tx, std::int64_t event_id, const Sha256& token_hash, std::string_view email) {
  const auto result = exec(tx, kHoldUnused, event_id, hex(token_hash), std::string(email));
  if (result.empty()) return std::nullopt;
  return result[0]["id"].as<std::int64_t>();
}

void use(Tx& tx, std::int64_t invitation_id, std::int64_t registration_id, Instant now) {
  exec(tx, kUse, invitation_id, registration_id, epoch(now));
}

}  // namespace convene::store::invitations
