#!/usr/bin/python3
"""Reads convene's iCalendar documents with Debian's python3-icalendar and checks what they say.

    python_check.py SAMPLES_DIR
        every document listed in SAMPLES_DIR/expected.json (written by convene_ical_samples)
    python_check.py --file F.ics --expect '{"UID": ["2021-09-10T13:00:00Z", "2021-09-10T15:00:00Z"], ...}'
        one document, e.g. one downloaded over HTTP by an integration test

Checks, per document:
  - the bytes: valid UTF-8, CRLF line ends only, no line over 75 octets (excluding CRLF), no fold
    inside a UTF-8 character, and every unfolded line splits into name/parameters/value under the
    library's strict content-line parser (icalendar 4 has no strict mode for whole calendars);
  - Calendar.from_ical: no exception and no error recorded on any component (the library records,
    rather than raises, errors inside VEVENTs);
  - for every VEVENT, DTSTART/DTEND in UTC, reading the wall time with a tzinfo built from the
    document's own VTIMEZONE (Timezone.to_tz()), never the system zone of the same name, and with the
    RFC 5545 3.3.5 rules for a wall time that occurs twice (the first occurrence) or never (the offset
    before the gap);
  - with a manifest: METHOD, X-WR-CALNAME, and per VEVENT UID, SEQUENCE, STATUS, SUMMARY,
    DESCRIPTION, LOCATION, URL, ORGANIZER/ATTENDEE with CN, VALARM triggers, and that exactly the
    expected properties and components exist (nothing typed by a person became a line of its own).
With --expect: the set of UIDs and their UTC start and end.
Prints one summary line; exits 1 on any problem (each printed on its own line before the summary).
"""
import argparse
import copy
import json
import os
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

import icalendar
from icalendar import Calendar
from icalendar.parser import Contentline


def raw_problems(data):
    """Byte-level rules of RFC 5545 3.1 that a forgiving parser would not report."""
    problems = []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return ["not UTF-8: %s" % e], []
    if not data.endswith(b"\r\n"):
        problems.append("does not end in CRLF")
    lines = data.split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    unfolded = []
    for number, line in enumerate(lines, 1):
        if b"\r" in line or b"\n" in line:
            problems.append("line %d: bare CR or LF" % number)
        if len(line) > 75:
            problems.append("line %d: %d octets" % (number, len(line)))
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append("line %d: fold splits a UTF-8 character" % number)
        if line[:1] in (b" ", b"\t"):
            if not unfolded:
                problems.append("line %d: continuation of nothing" % number)
            else:
                unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    names = []
    for line in unfolded:
        text = line.decode("utf-8", "replace")
        try:
            name, _params, value = Contentline(text, strict=True).parts()
        except ValueError as e:
            problems.append("content line does not parse: %s" % e)
            continue
        names.append((name.upper(), value if name.upper() in ("BEGIN", "END") else None))
    return problems, names


def component_errors(calendar):
    problems = []
    for component in calendar.walk():
        for prop, message in getattr(component, "errors", []):
            problems.append("%s %s: %s" % (component.name, prop, message))
    return problems


# Two faults of Timezone.to_tz() in icalendar 4.0.3 (Debian bookworm), worked around on a copy of
# the VTIMEZONE so that the library still does the conversion, from the document's own rules:
#  - an RRULE with UNTIL makes it raise: it hands dateutil (2.8.2) a naive DTSTART with the UTC UNTIL
#    that RFC 5545 3.3.10 requires in a VTIMEZONE, and dateutil refuses to mix them ("RRULE UNTIL
#    values must be specified in UTC when DTSTART is timezone-aware"; icalendar/cal.py:540,
#    collective/icalendar#708). Its next line would then read the UTC UNTIL as local time, dropping
#    the last onset in zones east of UTC. Here UNTIL is restated as the observance's own local time
#    (UTC + TZOFFSETFROM, the clock DTSTART is read on), which names the same last onset.
#  - an RRULE without UNTIL or COUNT is expanded only to 2038-12-31 (cal.py:542-544, "pytz.timezones
#    don't know any transition dates after 2038"), so every DST zone stays on its last offset from
#    2039. Here such a rule gets an UNTIL in 2200 (the last year convene accepts), which changes
#    nothing before then.
WORKAROUNDS = Counter()
FAR_FUTURE = datetime(2200, 1, 1)


