#!/usr/bin/python3
"""Time-fit computed apart from the service, with Python's standard-library zoneinfo, for
tests/integration/time_fit_test.cpp (run as /usr/bin/python3, Debian's, which reads the same system
tz database).

    python_time_fit.py '{"date": "2021-11-07", "duration_minutes": 120,
                         "awake_from": "07:00", "awake_to": "22:00",
                         "audience": {"America/New_York": 2, "Asia/Kathmandu": 1}}'

prints {"fit": [48 counts], "fits": {zone: [48 booleans]}}: for each half-hour start of that UTC
day, the people for whom the session's local start is at or after awake_from and its local end at or
before awake_to, on the local day of the start (docs/api.md, time-fit).
"""
import json
import sys
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


def minutes(clock):
    hours, mins = clock.split(":")
    return timedelta(hours=int(hours), minutes=int(mins))


def fits(start, end, zone, awake_from, awake_to):
    local_start = start.astimezone(zone).replace(tzinfo=None)
    local_end = end.astimezone(zone).replace(tzinfo=None)
    midnight = datetime.combine(local_start.date(), time(0))
    return midnight + awake_from <= local_start and local_end <= midnight + awake_to


def main():
    question = json.loads(sys.argv[1])
    day = datetime.combine(date.fromisoformat(question["date"]), time(0), timezone.utc)
    duration = timedelta(minutes=question["duration_minutes"])
    awake_from, awake_to = minutes(question["awake_from"]), minutes(question["awake_to"])
    starts = [day + timedelta(minutes=30 * i) for i in range(48)]
    by_zone = {
        name: [fits(start, start + duration, ZoneInfo(name), awake_from, awake_to) for start in starts]
        for name in question["audience"]
    }
    fit = [sum(people for name, people in question["audience"].items() if by_zone[name][i]) for i in range(48)]
    print(json.dumps({"fit": fit, "fits": by_zone}))


main()
