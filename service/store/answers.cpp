#include "store/answers.hpp"

#include "store/sql.hpp"

namespace convene::store::answers {
namespace {

// Advisory lock (2, hash of event/question/option): the capacity lock is (1, event). Two options
// sharing a hash only wait for each other now and then.
const Statement kLockOption{"lock_answer_option",
                            "SELECT pg_advisory_xact_lock(2, hashtext($1::bigint || '/' || $2 || '/' || $3))"};
const Statement kHolders{"answer_option_holders", R"sql(
  SELECT count(*) FROM registrations
  WHERE event_id = $1 AND convene_is_active(status) AND answers @> $2::jsonb AND id <> $3)sql"};
const Statement kCounts{"answer_counts", R"sql(
  SELECT a.key AS question, v.value AS answer, count(*) AS registrants
  FROM registrations r, jsonb_each(r.answers) AS a(key, value),
       jsonb_array_elements_text(CASE jsonb_typeof(a.value) WHEN 'array' THEN a.value
                                 ELSE jsonb_build_array(a.value) END) AS v(value)
  WHERE r.event_id = $1 AND convene_is_active(r.status)
  GROUP BY 1, 2)sql"};

}  // namespace

void lock_option(Tx& tx, std::int64_t event_id, const std::string& question, const std::string& option) {
  exec(tx, kLockOption, event_id, question, option);
}

int holders(Tx& tx, std::int64_t event_id, const nlohmann::json& contained, std::int64_t except_registration) {
  return exec(tx, kHolders, event_id, contained.dump(), except_registration)[0][0].as<int>();
}

std::map<std::string, std::map<std::string, int>> counts(Tx& tx, std::int64_t event_id) {
  std::map<std::string, std::map<std::string, int>> found;
  for (const auto& row : exec(tx, kCounts, event_id))
    found[row["question"].as<std::string>()][row["answer"].as<std::string>()] = row["registrants"].as<int>();
  return found;
}

}  // namespace convene::store::answers
