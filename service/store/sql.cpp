#include "store/sql.hpp"

#include <cstdio>
#include <cstdlib>

namespace convene::store {
namespace {

std::vector<const Statement*>& registry() {
  static std::vector<const Statement*> statements;
  return statements;
}

}  // namespace

Statement::Statement(std::string name, std::string sql) : name_(std::move(name)), sql_(std::move(sql)) {
  for (const Statement* other : registry()) {
    if (other->name() == name_) {
      // Two statements prepared under one name: the second would replace the first on every
      // connection. A programming error, caught the first time the binary starts.
      std::fprintf(stderr, "convene: two SQL statements are named %s\n", name_.c_str());
      std::abort();
    }
  }
  registry().push_back(this);
}

const std::vector<const Statement*>& all_statements() { return registry(); }

pqxx::transaction_base& sql(Tx& tx) { return tx.tx_; }

std::optional<std::string> epoch_text(const std::optional<Instant>& instant) {
  if (!instant) return std::nullopt;
  return std::to_string(epoch(*instant));
}

std::optional<std::string> id_text(std::optional<std::int64_t> id) {
  return id ? std::optional(std::to_string(*id)) : std::nullopt;
}

std::string id_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "}";
}

std::string hex_of_bytes(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 15]);
  }
  return out;
}

Instant instant_of(const pqxx::field& field) { return Instant{std::chrono::seconds{field.as<long long>()}}; }

std::optional<Instant> optional_instant_of(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return instant_of(field);
}

std::optional<std::string> optional_text(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

std::optional<std::int64_t> optional_id(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::int64_t>();
}

Sha256 digest_from_hex(const std::string& text) {
  Sha256 digest{};
  for (std::size_t i = 0; i < digest.size() && 2 * i + 1 < text.size(); ++i)
    digest[i] = static_cast<std::uint8_t>(std::stoi(text.substr(2 * i, 2), nullptr, 16));
  return digest;
}

std::string bytes_from_hex(const std::string& text) {
  std::string bytes(text.size() / 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<char>(std::stoi(text.substr(2 * i, 2), nullptr, 16));
  return bytes;
}

TimeZone zone_of(const std::string& name) { return TimeZone::find(name).value_or(TimeZone::utc()); }

}  // namespace convene::store
