"""Concurrency and faults against the real server (gunicorn, several workers, 127.0.0.1 only), nothing lost.

- Sixteen clients write claims and reviews at once for a bounded time: no 5xx, and afterwards the
  database holds exactly what the clients were told was created, each with its audit event.
- Writers PATCH one claim with the same If-Match, round after round: exactly one wins each round.
- The server is killed with SIGKILL in the middle of a 10,000-claim batch import: after a restart the
  batch is there whole or not at all, and sending it again stores it once.
- A private PostgreSQL cluster is stopped under load and started again: meanwhile every request gets an
  answer, 503 problem+json where the database is needed, and the API recovers by itself.

The webhook receiver failing, hanging and coming back is tests/test_worker.py's
test_no_event_is_lost_across_an_outage_and_a_killed_worker.
"""

import collections
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import peewee
import pytest
import requests
import servers
from checks import LEAK_MARKERS
from conftest import POSTGRES_URL
from factories import make_claim
from factories import make_topic
from receiver import wait_for
from test_preconditions import _patch_at_once

from service.ledger import keys as api_keys
from service.storage import db
from service.storage.migrate import migrate
from service.storage.models import Claim
from service.storage.models import ClaimTopic
from service.storage.models import Event
from service.storage.models import Review
from service.storage.models import Source
from service.storage.models import Speaker

pytestmark = pytest.mark.slow  # reliability and fault runs: make test runs it, make test-fast does not

CLIENTS = 16
WRITE_SECONDS = 10
REQUEST_TIMEOUT = 60
PROBLEM = "application/problem+json"


def _secret(name):
    """Create a reviewer key and return its secret."""
    return api_keys.create_key(name, "reviewer", actor="test")[1]


def _reviewer_keys(count):
    """Return Authorization headers for count reviewer keys, named reviewer-0, reviewer-1, ..."""
    return {f"reviewer-{n}": {"Authorization": f"Bearer {_secret(f'reviewer-{n}')}"} for n in range(count)}


class Writer(threading.Thread):
    """One client: POSTs claims and reviews of claims the clients created, until the deadline."""

    def __init__(self, number, base_url, headers, deadline, created, lock):
        super().__init__(name=f"writer-{number}")
        self.number = number
        self.base_url = base_url
        self.headers = headers
        self.deadline = deadline
        self.created = created
        self.lock = lock
        self.random = random.Random(number)
        self.answers = []

    def _claim(self, n):
        return {
            "text": f"Reliability claim {n} by writer {self.number}",
            # Shared names and URLs: writers race to create the same speaker and the same appearance source.
            "speaker": {"name": f"Reliability Speaker {self.random.randrange(3)}"},
            "source": {"url": f"https://reliability.example/{self.number}/{n}", "publisher": "Wire"},
            "appearances": [{"url": "https://reliability.example/shared", "publisher": "Wire"}],
            "claimed_on": f"2023-04-{1 + n % 28:02d}",
            "topics": [{"slug": "front-line", "stance": self.random.choice(["affirms", "denies"])}],
        }

    def run(self):
        with requests.Session() as session:
            n = 0
            while time.monotonic() < self.deadline:
                n += 1
                with self.lock:
                    targets = list(self.created)
                if targets and n % 3 == 0:
                    claim_id = self.random.choice(targets)
                    body = {"verdict": self.random.choice(["supported", "contested"]), "rationale": f"Check {n}."}
                    self._send(session, "review", f"/api/v1/claims/{claim_id}/reviews", body)
                else:
                    self._send(session, "claim", "/api/v1/claims", self._claim(n))

    def _send(self, session, kind, path, body):
        try:
            answer = session.post(self.base_url + path, json=body, headers=self.headers, timeout=REQUEST_TIMEOUT)
        except requests.RequestException as error:
            self.answers.append((kind, path, body, None, repr(error)))
            return
        payload = answer.json() if answer.headers.get("Content-Type", "").endswith("json") else answer.text
        self.answers.append((kind, path, body, answer.status_code, payload))
        if kind == "claim" and answer.status_code == 201:
            with self.lock:
                self.created.append(payload["id"])