def document_tz(vtimezone):
    """A tzinfo built by the library (Timezone.to_tz()) from this VTIMEZONE."""
    vtimezone = copy.deepcopy(vtimezone)
    for observance in vtimezone.subcomponents:
        if "RRULE" not in observance:
            continue
        rule = observance["RRULE"]
        if "UNTIL" in rule:
            until = rule["UNTIL"][0]
            if isinstance(until, datetime) and until.tzinfo is not None:
                local = until.astimezone(timezone.utc).replace(tzinfo=None) + observance["TZOFFSETFROM"].td
                rule["UNTIL"] = [local]
                WORKAROUNDS["UTC UNTIL restated in local time"] += 1
        elif "COUNT" not in rule:
            rule["UNTIL"] = [FAR_FUTURE]
            WORKAROUNDS["open RRULE given UNTIL=2200"] += 1
    return vtimezone.to_tz()


def offset_at(tz, utc_naive):
    return tz.fromutc(utc_naive).utcoffset()


def offsets_of(tz):
    return sorted({info[0] for info in tz._transition_info})


def rfc5545_instant(tz, wall):
    """The instant a wall time denotes in tz, as RFC 5545 3.3.5 says: of two occurrences the first;
    a wall time in a gap is read with the offset in force before the gap."""
    candidates = []
    for offset in offsets_of(tz):
        utc = wall - offset
        if offset_at(tz, utc) == offset:
            candidates.append(utc)
    if candidates:
        return min(candidates)
    # In a gap: the offset before the transition is the one in force just before the earliest
    # instant the wall time could mean.
    earliest = wall - max(offsets_of(tz))
    return wall - offset_at(tz, earliest)


def utc_text(prop, zones):
    dt = prop.dt
    tzid = prop.params.get("TZID")
    if not isinstance(dt, datetime):
        return "(not a DATE-TIME)"
    if tzid is None:
        if dt.tzinfo is None:
            return "(floating time)"
        utc = dt.astimezone(timezone.utc).replace(tzinfo=None)
    else:
        tz = zones.get(str(tzid))
        if tz is None:
            return "(no VTIMEZONE for %s)" % tzid
        utc = rfc5545_instant(tz, dt.replace(tzinfo=None))  # the wall time as written
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def person(prop):
    text = str(prop)
    email = text[len("mailto:"):] if text.lower().startswith("mailto:") else "(not mailto) " + text
    cn = prop.params.get("CN")
    return {"email": email, "cn": None if cn is None else str(cn)}


