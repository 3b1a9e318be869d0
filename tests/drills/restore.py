#!/usr/bin/python3
"""The restore drill (issue 18): a point-in-time recovery between two batches of registrations.

    restore.py CONVENE_BINARY REPO

On a PostgreSQL cluster of its own, in a temporary folder (deploy/pg.sh with CONVENE_PG_DIR and a
free port; never the checkout's .pg), with WAL archived by pgBackRest into an encrypted repository
in the same temporary folder (deploy/backup.sh with CONVENE_BACKUP_DIR):

 1. `backup.sh enable`, a database, `convene migrate`, `convene seed seed/*.json`, `convene serve`;
 2. a full base backup (`backup.sh backup full`), timed;
 3. batch A registers (POST /api/v1/events/south-south-2021/registrations, 201 each);
 4. a restore point (`backup.sh restore-point`, which waits until its WAL is in the repository);
 5. an organiser moves the session: SEQUENCE rises, and batch A is mailed an update (read back from
    the spool: its SEQUENCE is the one the restore must not go below);
 6. batch B registers, a moment noted (the database's clock) after half of it; `backup.sh check`
    archives the WAL written so far (what archive_timeout does within a minute);
 7. the servers stop; `backup.sh restore --target MOMENT --into DIR` makes a copy as it was at the
    moment, started on another port: it holds batch A and the first half of batch B, timed;
 8. the cluster stops, and `backup.sh restore --name POINT` recovers it in place to the point, timed:
    it holds exactly batch A (no one of batch B, the session's sequence from before the move);
 9. `convene migrate`, `convene restore-floor` and `convene serve` run on it; a batch-A registrant's
    invite.ics keeps its UID and has a SEQUENCE above the one mailed after the move; a batch-B
    manage token is unknown.

Prints the timings and counts. Whatever it started (servers, the clusters, the temporary folder) is
stopped and removed at the end, also when a step fails. Standard library only (/usr/bin/python3).
"""
import email
import email.policy
import glob
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BATCH = 30
POINT = "drill-before-the-move"
SLUG = "south-south-2021"


class DrillFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise DrillFailed(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Drill:
    def __init__(self, binary, repo):
        self.binary = binary
        self.repo = repo
        self.folder = tempfile.mkdtemp(prefix="convene-drill-")
        # The cluster's folders inside belong to the server's user (postgres, when run as root),
        # which must be able to pass through this one.
        os.chmod(self.folder, 0o711)
        self.env = dict(os.environ)
        self.env.update({
            "CONVENE_PG_DIR": os.path.join(self.folder, "pg"),
            "CONVENE_PG_PORT": str(free_port()),
            "CONVENE_BACKUP_DIR": os.path.join(self.folder, "backup"),
            "CONVENE_BACKUP_CIPHER_PASS": secrets.token_urlsafe(24),
        })
        for name in ("DATABASE_URL", "PORT", "BASE_URL", "SMTP_URL"):
            self.env.pop(name, None)
        self.servers = []
        self.clusters = []  # the environments of deploy/pg.sh of the clusters started
        self.timings = {}

    # --- processes ---------------------------------------------------------------------------

    def run(self, argv, env=None, what=None):
        started = time.monotonic()
        result = subprocess.run(argv, env=env or self.env, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise DrillFailed("%s failed (exit %d):\n%s%s" % (what or " ".join(argv), result.returncode,
                                                              result.stdout, result.stderr))
        return result.stdout, time.monotonic() - started

    def script(self, name, *args):
        return self.run([os.path.join(self.repo, "deploy", name)] + list(args))

    def convene_env(self, spool):
        env = dict(self.env)
        env.update({"DATABASE_URL": self.database_url, "SPOOL_DIR": spool, "RATE_LIMITS": "off",
                    "DB_POOL_SIZE": "4", "WORKER_POLL_MS": "100", "WORKER_PLAN_SECONDS": "1"})
        return env

    def convene(self, spool, *args):
        return self.run([self.binary] + list(args), env=self.convene_env(spool), what="convene " + " ".join(args))[0]

    def serve(self, spool):
        """`convene serve` on a free port (PORT=0: it prints the port it bound); returns its base URL."""
        env = self.convene_env(spool)
        env.update({"PORT": "0", "HOST": "127.0.0.1"})
        log_path = os.path.join(self.folder, "serve-%d.log" % len(self.servers))
        log = open(log_path, "w")
        process = subprocess.Popen([self.binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.servers.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with open(log_path) as f:
                match = re.search(r"listening on http://[^:]+:(\d+)", f.read())
            if match:
                return "http://127.0.0.1:" + match.group(1)
            if process.poll() is not None:
                raise DrillFailed("convene serve exited at start:\n" + open(log_path).read())
            time.sleep(0.05)
        raise DrillFailed("convene serve did not start listening:\n" + open(log_path).read())

    def stop_servers(self):
        for process in self.servers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.servers = []

    def psql(self, sql, env=None):
        return self.run([os.path.join(self.repo, "deploy", "pg.sh"), "psql", "-d", "convene", "-tA", "-c", sql],
                        env=env)[0].strip()

    def cleanup(self):
        started = time.monotonic()
        try:
            self.stop_servers()
        finally:
            try:
                for env in self.clusters:
                    subprocess.run([os.path.join(self.repo, "deploy", "pg.sh"), "stop"], env=env,
                                   capture_output=True, timeout=120)
            finally:
                shutil.rmtree(self.folder, ignore_errors=True)
                print("cleaned up (servers, clusters, folder) in %.1f s" % (time.monotonic() - started), flush=True)

    # --- HTTP ----------------------------------------------------------------------------------

    @staticmethod
    def http(method, url, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def register(self, base, batch, numbers=range(BATCH)):
        people = {}
        for i in numbers:
            address = "drill-%s-%02d@example.org" % (batch, i)
            status, body = self.http("POST", "%s/api/v1/events/%s/registrations" % (base, SLUG),
                                     {"email": address, "name": "Registrant %s%d" % (batch, i), "consent": True})
            check(status == 201, "registering %s answered %d: %s" % (address, status, body))
            people[address] = json.loads(body)["manage_token"]
        return people

    # --- mail ----------------------------------------------------------------------------------

    @staticmethod
    def sequences_of(document):
        """{UID: SEQUENCE} of the VEVENTs of an iCalendar document."""
        sequences, uid = {}, None
        for line in re.sub(r"\r\n[ \t]", "", document).split("\r\n"):  # unfolded (RFC 5545 3.1)
            if line == "BEGIN:VEVENT":
                uid = None
            elif line.startswith("UID:"):
                uid = line[4:]
            elif line.startswith("SEQUENCE:"):
                sequences[uid] = int(line[9:])
        return sequences

    @classmethod
    def calendar_of(cls, path):
        """(kind, recipient, {UID: SEQUENCE}) of a spooled message."""
        with open(path, "rb") as f:
            message = email.message_from_binary_file(f, policy=email.policy.default)
        sequences = {}
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                sequences.update(cls.sequences_of(part.get_payload(decode=True).decode("utf-8")))
        return str(message["X-Convene-Kind"]), str(message["To"]), sequences

    def wait_for_updates(self, spool, addresses, patience=60):
        found = {}
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            for path in glob.glob(os.path.join(spool, "*.eml")):
                kind, to, sequences = self.calendar_of(path)
                for address in addresses:
                    if kind == "update" and address in to:
                        found[address] = sequences
            if len(found) == len(addresses):
                return found
            time.sleep(0.2)
        raise DrillFailed("updates mailed to %d of %d registrants of batch A" % (len(found), len(addresses)))

    # --- the drill -----------------------------------------------------------------------------

    def main(self):
        say = lambda text: print(text, flush=True)
        started = time.monotonic()
        say("drill folder %s, cluster on port %s" % (self.folder, self.env["CONVENE_PG_PORT"]))
        self.clusters.append(self.env)
        _, self.timings["enable"] = self.script("backup.sh", "enable")
        self.script("pg.sh", "createdb", "convene")
        self.database_url = self.script("pg.sh", "url", "convene")[0].strip()
        spool = os.path.join(self.folder, "spool-before")
        self.convene(spool, "migrate")
        self.convene(spool, "seed", *sorted(glob.glob(os.path.join(self.repo, "seed", "*.json"))))
        token = self.convene(spool, "organiser", "add", "--email", "drill@example.org", "--all").strip().splitlines()[-1]
        base = self.serve(spool)

        _, self.timings["backup"] = self.script("backup.sh", "backup", "full")
        batch_a = self.register(base, "a")
        _, self.timings["restore point"] = self.script("backup.sh", "restore-point", POINT)

        status, body = self.http("GET", "%s/api/v1/events/%s" % (base, SLUG))
        check(status == 200, "reading the event answered %d" % status)
        session = json.loads(body)["sessions"][0]
        check(session["sequence"] == 0, "the seeded session's sequence is %s, not 0" % session["sequence"])
        status, body = self.http("PATCH", "%s/api/v1/events/%s/sessions/%d" % (base, SLUG, session["id"]),
                                 {"starts_local": "2021-09-10T10:00"}, {"Authorization": "Bearer " + token})
        check(status == 200, "moving the session answered %d: %s" % (status, body))
        mailed = self.wait_for_updates(spool, list(batch_a))
        mailed_sequences = {seq for sequences in mailed.values() for seq in sequences.values()}
        check(mailed_sequences == {1}, "the updates carry SEQUENCE %s, not 1" % sorted(mailed_sequences))
        # Batch B, with a moment noted (the database's clock) between its two halves.
        half = BATCH // 2
        batch_b = self.register(base, "b", range(half))
        moment = self.psql("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00')")
        time.sleep(0.2)
        batch_b.update(self.register(base, "b", range(half, BATCH)))
        count_before = int(self.psql("SELECT count(*) FROM registrations"))
        check(count_before == 2 * BATCH, "%d registrations before the restore, not %d" % (count_before, 2 * BATCH))
        # What archive_timeout would do within a minute: the WAL written so far goes to the archive.
        self.script("backup.sh", "check")
        self.stop_servers()

        # A copy of the cluster as it was at the moment noted, restored into a folder of its own
        # (--target TIME --into) and started on another port: batch A and the first half of batch B.
        copy_env = dict(self.env, CONVENE_PG_DIR=os.path.join(self.folder, "copy"), CONVENE_PG_PORT=str(free_port()))
        _, self.timings["restore copy"] = self.script("backup.sh", "restore", "--target", moment,
                                                      "--into", os.path.join(self.folder, "copy", "data"))
        self.clusters.append(copy_env)
        self.run([os.path.join(self.repo, "deploy", "pg.sh"), "start"], env=copy_env)
        deadline = time.monotonic() + 120
        while self.psql("SELECT pg_is_in_recovery()", copy_env) != "f":
            check(time.monotonic() < deadline, "the copy did not finish its recovery")
            time.sleep(0.2)
        copied = set(self.psql("SELECT email FROM registrations", copy_env).split())
        first_half = {address for address in batch_b if int(address.split("-")[2].split("@")[0]) < half}
        check(copied == set(batch_a) | first_half, "the copy at %s holds %d of batch A and %d of batch B, not %d and %d"
              % (moment, len(copied & set(batch_a)), len(copied & set(batch_b)), len(batch_a), half))
        self.run([os.path.join(self.repo, "deploy", "pg.sh"), "stop"], env=copy_env)

        # The database machine is lost: everything stops, and the cluster is recovered to the point.
        self.script("pg.sh", "stop")
        _, self.timings["restore"] = self.script("backup.sh", "restore", "--name", POINT)

        emails = set(self.psql("SELECT email FROM registrations").split())
        check(emails == set(batch_a), "after the restore: %d of batch A, %d of batch B, %d others" % (
            len(emails & set(batch_a)), len(emails & set(batch_b)), len(emails - set(batch_a) - set(batch_b))))
        check(self.psql("SELECT sequence FROM sessions WHERE id = %d" % session["id"]) == "0",
              "the restored session's sequence is not the one before the move")
        pending = self.psql("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")

        spool_after = os.path.join(self.folder, "spool-after")
        self.convene(spool_after, "migrate")
        printed = self.convene(spool_after, "restore-floor")
        match = re.search(r"sequence floor raised from (\d+) to (\d+)", printed)
        check(match is not None, "restore-floor printed: " + printed)
        floor_before, floor = int(match.group(1)), int(match.group(2))
        base = self.serve(spool_after)

        someone = sorted(batch_a)[0]
        status, invite = self.http("GET", "%s/api/v1/registrations/%s/invite.ics" % (base, batch_a[someone]))
        check(status == 200, "%s's invite answered %d" % (someone, status))
        served = self.sequences_of(invite)
        check(set(served) == set(mailed[someone]), "the invite's UIDs %s are not the mailed ones %s" % (
            sorted(served), sorted(mailed[someone])))
        for uid, seq in served.items():
            check(seq > mailed[someone][uid], "SEQUENCE %d of %s is not above the mailed %d" % (
                seq, uid, mailed[someone][uid]))
        status, _ = self.http("GET", "%s/api/v1/registrations/%s/invite.ics" % (base, batch_b[sorted(batch_b)[0]]))
        check(status == 404, "a batch-B manage token answered %d, not 404" % status)
        status, body = self.http("GET", "%s/api/v1/events/%s/registrations?limit=100" % (base, SLUG),
                                 headers={"Authorization": "Bearer " + token})
        check(status == 200, "the roster answered %d: %s" % (status, body))
        roster = {item["email"] for item in json.loads(body)["items"]}
        check(roster == set(batch_a), "the roster served after the restore is not batch A")

        say("registrations: %d before the restore (batch A %d, batch B %d); in the copy at %s: %d (batch A and"
            " %d of B); after the restore to the point: %d, all of batch A"
            % (count_before, len(batch_a), len(batch_b), moment, len(copied), half, len(emails)))
        say("SEQUENCE of %s's invite: mailed %s after the move; served %s after the restore (floor %d -> %d)"
            % (someone, sorted(mailed[someone].values()), sorted(served.values()), floor_before, floor))
        say("messages pending again in the restored outbox (sent a second time): %s" % pending)
        say("timings: " + ", ".join("%s %.1f s" % (k, v) for k, v in self.timings.items())
            + ", whole drill %.1f s" % (time.monotonic() - started))
        say("restore drill passed")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    # ctest stops a test that runs too long with SIGTERM: clean up then too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))
    drill = Drill(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
    try:
        drill.main()
        return 0
    except DrillFailed as failure:
        print("restore drill FAILED: %s" % failure, file=sys.stderr)
        return 1
    finally:
        drill.cleanup()


if __name__ == "__main__":
    sys.exit(main())