def _latest_verdicts(reviews):
    """Return {claim id: (supported, contested)} counting each reviewer's latest verdict, from review rows."""
    latest = collections.defaultdict(dict)
    for review in sorted(reviews, key=lambda review: review.id):
        latest[review.claim_id][review.reviewer] = review.verdict
    return {
        claim_id: (list(by.values()).count("supported"), list(by.values()).count("contested"))
        for claim_id, by in latest.items()
    }


@pytest.mark.timeout(300)
def test_sixteen_concurrent_writers_lose_nothing_and_store_nothing_else(database_url, app, tmp_path):
    make_topic(slug="front-line", title="Is the front line holding?")
    keys = _reviewer_keys(4)
    # The rate limit is on, too high to refuse anything: its shared counters are written by every request.
    process, base_url = servers.serve(
        database_url, tmp_path / "serve.log", workers=4, env={"CLAIMLEDGER_RATE_LIMIT_PER_MINUTE": "1000000"}
    )
    created, lock = [], threading.Lock()
    deadline = time.monotonic() + WRITE_SECONDS
    writers = [Writer(n, base_url, keys[f"reviewer-{n % 4}"], deadline, created, lock) for n in range(CLIENTS)]
    try:
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(timeout=WRITE_SECONDS + 2 * REQUEST_TIMEOUT)
    finally:
        servers.stop(process)

    answers = [answer for writer in writers for answer in writer.answers]
    refused = [(kind, status, payload) for kind, _, _, status, payload in answers if status != 201]
    assert refused == [], f"{len(refused)} of {len(answers)} writes were not created: {refused[:5]}"
    claims_made = {payload["id"]: body for kind, _, body, _, payload in answers if kind == "claim"}
    reviews_made = {
        payload["id"]: (path, body, payload) for kind, path, body, _, payload in answers if kind == "review"
    }
    assert len(claims_made) > CLIENTS and len(reviews_made) > CLIENTS, "every writer wrote more than once"

    stored = {
        claim.id: claim
        for claim in Claim.select(Claim, Speaker, Source).join(Speaker).switch(Claim).join(Source)
        if claim.text.startswith("Reliability claim")
    }
    assert sorted(stored) == sorted(claims_made), "exactly the acknowledged claims are stored"
    stances = {link.claim_id: link.stance for link in ClaimTopic.select()}
    for claim_id, body in claims_made.items():
        claim = stored[claim_id]
        assert (claim.text, claim.speaker.name, claim.source.url, claim.claimed_on.date().isoformat()) == (
            body["text"],
            body["speaker"]["name"],
            body["source"]["url"],
            body["claimed_on"],
        )
        assert stances[claim_id] == body["topics"][0]["stance"]

    reviews = list(Review.select())
    assert sorted(review.id for review in reviews) == sorted(reviews_made), "exactly the acknowledged reviews"
    for review in reviews:
        path, body, payload = reviews_made[review.id]
        assert (f"/api/v1/claims/{review.claim_id}/reviews", review.verdict, review.rationale) == (
            path,
            body["verdict"],
            body["rationale"],
        )
        assert review.reviewer == payload["reviewer"]
    counts = _latest_verdicts(reviews)
    for claim in stored.values():
        assert (claim.supported_count, claim.contested_count) == counts.get(claim.id, (0, 0)), claim.id

    created_events = collections.Counter(
        (event.type, event.object_id)
        for event in Event.select().where(Event.type.in_(["claim.created", "review.created"]))
    )
    expected_events = collections.Counter(
        [("claim.created", claim_id) for claim_id in claims_made] + [("review.created", r) for r in reviews_made]
    )
    assert created_events == expected_events, "one event per acknowledged write, in its transaction"
    names = [speaker.name for speaker in Speaker.select() if speaker.name.startswith("Reliability Speaker")]
    assert sorted(names) == [f"Reliability Speaker {n}" for n in range(3)], "racing writers made each speaker once"
    assert Source.select().where(Source.url == "https://reliability.example/shared").count() == 1


