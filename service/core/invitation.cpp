#include "convene/invitation.hpp"

#include <map>

#include "convene/text.hpp"
#include "field_reader.hpp"

namespace convene {
namespace {

using detail::FieldReader;
using detail::Presence;

// One invitee as an object {"email", "name"?, "language"?}: the one place its fields are checked,
// whether it came in a list or from a pasted line.
std::optional<Invitee> read_invitee(FieldReader& fields) {
  auto email = fields.email("email", Presence::required);
  auto name = fields.line("name", kMaxNameCharacters, Presence::optional);
  auto language = fields.parsed("language", Presence::optional, parse_language, kLanguageExpected);
  if (!fields.ok()) return std::nullopt;
  return Invitee{*std::move(email), std::move(name), language.value_or(Language::en)};
}

// The fields of a CSV line: separated by commas or tabs (a spreadsheet's copy), each in double
// quotes where it holds a separator, "" standing for a quote inside them.
std::vector<std::string> csv_fields(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch != '"') fields.back() += ch;
      else if (i + 1 < line.size() && line[i + 1] == '"') fields.back() += line[++i];
      else quoted = false;
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',' || ch == '\t') {
      fields.emplace_back();
    } else {
      fields.back() += ch;
    }
  }
  return fields;
}

// A pasted line as the object read_invitee reads, or why it cannot be one.
std::expected<nlohmann::json, std::string> line_as_object(std::string_view line) {
  nlohmann::json invitee = nlohmann::json::object();
  const auto put = [&](const char* field, std::string_view value) {
    if (!trim(value).empty()) invitee[field] = std::string(value);
  };
  // "Ada Lovelace <ada@example.org>", as mail clients copy an address.
  if (const std::size_t open = line.rfind('<'); line.ends_with('>') && open != std::string_view::npos) {
    std::string_view name = trim(line.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
    put("name", name);
    invitee["email"] = std::string(line.substr(open + 1, line.size() - open - 2));
    return invitee;
  }
  const auto fields = csv_fields(line);
  if (fields.size() > 3) return std::unexpected("has more than three fields: give email, name, language");
  invitee["email"] = fields[0];
  if (fields.size() > 1) put("name", fields[1]);
  if (fields.size() > 2) put("language", fields[2]);
  return invitee;
}

// "email must be ...; language must be ..." for a person reading the report of a pasted list.
std::string in_words(const FieldErrors& errors) {
  std::string words;
  for (const auto& e : errors) words += (words.empty() ? "" : "; ") + e.field + " " + e.message;
  return words;
}

bool is_header(std::string_view line) {
  return ascii_lower(trim(csv_fields(line).front())) == "email";
}

std::string too_many() {
  return "must name at most " + std::to_string(kMaxInviteesPerRequest) + " invitees";
}

}  // namespace

InviteeList parse_pasted_invitees(std::string_view text) {
  InviteeList list;
  std::map<std::string, int> line_of_address;  // by Email::key
  bool first = true;
  int number = 0;
  for (std::size_t start = 0; start <= text.size(); ++number) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(start, end - start));  // "\r" of CRLF included
    start = end + 1;
    if (line.empty()) continue;
    const bool header = first && is_header(line);
    first = false;
    if (header) continue;
    const auto reject = [&](std::string error) { list.rejected.push_back({number + 1, std::string(line), std::move(error)}); };
    const auto object = line_as_object(line);
    if (!object) {
      reject(object.error());
      continue;
    }
    FieldReader fields(*object);
    auto invitee = read_invitee(fields);
    if (!invitee) {
      reject(in_words(fields.take_errors()));
      continue;
    }
    const auto [earlier, added] = line_of_address.try_emplace(invitee->email.key(), number + 1);
    if (!added) {
      reject("repeats the address of line " + std::to_string(earlier->second));
      continue;
    }
    list.invitees.push_back(*std::move(invitee));
  }
  return list;
}

std::expected<InviteeList, FieldErrors> parse_invitation_request(const nlohmann::json& body) {
  FieldReader fields(body);
  if (!fields.ok()) return std::unexpected(fields.take_errors());
  const nlohmann::json* listed = fields.find("invitees");
  const nlohmann::json* pasted = fields.find("text");
  if ((listed == nullptr) == (pasted == nullptr)) {
    fields.fail("invitees", "give either invitees (a list of {email, name, language}) or text (pasted lines)");
    return std::unexpected(fields.take_errors());
  }
  if (pasted != nullptr) {
    if (!pasted->is_string() || trim(pasted->get_ref<const std::string&>()).empty()) {
      fields.fail("text", "must be text with one invitee a line");
      return std::unexpected(fields.take_errors());
    }
    InviteeList list = parse_pasted_invitees(pasted->get_ref<const std::string&>());
    if (list.invitees.size() > kMaxInviteesPerRequest) return std::unexpected(FieldErrors{{"text", too_many()}});
    return list;
  }
  if (!listed->is_array() || listed->empty() || listed->size() > kMaxInviteesPerRequest) {
    fields.fail("invitees", "must be a list of 1 to " + std::to_string(kMaxInviteesPerRequest) +
                                " objects {email, name, language}");
    return std::unexpected(fields.take_errors());
  }
  InviteeList list;
  FieldErrors errors;
  std::map<std::string, std::size_t> index_of_address;
  for (std::size_t i = 0; i < listed->size(); ++i) {
    const std::string prefix = "invitees[" + std::to_string(i) + "].";
    FieldReader entry((*listed)[i], prefix);
    auto invitee = entry.ok() ? read_invitee(entry) : std::nullopt;
    if (!invitee) {
      for (auto& e : entry.take_errors()) errors.push_back(std::move(e));
      continue;
    }
    if (const auto [earlier, added] = index_of_address.try_emplace(invitee->email.key(), i); !added) {
      errors.push_back({prefix + "email", "repeats invitees[" + std::to_string(earlier->second) + "].email"});
      continue;
    }
    list.invitees.push_back(*std::move(invitee));
  }
  if (!errors.empty()) return std::unexpected(std::move(errors));
  return list;
}

}  // namespace convene
