// convene_ical_libical_check SAMPLES_DIR [gtest flags]
//
// Reads every document that convene_ical_samples wrote with libical's C API (Debian libical3, the
// library behind Evolution and many CalDAV servers) and checks it against SAMPLES_DIR/expected.json:
//   - the parser reports nothing: no X-LIC-ERROR property anywhere (every component and property is
//     walked) and no X-LIC-INVALID component; nor does icalrestriction_check, libical's table of
//     the iTIP (RFC 5546) rules for the document's METHOD (ORGANIZER in PUBLISH, ATTENDEE in REQUEST...);
//   - exactly the expected components and properties exist (nothing typed by a person became a line);
//   - METHOD, and per VEVENT UID, SEQUENCE, STATUS, SUMMARY, DESCRIPTION, LOCATION, URL, ORGANIZER
//     and ATTENDEE addresses with their CN, VALARM triggers;
//   - DTSTART/DTEND in UTC, computed with a timezone built from the document's own VTIMEZONE
//     (icaltimezone_new + icaltimezone_set_component on a clone of it), never with libical's
//     built-in zones, by two routes (icaltime_convert_to_zone and icaltime_as_timet_with_zone).
// One test per document (suite IcalLibical), registered at run time from the manifest.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <libical/ical.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

std::filesystem::path samples_dir;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string or_empty(const char* text) { return text ? text : ""; }