@pytest.mark.timeout(300)
def test_concurrent_patches_with_one_etag_let_exactly_one_through_on_every_worker(database_url, app, tmp_path):
    """Six writers on four gunicorn workers read one version and PATCH at once, round after round."""
    keys = _reviewer_keys(6)
    claim = make_claim()
    rounds = 20
    process, base_url = servers.serve(database_url, tmp_path / "serve.log", workers=4)
    try:
        path = f"{base_url}/api/v1/claims/{claim.id}"
        for round_number in range(rounds):
            etag = requests.get(path, timeout=REQUEST_TIMEOUT).headers["ETag"]
            bodies = {who: {"text": f"Round {round_number} by {who}"} for who in keys}
            statuses = _patch_at_once(path, etag, bodies, keys)
            assert sorted(statuses.values()) == [200] + [412] * (len(keys) - 1), (round_number, statuses)
            winner = next(who for who, status in statuses.items() if status == 200)
            shown = requests.get(path, timeout=REQUEST_TIMEOUT).json()
            assert (shown["text"], shown["version"]) == (bodies[winner]["text"], round_number + 2)
    finally:
        servers.stop(process)

    assert Event.select().where((Event.type == "claim.updated") & (Event.object_id == claim.id)).count() == rounds


BATCH_SIZE = 10_000


def _batch_lines():
    """A 10,000-claim NDJSON batch with speakers and sources of its own, so a partial import would show."""
    return "".join(
        json.dumps(
            {
                "text": f"Batch claim {n}",
                "speaker": {"name": f"Batch Speaker {n % 100}"},
                "source": {"url": f"https://batch.example/{n}", "publisher": "Batch Wire"},
                "claimed_on": "2023-04-07",
            }
        )
        + "\n"
        for n in range(BATCH_SIZE)
    ).encode()


def _postgres_writing(application_name):
    """Return a probe: does a session of this application hold a transaction that has written?"""
    admin = db.open_database(POSTGRES_URL)

    def probe():
        cursor = admin.execute_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND backend_xid IS NOT NULL",
            (application_name,),
        )
        return cursor.fetchone()[0] > 0

    def gone():
        cursor = admin.execute_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (application_name,)
        )
        return cursor.fetchone()[0] == 0

    return probe, gone, admin


def _sqlite_writing(path):
    """Return a probe: does another connection hold the SQLite file's write lock right now?"""

    def probe():
        connection = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            return True
        finally:
            connection.close()

    return probe


def _batch_rows():
    return {
        "claims": Claim.select().where(Claim.text.startswith("Batch claim")).count(),
        "speakers": Speaker.select().where(Speaker.name.startswith("Batch Speaker")).count(),
        "sources": Source.select().where(Source.url.startswith("https://batch.example/")).count(),
        "events": Event.select().where((Event.type == "claim.created") & (Event.actor == "reviewer-0")).count(),
    }


