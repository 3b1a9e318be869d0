// docs/api.md, the API reference, and the server agree; and nothing in the repository points outside it.
//
// The reference names each endpoint in a heading that starts with the method and the route pattern in
// backticks (### `GET /api/v1/events/{slug}`), and lists problem types as table rows
// (| `not-found` | 404 | ...). This test reads the page from the source tree and checks it against
// the routes of a real http::Server (built without a database: the store connects lazily) and against
// the problem types of convene/problem.hpp with the statuses http::status_of gives them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/context.hpp"
#include "convene/problem.hpp"
#include "http/request.hpp"
#include "http/server.hpp"
#include "store/store.hpp"

namespace convene {
namespace {

namespace fs = std::filesystem;
using Endpoint = std::pair<std::string, std::string>;  // method, route pattern

const fs::path kSourceDir = CONVENE_SOURCE_DIR;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// The reference's lines outside fenced code blocks (examples there are shell, JSON and iCalendar).
std::vector<std::pair<int, std::string>> prose_lines(const std::string& markdown) {
  std::vector<std::pair<int, std::string>> prose;
  bool fenced = false;
  int number = 0;
  for (const auto& line : lines_of(markdown)) {
    ++number;
    if (line.starts_with("```")) {
      fenced = !fenced;
      continue;
    }
    if (!fenced) prose.emplace_back(number, line);
  }
  return prose;
}

// What the server answers, from its own route tables.
struct ServedRoutes {
  app::Config config;
  store::Store store{store::PoolOptions{"postgresql:///unused", 1}};
  app::Context context{store, config, app::system_now, CursorCodec(""), app::TokenMinter("")};
  http::Server server{context, http::ServerOptions{}};

  std::set<Endpoint> endpoints() const {
    std::set<Endpoint> out;
    for (const auto& route : server.router().routes()) out.insert({route.method, route.pattern});
    return out;
  }
};

const std::regex kEndpointHeading(R"(^#{1,6}[ \t]+`([A-Z]+) (/[^`\s]*)`)");
const std::regex kEndpointMention(R"(`(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (/[^`\s]*)`)");
const std::regex kProblemRow(R"(^\|[ \t]*`([a-z][a-z0-9-]*)`[ \t]*\|[ \t]*([0-9]{3})[ \t]*\|)");

class ApiReference : public ::testing::Test {
 protected:
  void SetUp() override {
    markdown_ = read_file(kSourceDir / "docs" / "api.md");
    ASSERT_FALSE(markdown_.empty()) << "cannot read " << (kSourceDir / "docs" / "api.md");
  }
  std::string markdown_;
};

TEST_F(ApiReference, EveryRouteHasOneHeadingAndEveryHeadingIsARoute) {
  const ServedRoutes served;
  const auto routes = served.endpoints();
  ASSERT_GT(routes.size(), 10u) << "the server's route tables look empty";

  std::map<Endpoint, std::vector<int>> headings;
  for (const auto& [number, line] : prose_lines(markdown_)) {
    std::smatch m;
    if (std::regex_search(line, m, kEndpointHeading)) headings[{m[1].str(), m[2].str()}].push_back(number);
  }
  for (const auto& route : routes) {
    const auto found = headings.find(route);
    EXPECT_TRUE(found != headings.end())
        << "docs/api.md has no heading for " << route.first << " " << route.second << " (add ### `"
        << route.first << " " << route.second << "`)";
    if (found != headings.end()) {
      EXPECT_EQ(found->second.size(), 1u) << route.first << " " << route.second << " has several headings";
    }
  }
  for (const auto& [endpoint, numbers] : headings) {
    EXPECT_TRUE(routes.contains(endpoint)) << "docs/api.md:" << numbers.front() << " documents " << endpoint.first
                                           << " " << endpoint.second << ", which the server does not answer";
  }
}

TEST_F(ApiReference, EveryEndpointMentionedInTheTextIsARoute) {
  const ServedRoutes served;
  const auto routes = served.endpoints();
  const auto& router = served.server.router();
  int mentions = 0;
  for (const auto& [number, line] : prose_lines(markdown_)) {
    for (std::sregex_iterator it(line.begin(), line.end(), kEndpointMention), end; it != end; ++it) {
      ++mentions;
      const std::string method = (*it)[1].str();
      std::string path = (*it)[2].str();
      path = path.substr(0, path.find('?'));
      bool known = false;
      if (path.find('{') != std::string::npos) {
        // A pattern: it must be one the router has, under this method (HEAD: under GET).
        known = routes.contains({method, path}) || (method == "HEAD" && routes.contains({"GET", path}));
      } else {
        known = router.match(method, path).route != nullptr;
      }
      EXPECT_TRUE(known) << "docs/api.md:" << number << " mentions " << method << " " << path
                         << ", which is not a route";
    }
  }
  EXPECT_GT(mentions, 0) << "no `METHOD /path` found in docs/api.md";
}

// Every problem type there is (convene/problem.hpp), with the status the HTTP edge gives it.
TEST_F(ApiReference, EveryProblemTypeIsInTheTableWithItsStatus) {
  std::map<std::string, int> documented;
  for (const auto& [number, line] : prose_lines(markdown_)) {
    std::smatch m;
    if (!std::regex_search(line, m, kProblemRow)) continue;
    EXPECT_FALSE(documented.contains(m[1].str())) << "docs/api.md:" << number << " lists " << m[1] << " twice";
    documented[m[1].str()] = std::stoi(m[2].str());
  }
  std::set<std::string> in_code;
  for (const ProblemType type : kProblemTypeNames.values()) {
    const std::string name(to_string(type));
    in_code.insert(name);
    const auto found = documented.find(name);
    EXPECT_TRUE(found != documented.end()) << "the problem type " << name << " is missing from the table in docs/api.md";
    if (found != documented.end()) {
      EXPECT_EQ(found->second, http::status_of(type)) << "docs/api.md gives " << name << " another status than the server";
    }
  }
  for (const auto& [type, status] : documented)
    EXPECT_TRUE(in_code.contains(type)) << "docs/api.md lists the problem type " << type << ", which does not exist";
}

// The repository must stand on its own: no file may send readers to a sibling checkout. Walks the
// source tree (so files not yet committed count too), skipping what .gitignore leaves out: build
// directories, node_modules, the embedded PostgreSQL, the spool and test artifacts.
TEST_F(ApiReference, NoFileInTheRepositoryPointsOutsideIt) {
  const std::string outside = std::string("..") + "/shared";  // spelt so that this file does not match
  const std::set<std::string> skipped_anywhere = {".git", "node_modules"};
  const std::set<std::string> skipped_at_top = {".pg", ".spool", "spool", "test-artifacts"};
  std::vector<std::string> offenders;
  int files = 0;
  auto it = fs::recursive_directory_iterator(kSourceDir, fs::directory_options::skip_permission_denied);
  for (; it != fs::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_symlink()) continue;  // never followed: .pg may point into PostgreSQL's own directory
    if (it->is_directory()) {
      const bool top = it.depth() == 0;
      if (skipped_anywhere.contains(name) || (top && (skipped_at_top.contains(name) || name.starts_with("build"))))
        it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || it->file_size() > 16 * 1024 * 1024) continue;
    ++files;
    if (read_file(it->path()).find(outside) != std::string::npos)
      offenders.push_back(fs::relative(it->path(), kSourceDir).string());
  }
  EXPECT_GT(files, 100) << "the walk of " << kSourceDir << " found too few files";
  EXPECT_TRUE(offenders.empty()) << "these files mention " << outside << ": "
                                 << ::testing::PrintToString(offenders);
}

}  // namespace
}  // namespace convene