struct ComponentDeleter {
  void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using Component = std::unique_ptr<icalcomponent, ComponentDeleter>;

struct ZoneDeleter {
  void operator()(icaltimezone* z) const { icaltimezone_free(z, 1); }
};
using Zone = std::unique_ptr<icaltimezone, ZoneDeleter>;

std::vector<icalcomponent*> children(icalcomponent* parent, icalcomponent_kind kind) {
  std::vector<icalcomponent*> out;
  for (icalcomponent* c = icalcomponent_get_first_component(parent, kind); c;
       c = icalcomponent_get_next_component(parent, kind))
    out.push_back(c);
  return out;
}

std::vector<icalproperty*> properties(icalcomponent* c, icalproperty_kind kind) {
  std::vector<icalproperty*> out;
  for (icalproperty* p = icalcomponent_get_first_property(c, kind); p; p = icalcomponent_get_next_property(c, kind))
    out.push_back(p);
  return out;
}

// Every complaint the parser left in the tree, with where it was found.
void collect_errors(icalcomponent* c, const std::string& path, std::vector<std::string>& errors) {
  const std::string here = path + "/" + or_empty(icalcomponent_kind_to_string(icalcomponent_isa(c)));
  if (icalcomponent_isa(c) == ICAL_XLICINVALID_COMPONENT) errors.push_back(here + ": X-LIC-INVALID component");
  for (icalproperty* p : properties(c, ICAL_ANY_PROPERTY)) {
    if (icalproperty_isa(p) == ICAL_XLICERROR_PROPERTY)
      errors.push_back(here + ": X-LIC-ERROR " + or_empty(icalproperty_get_xlicerror(p)));
  }
  for (icalcomponent* child : children(c, ICAL_ANY_COMPONENT)) collect_errors(child, here, errors);
}

// Property names of a component, in order ("ATTENDEE" once per attendee).
std::vector<std::string> property_names(icalcomponent* c) {
  std::vector<std::string> names;
  for (icalproperty* p : properties(c, ICAL_ANY_PROPERTY)) names.push_back(or_empty(icalproperty_get_property_name(p)));
  std::sort(names.begin(), names.end());
  return names;
}

std::string format_utc(time_t t) {
  char buffer[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// Zones built from the document's VTIMEZONEs, by TZID.
std::map<std::string, Zone> document_zones(icalcomponent* calendar) {
  std::map<std::string, Zone> zones;
  for (icalcomponent* vtimezone : children(calendar, ICAL_VTIMEZONE_COMPONENT)) {
    Zone zone(icaltimezone_new());
    // The clone is handed over: the zone owns it from here on.
    EXPECT_EQ(icaltimezone_set_component(zone.get(), icalcomponent_new_clone(vtimezone)), 1);
    const std::string tzid = or_empty(icaltimezone_get_tzid(zone.get()));
    EXPECT_FALSE(tzid.empty());
    EXPECT_EQ(zones.count(tzid), 0u) << "two VTIMEZONEs for " << tzid;
    zones[tzid] = std::move(zone);
  }
  return zones;
}

// DTSTART/DTEND as an instant: UTC as written (Z), or the wall time read in the document's zone.
std::string instant_of(icalproperty* property, const std::map<std::string, Zone>& zones) {
  if (!property) return "(missing)";
  icalvalue* value = icalproperty_get_value(property);
  if (icalvalue_isa(value) != ICAL_DATETIME_VALUE) return "(not a DATE-TIME)";
  struct icaltimetype t = icalvalue_get_datetime(value);
  icalparameter* tzid_param = icalproperty_get_first_parameter(property, ICAL_TZID_PARAMETER);
  if (!tzid_param) {
    if (!icaltime_is_utc(t)) return "(floating time)";
    return format_utc(icaltime_as_timet(t));
  }
  const std::string tzid = or_empty(icalparameter_get_tzid(tzid_param));
  const auto found = zones.find(tzid);
  if (found == zones.end()) return "(no VTIMEZONE for " + tzid + ")";
  icaltimezone* zone = found->second.get();

  struct icaltimetype wall = t;
  icaltime_set_timezone(&wall, zone);  // the wall time, in the document's zone (no conversion)
  const struct icaltimetype in_utc = icaltime_convert_to_zone(wall, icaltimezone_get_utc_timezone());
  const std::string by_conversion = format_utc(icaltime_as_timet(in_utc));

  struct icaltimetype floating = t;
  icaltime_set_timezone(&floating, nullptr);
  const std::string by_timet = format_utc(icaltime_as_timet_with_zone(floating, zone));
  if (by_conversion != by_timet) return "(libical disagrees with itself: " + by_conversion + " vs " + by_timet + ")";
  return by_conversion;
}

std::string parameter(icalproperty* p, const char* name) { return or_empty(icalproperty_get_parameter_as_string(p, name)); }

json person_of(icalproperty* p, const std::string& value) {
  const std::string prefix = "mailto:";
  json person = {{"email", value.rfind(prefix, 0) == 0 ? value.substr(prefix.size()) : "(not mailto) " + value}};
  const char* cn = icalproperty_get_parameter_as_string(p, "CN");
  person["cn"] = cn ? json(cn) : json(nullptr);
  return person;
}

void check_event(icalcomponent* vevent, const json& expected, const std::map<std::string, Zone>& zones) {
  const std::string uid = expected.at("uid");
  SCOPED_TRACE("VEVENT " + uid);
  EXPECT_EQ(or_empty(icalcomponent_get_uid(vevent)), uid);
  EXPECT_EQ(icalcomponent_get_sequence(vevent), expected.at("sequence").get<int>());
  EXPECT_EQ(or_empty(icalproperty_status_to_string(icalcomponent_get_status(vevent))),
            expected.at("status").get<std::string>());
  EXPECT_EQ(or_empty(icalcomponent_get_summary(vevent)), expected.at("summary").get<std::string>());

  EXPECT_EQ(instant_of(icalcomponent_get_first_property(vevent, ICAL_DTSTART_PROPERTY), zones),
            expected.at("start").get<std::string>())
      << "DTSTART in " << expected.at("zone");
  EXPECT_EQ(instant_of(icalcomponent_get_first_property(vevent, ICAL_DTEND_PROPERTY), zones),
            expected.at("end").get<std::string>())
      << "DTEND in " << expected.at("zone");

  // Exactly the properties the writer was asked for.
  std::vector<std::string> names = {"UID", "SEQUENCE", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS", "TRANSP"};
  if (!expected.at("description").get<std::string>().empty()) {
    names.push_back("DESCRIPTION");
    EXPECT_EQ(or_empty(icalcomponent_get_description(vevent)), expected.at("description").get<std::string>());
  }
  if (!expected.at("location").is_null()) {
    names.push_back("LOCATION");
    EXPECT_EQ(or_empty(icalcomponent_get_location(vevent)), expected.at("location").get<std::string>());
  }
  if (!expected.at("url").is_null()) {
    names.push_back("URL");
    icalproperty* url = icalcomponent_get_first_property(vevent, ICAL_URL_PROPERTY);
    EXPECT_EQ(url ? or_empty(icalproperty_get_url(url)) : "", expected.at("url").get<std::string>());
  }
  if (!expected.at("organizer").is_null()) {
    names.push_back("ORGANIZER");
    icalproperty* organizer = icalcomponent_get_first_property(vevent, ICAL_ORGANIZER_PROPERTY);
    ASSERT_NE(organizer, nullptr);
    EXPECT_EQ(person_of(organizer, or_empty(icalproperty_get_organizer(organizer))), expected.at("organizer"));
  }
  json attendees = json::array();
  for (icalproperty* p : properties(vevent, ICAL_ATTENDEE_PROPERTY)) {
    names.push_back("ATTENDEE");
    attendees.push_back(person_of(p, or_empty(icalproperty_get_attendee(p))));
    EXPECT_EQ(parameter(p, "RSVP"), "FALSE");
  }
  EXPECT_EQ(attendees, expected.at("attendees"));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(property_names(vevent), names);

  // Reminders: one VALARM per offset, nothing else inside the event.
  std::vector<int> triggers;
  for (icalcomponent* alarm : children(vevent, ICAL_VALARM_COMPONENT)) {
    EXPECT_EQ(property_names(alarm), (std::vector<std::string>{"ACTION", "DESCRIPTION", "TRIGGER"}));
    const struct icaltriggertype trigger =
        icalproperty_get_trigger(icalcomponent_get_first_property(alarm, ICAL_TRIGGER_PROPERTY));
    triggers.push_back(-icaldurationtype_as_int(trigger.duration));
  }
  EXPECT_EQ(json(triggers), expected.at("alarm_seconds_before"));
  EXPECT_EQ(children(vevent, ICAL_ANY_COMPONENT).size(), triggers.size());
}

void check_document(const json& sample) {
  const std::string file = sample.at("file");
  const std::string text = read_file(samples_dir / file);
  ASSERT_FALSE(text.empty()) << file;
  icalerror_clear_errno();
  Component root(icalparser_parse_string(text.c_str()));
  ASSERT_NE(root, nullptr) << "libical could not parse " << file;
  EXPECT_EQ(icalerrno, ICAL_NO_ERROR) << icalerror_strerror(icalerrno);
  ASSERT_EQ(icalcomponent_isa(root.get()), ICAL_VCALENDAR_COMPONENT);

  std::vector<std::string> errors;
  collect_errors(root.get(), "", errors);
  EXPECT_TRUE(errors.empty()) << [&] {
    std::string all;
    for (const auto& e : errors) all += "\n  " + e;
    return all;
  }();
  EXPECT_EQ(icalcomponent_count_errors(root.get()), 0);

  // iTIP (RFC 5546) restrictions for the document's METHOD, as libical knows them. The check
  // records what it finds as X-LIC-ERROR properties, so it runs on a copy.
  Component itip(icalcomponent_new_clone(root.get()));
  EXPECT_EQ(icalrestriction_check(itip.get()), 1);
  std::vector<std::string> itip_errors;
  collect_errors(itip.get(), "", itip_errors);
  EXPECT_TRUE(itip_errors.empty()) << [&] {
    std::string all;
    for (const auto& e : itip_errors) all += "\n  " + e;
    return all;
  }();

  icalcomponent* calendar = root.get();
  EXPECT_EQ(or_empty(icalproperty_method_to_string(icalcomponent_get_method(calendar))),
            sample.at("method").get<std::string>());
  std::vector<std::string> calendar_names = {"CALSCALE", "METHOD", "PRODID", "VERSION"};
  if (!sample.at("calendar_name").is_null()) {
    calendar_names.push_back("X-WR-CALNAME");
    icalproperty* name = icalcomponent_get_first_property(calendar, ICAL_X_PROPERTY);
    ASSERT_NE(name, nullptr);
    EXPECT_EQ(or_empty(icalproperty_get_x_name(name)), "X-WR-CALNAME");
    EXPECT_EQ(or_empty(icalvalue_get_x(icalproperty_get_value(name))), sample.at("calendar_name").get<std::string>());
  }
  std::sort(calendar_names.begin(), calendar_names.end());
  EXPECT_EQ(property_names(calendar), calendar_names);

  const auto zones = document_zones(calendar);
  std::set<std::string> expected_zones;
  for (const auto& e : sample.at("events"))
    if (e.at("zone") != "UTC") expected_zones.insert(e.at("zone").get<std::string>());
  std::set<std::string> found_zones;
  for (const auto& [tzid, zone] : zones) found_zones.insert(tzid);
  EXPECT_EQ(found_zones, expected_zones);

  const auto vevents = children(calendar, ICAL_VEVENT_COMPONENT);
  EXPECT_EQ(children(calendar, ICAL_ANY_COMPONENT).size(), vevents.size() + zones.size());
  ASSERT_EQ(vevents.size(), sample.at("events").size());
  for (std::size_t i = 0; i < vevents.size(); ++i) check_event(vevents[i], sample.at("events")[i], zones);
}

class DocumentTest : public ::testing::Test {
 public:
  explicit DocumentTest(json sample) : sample_(std::move(sample)) {}
  void TestBody() override { check_document(sample_); }

 private:
  json sample_;
};

std::string test_name(std::string file) {
  if (file.ends_with(".ics")) file.resize(file.size() - 4);
  for (char& ch : file)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return file;
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::cerr << "usage: convene_ical_libical_check SAMPLES_DIR [gtest flags]\n";
    return 2;
  }
  samples_dir = argv[1];
  icalerror_set_errors_are_fatal(0);
  const json manifest = json::parse(read_file(samples_dir / "expected.json"));
  std::size_t events = 0;
  for (const json& sample : manifest.at("samples")) {
    events += sample.at("events").size();
    ::testing::RegisterTest("IcalLibical", test_name(sample.at("file")).c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [sample]() -> ::testing::Test* { return new DocumentTest(sample); });
  }
  std::cout << "libical " << ICAL_VERSION << ": " << manifest.at("samples").size() << " documents, " << events
            << " VEVENTs (samples from tzdb " << manifest.value("tzdb_version", "?") << ")\n";
  return RUN_ALL_TESTS();
}