@pytest.mark.timeout(600)
def test_a_batch_import_killed_midway_is_there_whole_or_not_at_all(database_url, app, tmp_path):
    headers = {**_reviewer_keys(1)["reviewer-0"], "Content-Type": "application/x-ndjson"}
    body = _batch_lines()
    server_url = database_url
    if database_url.startswith("sqlite"):
        writing = _sqlite_writing(urlsplit(database_url).path)
        gone = None
    else:
        application_name = f"claimledger-batch-{os.getpid()}-{time.monotonic_ns()}"
        server_url = f"{database_url}&application_name={application_name}"
        writing, gone, admin = _postgres_writing(application_name)
    process, base_url = servers.serve(server_url, tmp_path / "serve.log", workers=1)
    outcome = {}

    def send():
        try:
            outcome["answer"] = requests.post(
                f"{base_url}/api/v1/claims/batch", data=body, headers=headers, timeout=300
            )
        except requests.RequestException as error:
            outcome["error"] = error

    sender = threading.Thread(target=send)
    try:
        sender.start()

        def the_import_is_writing():
            """the server holds a write transaction for the batch"""
            assert "answer" not in outcome, f"the batch finished before it could be killed: {outcome['answer']}"
            return writing()

        wait_for(the_import_is_writing, timeout=120, interval=0.01)
        os.killpg(process.pid, signal.SIGKILL)
        sender.join(timeout=60)
    finally:
        servers.stop(process)
    assert "error" in outcome, "the client lost its connection, not got an answer"
    if gone is not None:
        wait_for(gone)
        admin.close_all()

    after_kill = _batch_rows()
    assert after_kill in (
        {"claims": 0, "speakers": 0, "sources": 0, "events": 0},
        {"claims": BATCH_SIZE, "speakers": 100, "sources": BATCH_SIZE, "events": BATCH_SIZE},
    ), after_kill
    if database_url.startswith("sqlite"):
        assert db.database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"

    process, base_url = servers.serve(database_url, tmp_path / "restart.log", workers=1)
    try:
        if after_kill["claims"] == 0:
            again = requests.post(f"{base_url}/api/v1/claims/batch", data=body, headers=headers, timeout=300)
            assert again.status_code == 201, again.text
            assert again.json()["created"] == BATCH_SIZE
    finally:
        servers.stop(process)
    assert _batch_rows() == {"claims": BATCH_SIZE, "speakers": 100, "sources": BATCH_SIZE, "events": BATCH_SIZE}


POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
NO_PRIVATE_POSTGRES = "needs root and PostgreSQL 15's binaries in /usr/lib/postgresql/15/bin to run a private cluster"


