// Bugs the fuzz targets (fuzz/, fuzz/README.md) found, each pinned by the input that found it. The same
// inputs are in the targets' seed corpora (fuzz/corpus/<target>/regression_*), which every fuzz run
// replays first; these tests keep them checked in the ordinary unit run, without clang.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "convene/icalendar.hpp"
#include "convene/problem.hpp"
#include "convene/text.hpp"
#include "http/metrics.hpp"
#include "http/request.hpp"

namespace convene {
namespace {

// icalendar_writer, corpus regression_fold_loop_on_continuation_bytes.txt: fold() stepped back to
// the start of a character and found none within the 74 octets of a continuation line (a run of
// UTF-8 continuation bytes, which valid text never has), cut nothing, and looped for ever while
// the output grew (libFuzzer: timeout). Now it cuts at the limit when no character starts in reach.
TEST(FuzzRegressions, FoldEndsOnARunOfContinuationBytes) {
  const std::string run(100, '\xBB');
  const std::string line = "DESCRIPTION:Samoa skipped 30 Dece" + run + "mber 2011";
  // Should the loop come back, a child process meets it, ended by an alarm and a memory limit,
  // rather than this test process.
  const auto fold_in_child = [&line] {
    ::alarm(10);
    rlimit memory{};
    memory.rlim_cur = memory.rlim_max = rlim_t{1} << 30;
    ::setrlimit(RLIMIT_AS, &memory);
    std::_Exit(ical::fold(line).size() < 2 * line.size() ? 0 : 1);
  };
  EXPECT_EXIT(fold_in_child(), ::testing::ExitedWithCode(0), "");
  if (HasFailure()) return;
  const std::string folded = ical::fold(line);
  std::string unfolded;
  std::size_t pos = 0;
  while (pos < folded.size()) {
    const std::size_t end = folded.find("\r\n", pos);
    ASSERT_NE(end, std::string::npos);
    const std::string physical = folded.substr(pos, end - pos);
    EXPECT_LE(physical.size(), 75u);
    unfolded += pos == 0 ? physical : physical.substr(1);
    pos = end + 2;
  }
  EXPECT_EQ(unfolded, line);

  ical::Calendar calendar;
  ical::Event event;
  event.uid = "regression@convene.example";
  event.summary = "Apia";
  event.description = "Samoa skipped 30 Dece" + std::string(74, '\xBB') + "mber 2011";
  calendar.events.push_back(event);
  EXPECT_NE(ical::write(calendar).find("END:VCALENDAR\r\n"), std::string::npos);
}

// Valid UTF-8 is still never split, wherever the 75-octet limit falls in a 4-octet character.
TEST(FuzzRegressions, FoldStillKeepsCharactersWhole) {
  for (std::size_t prefix = 0; prefix < 8; ++prefix) {
    const std::string line = "SUMMARY:" + std::string(prefix, 'x') + "𠜎𠜱𠝹𠱓𠱸𠲖𠳏𠳕𠴕𠵼𠵿𠜎𠜱𠝹𠱓𠱸𠲖𠳏𠳕𠴕𠵼𠵿𠜎𠜱𠝹𠱓𠱸𠲖𠳏𠳕𠴕𠵼𠵿";
    const std::string folded = ical::fold(line);
    std::size_t pos = 0;
    while (pos < folded.size()) {
      const std::size_t end = folded.find("\r\n", pos);
      ASSERT_NE(end, std::string::npos);
      EXPECT_TRUE(is_valid_utf8(folded.substr(pos, end - pos))) << prefix;
      EXPECT_LE(end - pos, 75u);
      pos = end + 2;
    }
  }
}

// http_routes and registration_decoder, corpus regression_register_number_overflow.http: a body with
// a number too large for a double ({"n":1e999}) made nlohmann::json throw out_of_range, which
// json_body did not catch (it caught parse_error only): 500 instead of 400.
TEST(FuzzRegressions, JsonBodyWithNumberOverflowIs400) {
  httplib::Request request;
  request.body = R"({"email":"a@example.org","name":"A","consent":true,"answers":{"n":1e999}})";
  const auto body = http::json_body(request);
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(http::status_of(body.error().type), 400);
  request.body = "6e662";
  EXPECT_FALSE(http::json_body(request).has_value());
}

// http_routes, corpus regression_404_path_invalid_utf8.http: the 404 for an unknown path quotes the
// path, and a path of bytes that are not UTF-8 (GET /%E5%8D+...) made the problem's JSON dump throw:
// 500 instead of 404. Problems are now written with invalid UTF-8 replaced.
TEST(FuzzRegressions, ProblemQuotingInvalidUtf8IsStillJson) {
  httplib::Response response;
  EXPECT_NO_THROW(http::send_problem(response, not_found("No resource at /\xC3\xA9v\xE5\x8D+\xFF.")));
  EXPECT_EQ(response.status, 404);
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << response.body;
  EXPECT_EQ(body["status"], 404);
  EXPECT_TRUE(is_valid_utf8(body["detail"].get<std::string>()));
}

// http_routes, corpus regression_metrics_method_label.http: cpp-httplib refuses a request line with
// an unknown method (400) but still logs it, and the metrics kept one label per method ever seen:
// any client could grow the server's memory and /metrics without bound. Unknown methods are "other".
TEST(FuzzRegressions, MetricsDoNotKeepOneLabelPerUnknownMethod) {
  http::RequestMetrics metrics;
  for (const char* method : {"BREW", "M-SEARCH", "GE\x93T", "get", "PROPFIND"})
    metrics.record("unmatched", method, 400, std::chrono::microseconds{100});
  metrics.record("/healthz", "GET", 200, std::chrono::microseconds{100});
  std::string out;
  metrics.write(out);
  EXPECT_NE(out.find(R"(convene_http_requests_total{route="unmatched",method="other",status="400"} 5)"), std::string::npos)
      << out;
  EXPECT_NE(out.find(R"(method="GET")"), std::string::npos);
  for (const char* method : {"BREW", "M-SEARCH", "get", "PROPFIND"}) EXPECT_EQ(out.find(method), std::string::npos) << method;
}

}  // namespace
}  // namespace convene
