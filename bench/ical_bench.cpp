// The iCalendar writer (issue 4, item 6): a typical invite, one session with three alarms, from the
// typed model to text. Target: under 20 microseconds.
//   cmake --build build --target convene_ical_bench && ./build/bench/convene_ical_bench
#include <benchmark/benchmark.h>

#include "convene/icalendar.hpp"
#include "convene/invites.hpp"

namespace {

using namespace convene;

Event panel() {
  Event event{.zone = *TimeZone::find("America/New_York")};
  event.id = 1;
  event.slug = "south-south-2021";
  event.title = "South-South cooperation: solidarity in support of a more inclusive, resilient and sustainable future";
  event.description = std::string(1400, 'x');  // the seed's description is about this long
  event.organiser_name = "United Nations Office for South-South Cooperation (UNOSSC)";
  event.reminder_offsets = {*IsoDuration::parse("P1D"), *IsoDuration::parse("PT1H"), *IsoDuration::parse("PT10M")};
  event.sessions.push_back(Session{.id = 1, .uid = "84e5d789-a853-40c7-aeda-8cf1bf95d655@convene",
                                   .title = "Virtual high-level panel discussion",
                                   .time = SessionTime{WallTime{std::chrono::seconds{1631264400}}, event.zone,
                                                       Disambiguation::reject, std::chrono::minutes{120}},
                                   .starts_at = Instant{std::chrono::seconds{1631278800}}});
  return event;
}

void TypicalInvite(benchmark::State& state) {
  const Event event = panel();
  Registration registration{.zone = *TimeZone::find("Asia/Kathmandu")};
  registration.name = "सीता शर्मा";
  registration.email = "sita@example.org";
  registration.status = RegistrationStatus::confirmed;
  const ical::Person organizer{"events@example.org", std::string("convene")};
  const InviteLinks links{"https://events.example.org/r/vGhjwd3HZH7xJeUMk3TULvQtR3rmu41k", std::nullopt};
  for (auto _ : state) {
    const auto document = ical::write(registrant_invite(event, registration, links, organizer, Instant{}));
    benchmark::DoNotOptimize(document.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(TypicalInvite);

void VtimezoneOnly(benchmark::State& state) {
  const TimeZone zone = *TimeZone::find("America/New_York");
  const Instant at{std::chrono::seconds{1631278800}};
  for (auto _ : state) benchmark::DoNotOptimize(ical::vtimezone(zone, at - std::chrono::hours(8784), at + std::chrono::hours(8784)));
}
BENCHMARK(VtimezoneOnly);

}  // namespace

BENCHMARK_MAIN();
