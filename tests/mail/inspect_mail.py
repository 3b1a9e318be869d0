#!/usr/bin/python3
"""Reads e-mails as mail clients do (Python's email package, Debian python3-icalendar for the
invitation) and prints what the tests check, as JSON: one object per file given.

For each message: decoded headers, whether every header line is plain ASCII (RFC 2047 did its
job), the MIME parts with their content types and method= parameters, the text and HTML bodies,
and the attached calendar: its METHOD and, per VEVENT, UID, SEQUENCE, STATUS and start/end in UTC
computed with the document's own VTIMEZONE.
"""
import json
import sys
from datetime import timezone
from email import policy
from email.parser import BytesParser

from icalendar import Calendar


def utc(value, timezones):
    dt = value.dt
    tzid = value.params.get("TZID")
    if tzid:
        dt = dt.replace(tzinfo=timezones[tzid])
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def calendar_summary(data):
    calendar = Calendar.from_ical(data)
    timezones = {str(tz["TZID"]): tz.to_tz() for tz in calendar.walk("VTIMEZONE")}
    events = []
    for event in calendar.walk("VEVENT"):
        events.append({
            "uid": str(event["UID"]),
            "sequence": int(event.get("SEQUENCE", 0)),
            "status": str(event.get("STATUS", "")),
            "start": utc(event["DTSTART"], timezones),
            "end": utc(event["DTEND"], timezones),
            "location": str(event.get("LOCATION", "")),
            "description": str(event.get("DESCRIPTION", "")),
        })
    return {"method": str(calendar.get("METHOD", "")), "events": events}


def summary(path):
    raw = open(path, "rb").read()
    head = raw.split(b"\r\n\r\n", 1)[0]
    message = BytesParser(policy=policy.default).parsebytes(raw)
    out = {
        "file": path,
        "headers_ascii": all(b < 128 for b in head),
        "header_lines_max": max(len(line) for line in head.split(b"\r\n")),
        "headers": {name: str(message[name]) for name in (
            "From", "To", "Subject", "Message-ID", "Date", "X-Convene-Kind", "List-Unsubscribe",
            "Content-Language", "X-Envelope-To", "Auto-Submitted") if message[name] is not None},
        "parts": [],
    }
    for part in message.walk():
        out["parts"].append({"type": part.get_content_type(), "method": part.get_param("method")})
        if part.get_content_type() == "text/plain":
            out["text"] = part.get_content()
        elif part.get_content_type() == "text/html":
            out["html"] = part.get_content()
        elif part.get_content_type() == "text/calendar":
            out["calendar"] = calendar_summary(part.get_payload(decode=True))
    return out


if __name__ == "__main__":
    print(json.dumps([summary(p) for p in sys.argv[1:]], ensure_ascii=False))