class PrivateCluster:
    """A throwaway PostgreSQL 15 cluster of this test's own, on a free port of 127.0.0.1, run as postgres."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="claimledger-pg-"))
        shutil.chown(self.directory, "postgres", "postgres")
        self.data = self.directory / "data"
        self.port = servers.free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres?connect_timeout=2"
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def _run(self, program, *args):
        command = ["runuser", "-u", "postgres", "--", str(POSTGRES_BIN / program), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self):
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"), "-w", "start")

    def stop(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self):
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def private_postgres():
    """A private, migrated PostgreSQL cluster (never the shared one at 5432), removed at the end."""
    if os.geteuid() != 0 or not (POSTGRES_BIN / "pg_ctl").exists():
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(NO_PRIVATE_POSTGRES, pytrace=False)
        pytest.skip(NO_PRIVATE_POSTGRES)
    cluster = PrivateCluster()
    try:
        cluster.start()
        db.bind(cluster.url)
        migrate()
        yield cluster
    finally:
        if isinstance(db.database.obj, peewee.PostgresqlDatabase):
            db.database.obj.close_all()
        cluster.remove()


class Caller(threading.Thread):
    """A client that keeps reading, writing and asking /readyz and /healthz until told to stop."""

    PATHS = ("/readyz", "/healthz", "/api/v1/claims/{claim_id}", "POST /api/v1/claims")

    def __init__(self, number, base_url, headers, claim_id, phase, stopping):
        super().__init__(name=f"caller-{number}")
        self.number = number
        self.base_url = base_url
        self.headers = headers
        self.claim_id = claim_id
        self.phase = phase
        self.stopping = stopping
        self.answers = []

    def run(self):
        with requests.Session() as session:
            n = 0
            while not self.stopping.is_set():
                n += 1
                target = self.PATHS[(n + self.number) % len(self.PATHS)]
                phase = self.phase[0]
                try:
                    if target.startswith("POST"):
                        body = {
                            "text": f"Outage claim {n} by caller {self.number}",
                            "speaker": {"name": "Outage Speaker"},
                            "source": {"url": f"https://outage.example/{self.number}/{n}", "publisher": "Wire"},
                            "claimed_on": "2023-04-07",
                        }
                        answer = session.post(
                            f"{self.base_url}/api/v1/claims", json=body, headers=self.headers, timeout=REQUEST_TIMEOUT
                        )
                    else:
                        path = target.format(claim_id=self.claim_id)
                        answer = session.get(f"{self.base_url}{path}", timeout=REQUEST_TIMEOUT)
                except requests.RequestException as error:
                    self.answers.append((phase, target, None, None, repr(error)))
                    continue
                self.answers.append((phase, target, answer.status_code, answer.headers.get("Content-Type"), answer))
                time.sleep(0.02)


@pytest.mark.timeout(300)
def test_the_api_answers_503_while_postgresql_is_down_and_recovers_by_itself(private_postgres, tmp_path):
    _, secret = api_keys.create_key("outage", "reviewer", actor="test")
    claim = make_claim(text="There before the outage")
    db.database.obj.close_all()
    process, base_url = servers.serve(private_postgres.url, tmp_path / "serve.log", workers=3)
    phase, stopping = ["before"], threading.Event()
    callers = [Caller(n, base_url, {"Authorization": f"Bearer {secret}"}, claim.id, phase, stopping) for n in range(6)]
    try:
        for caller in callers:
            caller.start()

        def answered_in(name, statuses):
            return lambda: any(a[0] == name and a[2] in statuses for caller in callers for a in caller.answers)

        wait_for(answered_in("before", {201}))
        phase[0] = "outage"
        private_postgres.stop()
        wait_for(answered_in("outage", {503}))
        time.sleep(2)
        phase[0] = "back"
        private_postgres.start()
        back_at = time.monotonic()

        def ready_again():
            """/readyz answers 200 again"""
            return requests.get(f"{base_url}/readyz", timeout=REQUEST_TIMEOUT).status_code == 200

        wait_for(ready_again, timeout=60)
        recovered_in = time.monotonic() - back_at
        phase[0] = "after"
        wait_for(answered_in("after", {201}))
        time.sleep(2)
    finally:
        stopping.set()
        for caller in callers:
            caller.join(timeout=2 * REQUEST_TIMEOUT)
        servers.stop(process)
    print(f"recovered {recovered_in:.1f} s after PostgreSQL came back")

    answers = [answer for caller in callers for answer in caller.answers]
    unanswered = [answer for answer in answers if answer[2] is None]
    assert unanswered == [], "every request got an answer: no hung worker, no dropped connection"
    for phase_name, target, status, content_type, answer in answers:
        body = answer.text
        assert not any(marker in body for marker in LEAK_MARKERS), (target, body[:300])
        if status == 503:
            assert content_type == PROBLEM and answer.json()["status"] == 503, (target, body[:300])
            assert answer.headers["Retry-After"], target
        else:
            assert status in (200, 201), (phase_name, target, status, body[:300])
    outage = [(target, status) for phase_name, target, status, _, _ in answers if phase_name == "outage"]
    assert ("/readyz", 503) in outage and ("/healthz", 200) in outage
    assert {("/api/v1/claims/{claim_id}", 503), ("POST /api/v1/claims", 503)} <= set(outage)
    after = [(target, status) for phase_name, target, status, _, _ in answers if phase_name == "after"]
    assert {status for _, status in after} <= {200, 201}, "once ready, every request succeeds"

    db.bind(private_postgres.url)
    acknowledged = {answer.json()["id"] for _, target, status, _, answer in answers if status == 201}
    stored = {c.id for c in Claim.select(Claim.id).where(Claim.text.startswith("Outage claim"))}
    assert stored == acknowledged, "every acknowledged write survived, and no refused one was stored"
