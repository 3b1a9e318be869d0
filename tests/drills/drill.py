"""What the replication drills share (tests/drills/failover.py, tests/drills/standby_lost.py): a
replicated PostgreSQL of their own made by deploy/ha.sh, a convene server on its multi-host URL, and
registrants that post with Idempotency-Keys and retry 503s with the same key.

Standard library only; run by Debian's /usr/bin/python3. Each drill makes a folder
/tmp/convene-drill-XXXX holding the cluster, the server's log and spool, and `owner` (the drill's pid
and start time). Whatever happens, the drill destroys what it started when it ends; a drill killed
outright (ctest's timeout) leaves its folder, and the next drill to start destroys such leftovers
whose owner is gone.
"""
import ctypes
import glob
import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

EVENT = "south-south-2021"
REGISTER_PATH = f"/api/v1/events/{EVENT}/registrations"
DRILL_PREFIX = "convene-drill-"


def now():
    return time.monotonic()


def say(text):
    print(text, flush=True)


class DrillFailed(Exception):
    pass


class Checks:
    """Collects failed expectations, so that a drill reports all of them and its figures."""

    def __init__(self):
        self.failures = []

    def expect(self, condition, message):
        if not condition:
            self.failures.append(message)
            say(f"FAILED: {message}")
        return condition


# --- leftovers of drills that were killed ---------------------------------------------------------

