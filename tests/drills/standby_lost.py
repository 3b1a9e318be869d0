#!/usr/bin/python3
"""The standby-lost drill (issue 18): the synchronous standbys are lost one after the other under
load, then one comes back; convene runs with DB_DEADLINE_MS=2000 and is never restarted.

    standby_lost.py CONVENE_BINARY REPO    (ctest -L drill runs it as drill.standby_lost)

deploy/ha.sh makes a primary and two standbys with synchronous_standby_names = 'ANY 1 (...)' in a
folder of the drill's own; convene is migrated, seeded and served on the three nodes' URL. 200
registrants post from 20 threads with Idempotency-Keys and retry 503s with the same key (Retry-After
honoured up to 1 s); the client gives up on a request after the deadline + 4.5 s and retries it.

1. After 40 registrations, one standby is SIGKILLed. ANY 1 of two: registrations go on. Every
   request sent in this phase (up to the deadline before the next kill) gets its 201 in less than
   the deadline, and 80 more registrants register.
2. Then the other standby is SIGKILLed: no commit can reach a second machine. For 8 s, every
   request is answered 503 with Retry-After within the deadline + 1.5 s, some with the problem
   type .../outcome-unknown (a commit cancelled at the deadline), and none is answered 201, not even
   a replay: a 201 would acknowledge a registration that only the primary holds.
3. The second standby is started again: the retries with the same keys settle every registrant
   exactly once (200 registrations, one confirmation each, every 201 with the id in the database),
   and the standby catches up with all of them.

Throughout: no request waits longer than the deadline + 1.5 s, none goes unanswered, no answer but
201/200/503. Prints each phase's answers and slowest request, and the time from the standby's
restart to the first new 201.
"""
import glob
import os
import sys
import time
from collections import Counter

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drill  # noqa: E402
from drill import Cluster, Load, Server, check_settled_once, check_statuses, now, say  # noqa: E402

REGISTRANTS = 200
THREADS = 20
PAUSE = 1.0                 # each thread's pause between registrants: about 20 registrations a second
RETRY_AFTER_CAP = 1.0
DEADLINE = 2.0              # DB_DEADLINE_MS, in seconds
SLACK = 1.5                 # how much later than the deadline an answer may come
CLIENT_TIMEOUT = DEADLINE + SLACK + 3.0
FIRST_KILL_AFTER = 40       # registrations
SECOND_KILL_AFTER = 120     # registrations, 80 of them with one standby
OUTAGE = 8.0                # seconds without a standby


def describe(attempts):
    answers = Counter(a.status if a.status is not None else "none" for a in attempts)
    slowest = max((a.duration for a in attempts), default=0.0)
    return f"{len(attempts)} requests, answers {dict(sorted(answers.items(), key=str))}, slowest {slowest:.2f} s"


def show_requests(what, attempts, origin, origin_name, server):
    """Prints requests and convene's log lines for them."""
    log = server.log().splitlines()
    say(f"{what}:")
    for attempt in attempts:
        say(f"  {attempt.describe(origin, origin_name)}")
        for line in log:
            if attempt.request_id and attempt.request_id in line:
                say(f"    {line}")


