#!/usr/bin/python3
"""A real SMTP server for the tests (Debian python3-aiosmtpd), on loopback.

Every accepted message is written whole to MAILDIR/<n>.eml, with the envelope recipients in an
X-Envelope-To header first. Recipients matching --reject (a regular expression) are refused with
550, as a server does for an address that does not exist. Prints READY <port> once listening, then
runs until killed.
"""
import argparse
import asyncio
import itertools
import os
import re
import signal
import time

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, maildir, reject, delay):
        self.maildir = maildir
        self.reject = re.compile(reject) if reject else None
        self.delay = delay
        self.counter = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.delay:
            await asyncio.sleep(self.delay)  # before DATA: a client killed now has sent nothing
        if self.reject and self.reject.search(address):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(self.maildir, "%06d.eml" % next(self.counter))
        with open(name + ".tmp", "wb") as f:
            f.write(b"X-Envelope-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(name + ".tmp", name)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--reject", default="")
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    os.makedirs(args.maildir, exist_ok=True)
    controller = Controller(Handler(args.maildir, args.reject, args.delay), hostname="127.0.0.1", port=args.port,
                            decode_data=False, enable_SMTPUTF8=True)
    controller.start()
    print("READY", args.port, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (controller.stop(), os._exit(0)))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