def _start_time(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except OSError:
        return None


def reap_leftovers(repo):
    for folder in glob.glob(os.path.join(tempfile.gettempdir(), DRILL_PREFIX + "*")):
        try:
            with open(os.path.join(folder, "owner")) as f:
                owner = json.load(f)
        except (OSError, ValueError):
            continue
        if _start_time(owner["pid"]) == owner["start"]:
            continue  # its drill still runs
        say(f"destroying the leftovers of a drill that ended without cleaning up: {folder}")
        server = owner.get("server")
        if server and _start_time(server["pid"]) == server["start"]:
            os.kill(server["pid"], signal.SIGKILL)
        Cluster(repo, folder).destroy()
        shutil.rmtree(folder, ignore_errors=True)


class Workspace:
    def __init__(self, repo):
        reap_leftovers(repo)
        self.folder = tempfile.mkdtemp(prefix=DRILL_PREFIX)
        # The postgres user (the server's, when run as root) makes its folder in here.
        os.chmod(self.folder, 0o755)
        self.owner = {"pid": os.getpid(), "start": _start_time(os.getpid())}
        self._write_owner()

    def _write_owner(self):
        with open(os.path.join(self.folder, "owner"), "w") as f:
            json.dump(self.owner, f)

    def record_server(self, pid):
        self.owner["server"] = {"pid": pid, "start": _start_time(pid)}
        self._write_owner()

    def remove(self):
        shutil.rmtree(self.folder, ignore_errors=True)


# --- the replicated cluster -----------------------------------------------------------------------

class Cluster:
    """deploy/ha.sh on a folder of the drill's own (CONVENE_HA_DIR)."""

    def __init__(self, repo, folder):
        self.script = os.path.join(repo, "deploy", "ha.sh")
        self.dir = os.path.join(folder, "ha")
        self.env = dict(os.environ, CONVENE_HA_DIR=self.dir, CONVENE_HA_NOSYNC="1",
                        # Any port: the nodes listen on sockets in the drill's own folder only.
                        CONVENE_HA_PORT=str(57000 + os.getpid() % 300 * 3))

    def run(self, *args, timeout=180):
        result = subprocess.run([self.script, *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise DrillFailed(f"deploy/ha.sh {' '.join(args)} failed ({result.returncode}):\n"
                              f"{result.stdout}{result.stderr}")
        return result.stdout

    def start(self, node=None):
        self.run("start", *([node] if node else []))

    def url(self):
        return self.run("url", "convene").strip()

    def primary(self):
        return self.run("primary").strip()

    def standbys(self):
        primary = self.primary()
        return [node for node in ("node1", "node2", "node3") if node != primary]

    def kill(self, node):
        self.run("kill", node)

    def promote(self, node=None):
        return self.run("promote", *([node] if node else []))

    def status(self):
        result = subprocess.run([self.script, "status"], env=self.env, capture_output=True, text=True, timeout=60)
        return result.stdout

    def query(self, node, sql, timeout=60):
        """Rows of a query on one node's convene database, as lists of strings."""
        result = subprocess.run([self.script, "psql", node, "-d", "convene", "-q", "-v", "ON_ERROR_STOP=1",
                                 "-tA", "-F", "\t", "-c", sql],
                                env=self.env, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise DrillFailed(f"query on {node} failed: {sql}\n{result.stderr}")
        return [line.split("\t") for line in result.stdout.splitlines() if line]

    def logs(self, lines=30):
        out = []
        for log in sorted(glob.glob(os.path.join(self.dir, "node*.log"))):
            with open(log, errors="replace") as f:
                out.append(f"--- {log} (last {lines} lines)\n" + "".join(f.readlines()[-lines:]))
        return "\n".join(out)

    def destroy(self):
        if os.path.lexists(self.dir):
            subprocess.run([self.script, "destroy"], env=self.env, timeout=120,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- convene --------------------------------------------------------------------------------------

def _die_with_parent():
    # A drill that dies takes its server with it (PR_SET_PDEATHSIG = 1).
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


class Server:
    def __init__(self, binary, folder, database_url, extra_env=None):
        self.binary = binary
        self.log_path = os.path.join(folder, "convene.log")
        self.env = dict(os.environ, DATABASE_URL=database_url, HOST="127.0.0.1", PORT="0",
                        BASE_URL="http://drill.invalid", SPOOL_DIR=os.path.join(folder, "spool"),
                        RATE_LIMITS="off", **(extra_env or {}))
        self.process = None
        self.port = None

    def command(self, *args):
        result = subprocess.run([self.binary, *args], env=self.env, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise DrillFailed(f"convene {' '.join(args)} failed:\n{result.stdout}{result.stderr}")

    def start(self):
        log = open(self.log_path, "w")
        self.process = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        preexec_fn=_die_with_parent)
        log.close()
        deadline = now() + 60
        while now() < deadline:
            with open(self.log_path, errors="replace") as f:
                match = re.search(r"listening on http://[^:]+:(\d+)", f.read())
            if match:
                self.port = int(match.group(1))
                return
            if self.process.poll() is not None:
                raise DrillFailed("convene serve exited at start:\n" + self.log())
            time.sleep(0.05)
        raise DrillFailed("convene serve did not start listening:\n" + self.log())

    def running(self):
        return self.process is not None and self.process.poll() is None

    def log(self, lines=None):
        with open(self.log_path, errors="replace") as f:
            text = f.readlines()
        return "".join(text if lines is None else text[-lines:])

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- registrants ----------------------------------------------------------------------------------

class Attempt:
    """One request and what came of it."""

    __slots__ = ("registrant", "started", "ended", "status", "problem", "retry_after", "replayed", "id",
                 "email", "error", "request_id")

    def __init__(self, registrant, started):
        self.registrant = registrant
        self.started = started
        self.ended = None
        self.status = None       # None: no HTTP answer (see error)
        self.problem = None      # the problem's type, for a problem answer
        self.retry_after = None
        self.replayed = False
        self.id = None
        self.email = None
        self.error = None
        self.request_id = None   # X-Request-Id: convene's log lines of the request carry it

    @property
    def duration(self):
        return self.ended - self.started

    def describe(self, origin, origin_name):
        answer = (f"{self.status} {self.problem or ''}{' (replay)' if self.replayed else ''}".strip()
                  if self.status is not None else f"no answer ({self.error})")
        return (f"sent {self.started - origin:+.2f} s after {origin_name}, {answer} after {self.duration:.2f} s, "
                f"request id {self.request_id}")


def post_registration(port, registrant, timeout):
    body = json.dumps({"email": registrant.email, "name": registrant.name, "consent": True})
    attempt = Attempt(registrant, now())
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", REGISTER_PATH, body=body,
                           headers={"Content-Type": "application/json", "Idempotency-Key": registrant.key,
                                    "Connection": "close"})
        response = connection.getresponse()
        payload = response.read()
        attempt.status = response.status
        attempt.request_id = response.getheader("X-Request-Id")
        attempt.replayed = response.getheader("Idempotent-Replayed") == "true"
        retry_after = response.getheader("Retry-After")
        if retry_after is not None:
            try:
                attempt.retry_after = float(retry_after)
            except ValueError:
                attempt.retry_after = -1.0  # present but not a number of seconds
        try:
            document = json.loads(payload)
        except ValueError:
            document = None
        if isinstance(document, dict):
            if response.status in (200, 201):
                attempt.id = document.get("id")
                attempt.email = document.get("email")
            else:
                attempt.problem = document.get("type")
    except (OSError, http.client.HTTPException) as error:  # socket.timeout is an OSError
        attempt.error = f"{type(error).__name__}: {error}"
    finally:
        connection.close()
        attempt.ended = now()
    return attempt


class Registrant:
    def __init__(self, run, n):
        self.n = n
        self.email = f"drill-{run}-{n:04d}@example.org"
        self.name = f"Drill Registrant {n}"
        self.key = str(uuid.uuid4())
        self.settled = None      # the Attempt that got 201/200
        self.gave_up = None      # why it stopped without one


class Load:
    """Registrants posted by a number of threads; 503s retried with the same key after Retry-After
    (capped), requests without an answer retried after a pause; any other answer ends the
    registrant's attempts (and is a failure the drill reports)."""

    def __init__(self, port, count, threads, client_timeout, retry_after_cap, give_up_after, pause=0.0):
        self.port = port
        self.pause = pause  # a thread's pause between one registrant's success and the next registrant
        self.run = uuid.uuid4().hex[:8]
        self.registrants = [Registrant(self.run, n) for n in range(count)]
        self.threads = threads
        self.client_timeout = client_timeout
        self.retry_after_cap = retry_after_cap
        self.give_up_after = give_up_after
        self.attempts = []
        self.lock = threading.Condition()
        self.replies = 0      # HTTP answers of any status
        self.settled = 0      # registrants with their 201/200
        self.started = None
        self.ended = None
        self._pending = queue.Queue()
        self._workers = []

    def start(self):
        for registrant in self.registrants:
            self._pending.put(registrant)
        self.started = now()
        for _ in range(self.threads):
            worker = threading.Thread(target=self._work, daemon=True)
            worker.start()
            self._workers.append(worker)

    def _work(self):
        while True:
            try:
                registrant = self._pending.get_nowait()
            except queue.Empty:
                return
            self._register(registrant)
            time.sleep(self.pause)

    def _register(self, registrant):
        while True:
            if now() - self.started > self.give_up_after:
                registrant.gave_up = f"not registered after {self.give_up_after} s"
                return
            attempt = post_registration(self.port, registrant, self.client_timeout)
            with self.lock:
                self.attempts.append(attempt)
                if attempt.status is not None:
                    self.replies += 1
                if attempt.status in (200, 201):
                    registrant.settled = attempt
                    self.settled += 1
                self.lock.notify_all()
            if attempt.status in (200, 201):
                return
            if attempt.status == 503:
                pause = attempt.retry_after if attempt.retry_after and attempt.retry_after > 0 else 1.0
                time.sleep(min(pause, self.retry_after_cap))
            elif attempt.status is None:
                time.sleep(0.5)
            else:
                registrant.gave_up = f"answered {attempt.status} {attempt.problem or ''}".strip()
                return

    def wait_until(self, condition, timeout, what):
        deadline = now() + timeout
        with self.lock:
            while not condition(self):
                left = deadline - now()
                if left <= 0:
                    raise DrillFailed(f"timed out after {timeout} s waiting for {what}")
                self.lock.wait(left)

    def join(self, timeout):
        deadline = now() + timeout
        for worker in self._workers:
            worker.join(max(0.0, deadline - now()))
        self.ended = now()
        if any(worker.is_alive() for worker in self._workers):
            raise DrillFailed(f"the registrants did not finish within {timeout} s")

    def snapshot(self):
        with self.lock:
            return list(self.attempts)


# --- checks both drills make on the final state ---------------------------------------------------

def check_settled_once(checks, cluster, node, load):
    """Every registrant got a 201/200, each exactly once in the database, with the id it was told,
    and the event has exactly these registrations, each with exactly one confirmation."""
    attempts = load.snapshot()
    unsettled = [r for r in load.registrants if r.settled is None]
    checks.expect(not unsettled, f"{len(unsettled)} of {len(load.registrants)} registrants never got a 201/200 "
                                 f"(first: {unsettled[0].gave_up if unsettled else ''})")
    by_email = {}
    for row in cluster.query(node, f"SELECT r.id, lower(r.email) FROM registrations r JOIN events e ON e.id = r.event_id "
                                   f"WHERE e.slug = '{EVENT}'"):
        by_email.setdefault(row[1], []).append(int(row[0]))
    ours = {r.email.lower() for r in load.registrants}
    checks.expect(set(by_email) == ours and all(len(ids) == 1 for ids in by_email.values()),
                  f"the event holds {sum(len(v) for v in by_email.values())} registrations "
                  f"({len(set(by_email) & ours)} of the {len(ours)} registrants', "
                  f"{len(set(by_email) - ours)} others), expected exactly one per registrant")
    # Every success names the registration that is there, and every answer for a key the same one.
    told = {}
    wrong = []
    for attempt in attempts:
        if attempt.status not in (200, 201):
            continue
        registrant = attempt.registrant
        if attempt.email is None or attempt.email.lower() != registrant.email.lower():
            wrong.append(f"{registrant.email}: answered for {attempt.email}")
        if by_email.get(registrant.email.lower()) != [attempt.id]:
            wrong.append(f"{registrant.email}: answered id {attempt.id}, database has {by_email.get(registrant.email.lower())}")
        told.setdefault(registrant.key, set()).add(attempt.id)
    wrong += [f"key {key}: answered ids {sorted(ids)}" for key, ids in told.items() if len(ids) > 1]
    checks.expect(not wrong, f"{len(wrong)} successful answers disagree with the database: {wrong[:5]}")
    confirmations = cluster.query(
        node, f"SELECT o.registration_id, count(*) FROM outbox o JOIN events e ON e.id = o.event_id "
              f"WHERE e.slug = '{EVENT}' AND o.kind = 'confirmation' GROUP BY o.registration_id")
    counts = {int(row[0]): int(row[1]) for row in confirmations}
    ids = {i for v in by_email.values() for i in v}
    checks.expect(set(counts) == ids and all(c == 1 for c in counts.values()),
                  f"confirmations in the outbox: {sum(counts.values())} for {len(counts)} registrations, "
                  f"expected exactly one for each of the {len(ids)} registrations")
    return len(ids), sum(counts.values())


def check_statuses(checks, attempts):
    """No 5xx other than 503, no status but 201/200/503, and every 503 with a Retry-After."""
    other = [a for a in attempts if a.status is not None and a.status not in (200, 201, 503)]
    checks.expect(not other, f"{len(other)} answers other than 201/200/503: "
                             f"{sorted({(a.status, a.problem) for a in other}, key=str)[:5]}")
    bare = [a for a in attempts if a.status == 503 and a.retry_after is None]
    checks.expect(not bare, f"{len(bare)} answers of 503 without Retry-After")


def wait_for_replica(cluster, primary, standby, timeout=30):
    """Waits until the standby has replayed everything the primary wrote so far; False on timeout."""
    target = cluster.query(primary, "SELECT pg_current_wal_lsn()")[0][0]
    deadline = now() + timeout
    while now() < deadline:
        if cluster.query(standby, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0][0] == "t":
            return True
        time.sleep(0.2)
    return False


def run(main):
    """Runs a drill: main(binary, repo, workspace, checks) -> exit status 0 when every check held."""
    if len(sys.argv) != 3:
        print(f"usage: {sys.argv[0]} CONVENE_BINARY REPO", file=sys.stderr)
        return 2
    binary, repo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    # ctest's timeout and Ctrl-C end the drill through its clean-up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workspace = Workspace(repo)
    checks = Checks()
    context = {}
    status = 1
    try:
        main(binary, repo, workspace, checks, context)
        status = 0 if not checks.failures else 1
    except DrillFailed as failure:
        say(f"FAILED: {failure}")
    finally:
        server = context.get("server")
        cluster = context.get("cluster")
        if status != 0:
            if server is not None and os.path.exists(server.log_path):
                say("--- convene's log (last 40 lines)\n" + server.log(40))
            if cluster is not None:
                say(cluster.status())
                say(cluster.logs())
        cleaning = now()
        if server is not None:
            server.stop()
        if cluster is not None:
            cluster.destroy()
        workspace.remove()
        say(f"cleaned up in {now() - cleaning:.1f} s")
    if checks.failures:
        say(f"{len(checks.failures)} check(s) failed:")
        for failure in checks.failures:
            say(f"  - {failure}")
    say("PASSED" if status == 0 else "FAILED")
    return status
