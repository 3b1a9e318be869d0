#!/usr/bin/python3
"""The failover drill (issue 18): the primary is lost under load and a standby is promoted, while
convene keeps running on the multi-host DATABASE_URL.

    failover.py CONVENE_BINARY REPO        (ctest -L drill runs it as drill.failover)

deploy/ha.sh makes a primary and two synchronous standbys (ANY 1) in a folder of the drill's own;
convene is migrated, seeded and served on the three nodes' URL with target_session_attrs=read-write.
200 registrants post from 20 threads with Idempotency-Keys; after 60 answers the primary's processes
are SIGKILLed ("machine lost"), and a second later `deploy/ha.sh promote` promotes the standby that
received the most WAL and points the other one at it. Registrants retry 503s with the same key
(Retry-After honoured up to 1 s) until each has its 201. convene is never restarted.

Checks: no answer but 201/200/503, every 503 with Retry-After, no request without an answer; every
201 (those before the kill too) is on the new primary with the id it was given, 200 registrations in
the end and one confirmation each in the outbox; the other standby streams from the new primary and
holds the same 200; every confirmation is delivered (the worker inside convene resumed on the new
primary). Prints the time from the kill to the first 201 committed on the new primary, the 503s,
and the total time.
"""
import email.parser
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
KILL_AFTER_REPLIES = 60
PROMOTE_AFTER_SECONDS = 1.0
PAUSE = 1.0  # each thread's pause between registrants: about 20 registrations a second
RETRY_AFTER_CAP = 1.0  # a client waits what Retry-After says (2 s from convene), at most 1 s


def main(binary, repo, workspace, checks, context):
    began = now()
    cluster = context["cluster"] = Cluster(repo, workspace.folder)
    cluster.start()
    server = context["server"] = Server(binary, workspace.folder, cluster.url(),
                                        # a claim lost with the primary is taken over within 10 s
                                        {"WORKER_LEASE_SECONDS": "10"})
    server.command("migrate")
    server.command("seed", *sorted(glob.glob(os.path.join(repo, "seed", "*.json"))))
    server.start()
    workspace.record_server(server.process.pid)
    old_primary = cluster.primary()
    say(f"cluster up, convene serving on port {server.port} ({now() - began:.1f} s); primary {old_primary}")

    load = Load(server.port, REGISTRANTS, THREADS, client_timeout=30, retry_after_cap=RETRY_AFTER_CAP, give_up_after=240,
                pause=PAUSE)
    load.start()
    load.wait_until(lambda l: l.replies >= KILL_AFTER_REPLIES, 120, f"{KILL_AFTER_REPLIES} answers")
    cluster.kill(old_primary)
    killed = now()
    replies_at_kill = load.replies
    say(f"SIGKILL to {old_primary} after {replies_at_kill} answers ({killed - load.started:.2f} s into the load)")
    time.sleep(max(0.0, killed + PROMOTE_AFTER_SECONDS - now()))
    promoting = now()
    cluster.promote()
    promoted = now()
    new_primary = cluster.primary()
    follower = next(n for n in ("node1", "node2", "node3") if n not in (old_primary, new_primary))
    say(f"promoted {new_primary} ({promoted - promoting:.2f} s); {follower} follows it")
    load.join(300)
    attempts = load.snapshot()

    checks.expect(server.running(), "convene serve is no longer running (it must ride the failover out)")
    checks.expect(new_primary != old_primary, f"the primary is still {old_primary}")
    check_statuses(checks, attempts)
    unanswered = [a for a in attempts if a.status is None]
    checks.expect(not unanswered, f"{len(unanswered)} requests got no answer: {[a.error for a in unanswered][:3]}")
    registrations, confirmations = check_settled_once(checks, cluster, new_primary, load)

    # Two copies: the other standby streams from the new primary, synchronously, and has them all.
    streaming = cluster.query(new_primary, "SELECT application_name, state, sync_state FROM pg_stat_replication")
    checks.expect([follower, "streaming", "quorum"] in streaming,
                  f"{follower} is not a streaming synchronous standby of {new_primary}: {streaming}")
    checks.expect(drill.wait_for_replica(cluster, new_primary, follower), f"{follower} did not catch up within 30 s")
    copies = cluster.query(follower, "SELECT count(*) FROM registrations")[0][0]
    checks.expect(copies == str(REGISTRANTS), f"{follower} holds {copies} registrations, expected {REGISTRANTS}")

    # The worker inside convene resumes on the new primary: every confirmation goes out.
    deadline = now() + 60
    while True:
        unsent = int(cluster.query(new_primary, "SELECT count(*) FROM outbox WHERE kind = 'confirmation' "
                                                "AND status <> 'sent'")[0][0])
        if unsent == 0 or now() > deadline:
            break
        time.sleep(0.5)
    checks.expect(unsent == 0, f"{unsent} confirmations still not sent 60 s after the load")

    # The spool: every registrant got a confirmation; one sent again (its "sent" lost with the old
    # primary) carries the same Message-ID, so mail clients show it once.
    by_recipient = {}
    for path in glob.glob(os.path.join(workspace.folder, "spool", "*.eml")):
        with open(path, "rb") as file:
            message = email.parser.BytesHeaderParser().parse(file)
        if message.get("X-Convene-Kind") == "confirmation":
            by_recipient.setdefault(message.get("To"), []).append(message.get("Message-ID"))
    checks.expect(len(by_recipient) == REGISTRANTS,
                  f"{len(by_recipient)} registrants have a confirmation in the spool, expected {REGISTRANTS}")
    resent = {to: ids for to, ids in by_recipient.items() if len(ids) > 1}
    differing = {to: ids for to, ids in resent.items() if len(set(ids)) > 1}
    checks.expect(not differing, f"confirmations sent twice under different Message-IDs: {list(differing.items())[:3]}")

    # Figures.
    after_kill = sorted((a for a in attempts if a.status == 201 and not a.replayed and a.started > killed),
                        key=lambda a: a.ended)
    checks.expect(bool(after_kill), "no 201 for a request sent after the kill")
    first = after_kill[0].ended if after_kill else None
    answers = Counter(a.status for a in attempts if a.status is not None)
    problems = Counter(a.problem for a in attempts if a.status == 503)
    gap = [a for a in attempts if a.status == 503]
    say("--- failover drill")
    say(f"registrants: {REGISTRANTS} from {THREADS} threads; primary {old_primary} SIGKILLed after "
        f"{replies_at_kill} answers, {new_primary} promoted {promoting - killed:.2f} s later "
        f"(the command took {promoted - promoting:.2f} s)")
    if first is not None:
        say(f"kill -> first 201 committed on the new primary: {first - killed:.2f} s "
            f"(promotion -> that 201: {first - promoting:.2f} s)")
    say(f"503 answers: {len(gap)} (to {len({a.registrant.key for a in gap})} registrants; "
        f"types {dict(problems)}), last one {max((a.ended for a in gap), default=killed) - killed:.2f} s after the kill")
    say(f"answers by status: {dict(sorted(answers.items()))}; replayed 201s: {sum(a.replayed for a in attempts)}; "
        f"requests without an answer: {len(unanswered)}")
    say(f"registrations on {new_primary}: {registrations}; confirmations: {confirmations}; on {follower}: {copies}")
    say(f"confirmations in the spool: {sum(len(ids) for ids in by_recipient.values())} to {len(by_recipient)} "
        f"registrants; sent twice: {len(resent)}, each time with the same Message-ID")
    say(f"load: {load.ended - load.started:.1f} s; drill in total: {now() - began:.1f} s")


if __name__ == "__main__":
    sys.exit(drill.run(main))