def check_event(event, expected, zones, problems):
    uid = expected["uid"]
    where = "VEVENT %s: " % uid

    def same(what, got, want):
        if got != want:
            problems.append(where + "%s is %r, expected %r" % (what, got, want))

    same("UID", str(event.get("UID")), uid)
    same("SEQUENCE", int(event.get("SEQUENCE", -1)), expected["sequence"])
    same("STATUS", str(event.get("STATUS")), expected["status"])
    same("SUMMARY", str(event.get("SUMMARY")), expected["summary"])
    same("start", utc_text(event["DTSTART"], zones), expected["start"])
    same("end", utc_text(event["DTEND"], zones), expected["end"])

    names = Counter(["UID", "SEQUENCE", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS", "TRANSP"])
    if expected["description"]:
        names["DESCRIPTION"] += 1
        same("DESCRIPTION", str(event.get("DESCRIPTION")), expected["description"])
    if expected["location"] is not None:
        names["LOCATION"] += 1
        same("LOCATION", str(event.get("LOCATION")), expected["location"])
    if expected["url"] is not None:
        names["URL"] += 1
        same("URL", str(event.get("URL")), expected["url"])
    if expected["organizer"] is not None:
        names["ORGANIZER"] += 1
        same("ORGANIZER", person(event["ORGANIZER"]) if "ORGANIZER" in event else None, expected["organizer"])
    attendees = as_list(event.get("ATTENDEE"))
    names["ATTENDEE"] += len(attendees)
    if names["ATTENDEE"] == 0:
        del names["ATTENDEE"]
    same("ATTENDEEs", [person(a) for a in attendees], expected["attendees"])
    got_names = Counter()
    for name, values in event.items():
        got_names[name.upper()] += len(as_list(values))
    same("property names", dict(sorted(got_names.items())), dict(sorted(names.items())))

    triggers = []
    for alarm in event.subcomponents:
        if alarm.name != "VALARM":
            problems.append(where + "unexpected %s inside" % alarm.name)
            continue
        same("VALARM properties", sorted(k.upper() for k in alarm.keys()), ["ACTION", "DESCRIPTION", "TRIGGER"])
        trigger = alarm.get("TRIGGER")
        triggers.append(int(-trigger.dt.total_seconds()) if trigger is not None else None)
    same("VALARM triggers (seconds before)", triggers, expected["alarm_seconds_before"])


def check_document(path, sample=None, expect_times=None):
    """Problems found in one document (empty if none), and the number of VEVENTs."""
    data = open(path, "rb").read()
    problems, lines = raw_problems(data)
    try:
        calendar = Calendar.from_ical(data)
    except Exception as e:  # the library raises ValueError and friends on malformed input
        return problems + ["Calendar.from_ical failed: %s" % e], 0
    problems += component_errors(calendar)

    # The structure as written: BEGIN/END balanced and exactly the components expected.
    stack, components = [], []
    for name, value in lines:
        if name == "BEGIN":
            stack.append(value)
            components.append(value)
        elif name == "END":
            if not stack or stack.pop() != value:
                problems.append("END:%s does not close the open component" % value)
    if stack:
        problems.append("components left open: %s" % stack)

    zones = {}
    for vtimezone in calendar.walk("VTIMEZONE"):
        zones[str(vtimezone["TZID"])] = document_tz(vtimezone)  # from the document, not the system zone
    events = calendar.walk("VEVENT")

    if expect_times is not None:
        got = {}
        for event in events:
            got[str(event["UID"])] = [utc_text(event["DTSTART"], zones), utc_text(event["DTEND"], zones)]
        if got != expect_times:
            problems.append("events are %s, expected %s" % (json.dumps(got), json.dumps(expect_times)))
    if sample is not None:
        if str(calendar.get("METHOD")) != sample["method"]:
            problems.append("METHOD is %s, expected %s" % (calendar.get("METHOD"), sample["method"]))
        calendar_names = ["CALSCALE", "METHOD", "PRODID", "VERSION"]
        if sample["calendar_name"] is not None:
            calendar_names.append("X-WR-CALNAME")
            if str(calendar.get("X-WR-CALNAME")) != sample["calendar_name"]:
                problems.append("X-WR-CALNAME is %r" % str(calendar.get("X-WR-CALNAME")))
        if sorted(k.upper() for k in calendar.keys()) != sorted(calendar_names):
            problems.append("VCALENDAR properties %s" % sorted(calendar.keys()))
        expected_zones = sorted({e["zone"] for e in sample["events"] if e["zone"] != "UTC"})
        if sorted(zones) != expected_zones:
            problems.append("VTIMEZONEs %s, expected %s" % (sorted(zones), expected_zones))
        want = Counter({"VCALENDAR": 1, "VEVENT": len(sample["events"])})
        want["VTIMEZONE"] = len(expected_zones)
        want["VALARM"] = sum(len(e["alarm_seconds_before"]) for e in sample["events"])
        got = Counter(c for c in components if c not in ("STANDARD", "DAYLIGHT"))
        if +got != +want:
            problems.append("components %s, expected %s" % (dict(got), dict(+want)))
        if len(events) != len(sample["events"]):
            problems.append("%d VEVENTs, expected %d" % (len(events), len(sample["events"])))
        else:
            for event, expected in zip(events, sample["events"]):
                try:
                    check_event(event, expected, zones, problems)
                except Exception as e:  # a property missing or of the wrong type: report, go on
                    problems.append("VEVENT %s: %s: %s" % (expected["uid"], type(e).__name__, e))
    return problems, len(events)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("samples", nargs="?", help="directory with the documents and expected.json")
    parser.add_argument("--file", help="one .ics document")
    parser.add_argument("--expect", help='JSON {"UID": ["start Z", "end Z"], ...} for --file')
    args = parser.parse_args()
    if bool(args.samples) == bool(args.file) or bool(args.file) != bool(args.expect):
        parser.error("give a samples directory, or --file F.ics --expect JSON")

    failures, documents, events = [], 0, 0
    if args.file:
        problems, count = check_document(args.file, expect_times=json.loads(args.expect))
        failures += ["%s: %s" % (args.file, p) for p in problems]
        documents, events = 1, count
    else:
        manifest = json.load(open(os.path.join(args.samples, "expected.json"), encoding="utf-8"))
        for sample in manifest["samples"]:
            problems, count = check_document(os.path.join(args.samples, sample["file"]), sample)
            failures += ["%s: %s" % (sample["file"], p) for p in problems]
            documents += 1
            events += count
    for failure in failures:
        print("FAIL " + failure)
    print("python3-icalendar %s: %d documents, %d VEVENTs, %d problems (to_tz workarounds: %s)" % (
        icalendar.__version__, documents, events, len(failures),
        ", ".join("%s x%d" % item for item in sorted(WORKAROUNDS.items())) or "none"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