def main(binary, repo, workspace, checks, context):
    began = now()
    cluster = context["cluster"] = Cluster(repo, workspace.folder)
    cluster.start()
    server = context["server"] = Server(binary, workspace.folder, cluster.url(),
                                        {"DB_DEADLINE_MS": str(int(DEADLINE * 1000)), "WORKER_LEASE_SECONDS": "10"})
    server.command("migrate")
    server.command("seed", *sorted(glob.glob(os.path.join(repo, "seed", "*.json"))))
    server.start()
    workspace.record_server(server.process.pid)
    primary = cluster.primary()
    first, second = cluster.standbys()
    say(f"cluster up, convene serving on port {server.port} ({now() - began:.1f} s); primary {primary}")

    load = Load(server.port, REGISTRANTS, THREADS, client_timeout=CLIENT_TIMEOUT, retry_after_cap=RETRY_AFTER_CAP,
                give_up_after=240, pause=PAUSE)
    load.start()
    load.wait_until(lambda l: l.settled >= FIRST_KILL_AFTER, 120, f"{FIRST_KILL_AFTER} registrations")
    one_lost = now()
    cluster.kill(first)
    say(f"SIGKILL to standby {first} after {load.settled} registrations")
    load.wait_until(lambda l: l.settled >= SECOND_KILL_AFTER, 60,
                    f"{SECOND_KILL_AFTER} registrations with one standby left (commits stopped?)")
    both_lost = now()
    cluster.kill(second)
    outage = now()
    say(f"SIGKILL to standby {second} after {load.settled} registrations: no standby left")
    time.sleep(max(0.0, outage + OUTAGE - now()))
    restarting = now()
    cluster.start(second)
    restarted = now()
    say(f"restarted {second} ({restarted - restarting:.1f} s)")
    load.join(300)
    attempts = load.snapshot()

    checks.expect(server.running(), "convene serve is no longer running")
    check_statuses(checks, attempts)
    unanswered = [a for a in attempts if a.status is None]
    checks.expect(not unanswered, f"{len(unanswered)} requests got no answer within {CLIENT_TIMEOUT:.1f} s "
                                  f"(waiting on the database without a deadline?)")
    slow = sorted((a for a in attempts if a.duration > DEADLINE + SLACK), key=lambda a: -a.duration)
    if not checks.expect(not slow, f"{len(slow)} requests took longer than the deadline + {SLACK} s "
                                   f"(slowest {max((a.duration for a in slow), default=0):.2f} s)"):
        show_requests("the slowest", slow[:5], outage, "the second standby's kill", server)

    # 1. One standby lost: registrations go on, each within the deadline.
    phase1 = [a for a in attempts if one_lost <= a.started < both_lost - DEADLINE]
    checks.expect(len(phase1) >= 20, f"only {len(phase1)} requests with one standby left")
    checks.expect(all(a.status in (200, 201) for a in phase1),
                  f"with one standby left, not every request was registered: {describe(phase1)}")
    checks.expect(all(a.duration < DEADLINE for a in phase1),
                  f"with one standby left, a request took longer than the deadline: {describe(phase1)}")

    # 2. Both lost: prompt 503s, never a 201.
    phase2 = [a for a in attempts if outage <= a.started < restarting - DEADLINE - SLACK]
    checks.expect(len(phase2) >= 10, f"only {len(phase2)} requests were sent without a standby")
    acknowledged = [a for a in phase2 if a.status in (200, 201)]
    if not checks.expect(not acknowledged,
                         f"without a standby, {len(acknowledged)} requests were answered 201 "
                         f"({sum(a.replayed for a in acknowledged)} of them replays): a registration only the "
                         f"primary holds was acknowledged"):
        show_requests("those answered 201", acknowledged[:5], outage, "the second standby's kill", server)
    checks.expect(all(a.status in (200, 201, 503) for a in phase2),  # 201s: the check above
                  f"without a standby, answers other than 503: {describe(phase2)}")
    unknown = [a for a in phase2 if a.status == 503 and (a.problem or "").endswith("outcome-unknown")]
    checks.expect(bool(unknown), "without a standby, no answer had the problem type .../outcome-unknown "
                                 "(no commit was cancelled at the deadline)")

    # 3. The standby is back: everyone settles exactly once, and it holds them all.
    registrations, confirmations = check_settled_once(checks, cluster, primary, load)
    streaming = cluster.query(primary, "SELECT application_name, state, sync_state FROM pg_stat_replication")
    checks.expect([second, "streaming", "quorum"] in streaming,
                  f"{second} is not a streaming synchronous standby of {primary} again: {streaming}")
    checks.expect(drill.wait_for_replica(cluster, primary, second), f"{second} did not catch up within 30 s")
    copies = cluster.query(second, "SELECT count(*) FROM registrations")[0][0]
    checks.expect(copies == str(REGISTRANTS), f"{second} holds {copies} registrations, expected {REGISTRANTS}")
    recovered = sorted((a for a in attempts if a.status == 201 and not a.replayed and a.started >= restarting),
                       key=lambda a: a.ended)

    say("--- standby-lost drill")
    say(f"registrants: {REGISTRANTS} from {THREADS} threads; DB_DEADLINE_MS={int(DEADLINE * 1000)}")
    say(f"before any loss: {describe([a for a in attempts if a.started < one_lost])}")
    say(f"{first} lost, {second} left: {describe(phase1)}")
    problems = Counter(a.problem for a in phase2 if a.status == 503)
    say(f"both lost, {OUTAGE:.0f} s: {describe(phase2)}; 503 types {dict(problems)}")
    if recovered:
        say(f"{second} restarted: first new 201 {recovered[0].ended - restarting:.2f} s after the restart began "
            f"(the restart took {restarted - restarting:.2f} s)")
    say(f"whole load: {describe(attempts)}; replayed 201s: {sum(a.replayed for a in attempts)}")
    say(f"registrations on {primary}: {registrations}; confirmations: {confirmations}; on {second}: {copies}")
    say(f"load: {load.ended - load.started:.1f} s; drill in total: {now() - began:.1f} s")


if __name__ == "__main__":
    sys.exit(drill.run(main))
