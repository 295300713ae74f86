"""Benchmark claimledger against the bare-stack ceiling on one synthetic ledger and print the table.

    make bench                                   # 1,000,000 claims on SQLite (about 15 minutes the first time)
    python bench/run.py --claims 50000 --duration 5
    python bench/run.py --claims 50000 --database-url postgresql://postgres@127.0.0.1:5432/test

The ledger is generated once per size and seed (bench/out/ledger-N-seedS.db, or a bench_N_seedS schema
on PostgreSQL) and reused; each SQLite run works on a copy, so that the write scenarios never drift it.
claimledger and the bare app (bench/bare.py) run under gunicorn on 127.0.0.1 with the service's own
gunicorn settings (2 sync workers), rate limiting off; wrk drives each scenario for --duration seconds
with --connections connections after a short warm-up. Everything stops by itself.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402
import load  # noqa: E402
from peewee import fn  # noqa: E402

from service import auth  # noqa: E402
from service import create_app  # noqa: E402
from service import cursors  # noqa: E402
from service import db  # noqa: E402
from service.models import Claim  # noqa: E402
from service.models import ClaimTopic  # noqa: E402
from service.models import Conflict  # noqa: E402
from service.models import Topic  # noqa: E402

OUT = ROOT / "bench" / "out"
SECRET_KEY = "bench-only-secret-shared-by-every-worker"
DEEP_POSITION = 500_000
DEEP_PAGE = 10_000
PAGE = 50
GUNICORN_CONF = ROOT / "service" / "gunicorn_conf.py"


def machine():
    """Return a line naming this machine: cores, memory, CPU model, OS and Python."""
    model = "unknown CPU"
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory_kb = int(pathlib.Path("/proc/meminfo").read_text().split()[1])
    return (
        f"{os.cpu_count()} cores ({model}), {memory_kb / 1024**2:.1f} GiB memory, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )


def _remove_sqlite(path):
    for suffix in ("", "-wal", "-shm"):
        pathlib.Path(f"{path}{suffix}").unlink(missing_ok=True)


def prepare_sqlite(claims, seed):
    """Return (run URL, generation figures): the cached ledger (built first if missing), copied for this run."""
    cache = OUT / f"ledger-{claims}-seed{seed}.db"
    meta = cache.with_suffix(".json")
    if not (cache.exists() and meta.exists()):
        building = OUT / f"building-{claims}-seed{seed}.db"
        _remove_sqlite(building)
        print(f"generating {claims:,} claims into {cache.relative_to(ROOT)} (once for this size and seed)")
        figures = generate.generate(f"sqlite:///{building}", claims, seed, progress=print)
        _remove_sqlite(cache)
        building.rename(cache)
        meta.write_text(json.dumps(figures, indent=2))
    run_copy = OUT / f"run-{claims}.db"
    _remove_sqlite(run_copy)
    shutil.copyfile(cache, run_copy)
    return f"sqlite:///{run_copy}", json.loads(meta.read_text())


def prepare_postgres(base_url, claims, seed):
    """Return (URL of the bench schema, generation figures), generating the schema's ledger if missing.

    The write scenarios add their claims to this schema: later runs see a slightly larger ledger.
    """
    schema = f"bench_{claims}_seed{seed}"
    meta = OUT / f"{schema}.json"
    separator = "&" if "?" in base_url else "?"
    url = f"{base_url}{separator}options={urllib.parse.quote(f'-c search_path={schema}')}"
    admin = db.open_database(base_url)
    exists = admin.execute_sql("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,)).fetchone()
    if not (exists and meta.exists()):
        admin.execute_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute_sql(f"CREATE SCHEMA {schema}")
        print(f"generating {claims:,} claims into schema {schema} (once for this size and seed)")
        meta.write_text(json.dumps(generate.generate(url, claims, seed, progress=print), indent=2))
    admin.close_all()
    return url, json.loads(meta.read_text())


def _keyset(query, position):
    """Return (claimed_on, id) of the claim at this 1-based position of a newest-first query."""
    return query.order_by(Claim.claimed_on.desc(), Claim.id.desc()).offset(position - 1).limit(1).tuples().get()


def parameters(url):
    """Pick what the scenarios ask for from the ledger: busiest speaker and topic, deep cursors, a reviewer key."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        count = Claim.select().count()
        speaker_id, _ = (
            Claim.select(Claim.speaker, fn.COUNT(Claim.id)).group_by(Claim.speaker).order_by(fn.COUNT(Claim.id).desc())
        ).tuples()[0]
        topic_id, _ = (
            ClaimTopic.select(ClaimTopic.topic, fn.COUNT(ClaimTopic.id))
            .group_by(ClaimTopic.topic)
            .order_by(fn.COUNT(ClaimTopic.id).desc())
        ).tuples()[0]
        conflicted = (
            Conflict.select(Conflict.topic, fn.COUNT(Conflict.id))
            .where(Conflict.topic.is_null(False))
            .group_by(Conflict.topic)
            .order_by(fn.COUNT(Conflict.id).desc())
        ).tuples()
        conflict_topic_id = conflicted[0][0] if conflicted else topic_id
        deep_position = min(DEEP_POSITION, count // 2)
        deep = _keyset(Claim.select(Claim.claimed_on, Claim.id), deep_position)
        unreviewed = Claim.select(Claim.claimed_on, Claim.id).where(Claim.status == "unreviewed")
        pages = unreviewed.count() // PAGE
        page = min(DEEP_PAGE, pages * 3 // 4)
        page_after = _keyset(unreviewed, (page - 1) * PAGE)
        _, key = auth.create_key("bench", "reviewer", actor="bench")
        chosen = {
            "claims": count,
            "max_id": Claim.select(fn.MAX(Claim.id)).scalar(),
            "speaker_id": speaker_id,
            "speaker_claims": Claim.select().where(Claim.speaker == speaker_id).count(),
            "topic": Topic.get_by_id(topic_id).slug,
            "conflict_topic": Topic.get_by_id(conflict_topic_id).slug,
            "conflicts": Conflict.select().count(),
            "deep_position": deep_position,
            "deep_cursor": cursors.encode("claims", [deep[0].isoformat(), deep[1]]),
            "deep_after": f"{deep[0].isoformat()},{deep[1]}",
            "page": page,
            "page_cursor": cursors.encode("claims", [page_after[0].isoformat(), page_after[1]]),
            "page_after": f"{page_after[0].isoformat()},{page_after[1]}",
            "key": key,
        }
        db.database.close()
    return chosen


def scenarios(chosen, markers):
    """Return [(name, claimledger Scenario, bare Scenario or None)] in the order of the table."""
    api = "/api/v1"
    key = {"Authorization": f"Bearer {chosen['key']}"}
    read = [
        ("one claim by id", f"{api}/claims/{{id}}", "/claims/{id}"),
        ("newest 50 claims", f"{api}/claims?limit=50", "/claims?limit=50"),
        (
            f"50 claims by one speaker ({chosen['speaker_claims']:,} claims)",
            f"{api}/claims?speaker={chosen['speaker_id']}&limit=50",
            f"/claims?speaker={chosen['speaker_id']}&limit=50",
        ),
        (
            f"topic {chosen['topic']} + status supported",
            f"{api}/claims?topic={chosen['topic']}&status=supported&limit=50",
            f"/claims?topic={chosen['topic']}&status=supported&limit=50",
        ),
    ]
    for level in ("rare", "medium", "common"):
        term, count = markers[level]["term"], markers[level]["claims"]
        read.append(
            (f"search {level} term ({count:,} claims)", f"{api}/claims?q={term}&limit=50", f"/claims?q={term}&limit=50")
        )
    read += [
        (
            f"deep keyset page (after claim {chosen['deep_position']:,})",
            f"{api}/claims?limit=50&cursor={chosen['deep_cursor']}",
            f"/claims?limit=50&after={chosen['deep_after']}",
        ),
        (
            "listing page 1 (status unreviewed)",
            f"{api}/claims?status=unreviewed&limit=50",
            "/claims?status=unreviewed&limit=50",
        ),
        (
            f"listing page {chosen['page']:,} (status unreviewed)",
            f"{api}/claims?status=unreviewed&limit=50&cursor={chosen['page_cursor']}",
            f"/claims?status=unreviewed&limit=50&after={chosen['page_after']}",
        ),
        (
            f"conflicts of topic {chosen['conflict_topic']} ({chosen['conflicts']:,} in all)",
            f"{api}/conflicts?topic={chosen['conflict_topic']}",
            f"/conflicts?topic={chosen['conflict_topic']}",
        ),
        (
            f"sides of topic {chosen['topic']}",
            f"{api}/topics/{chosen['topic']}/sides",
            f"/topics/{chosen['topic']}/sides",
        ),
    ]
    table = [
        (name, load.Scenario("GET", path, max_id=chosen["max_id"]), load.Scenario("GET", bare, max_id=chosen["max_id"]))
        for name, path, bare in read
    ]
    claim = {
        "text": "Bench claim #n#: the outlet says shells arrived at the front.",
        "speaker": {"name": "Bench Speaker"},
        "source": {"url": "https://bench.example/claims", "publisher": "Bench"},
        "claimed_on": "2024-05-01",
        "topics": [{"slug": chosen["topic"], "stance": "affirms"}],
    }
    review = {"verdict": "supported", "rationale": "Bench check #n# against the record."}
    table += [
        ("POST a claim", load.Scenario("POST", f"{api}/claims", body=claim, headers=key), None),
        (
            "POST a review",
            load.Scenario("POST", f"{api}/claims/{{id}}/reviews", body=review, headers=key, max_id=chosen["max_id"]),
            None,
        ),
    ]
    return table


class Server:
    """A gunicorn serving one app on 127.0.0.1 with the service's gunicorn settings, stopped on exit."""

    def __init__(self, name, app_spec, url, log_path):
        self.name = name
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "CLAIMLEDGER_DATABASE_URL": url,
            "CLAIMLEDGER_SECRET_KEY": SECRET_KEY,
            "CLAIMLEDGER_RATE_LIMIT_PER_MINUTE": "0",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("GUNICORN_ACCESSLOG", None)
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        command = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", "2", app_spec]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, path, timeout=60):
        """Wait until path answers 200, or raise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer within {timeout}s; see {self.log.name}")

    def workers(self):
        """Return the pids of the gunicorn workers."""
        children = pathlib.Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def stop(self):
        """Stop gunicorn (TERM, then KILL after 15 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def measure(server, scenario, script_path, args):
    """Probe the scenario once, then warm up and measure it with wrk; return a load.Result."""
    status, body = load.probe(server.base, scenario)
    if status == 404:
        return load.Result(note="n/a (endpoint missing)")
    if status >= 400:
        return load.Result(note=f"error {status}: {body[:120]}")
    script_path.write_text(load.lua_script(scenario))
    load.wrk(server.base, script_path, args.warmup, args.connections)
    result = load.wrk(server.base, script_path, args.duration, args.connections)
    if result.ok and result.failures:
        result.note = f"{result.failures} of {result.requests} failed"
    return result


def _rss_mb(pid):
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0


def http_export(server, timeout):
    """Stream GET /claims/export once; return (claims, seconds, peak worker RSS in MB) or a note."""
    peak = [max((_rss_mb(pid) for pid in server.workers()), default=0.0)]
    done = threading.Event()

    def sample():
        while not done.wait(0.1):
            peak[0] = max([peak[0], *(_rss_mb(pid) for pid in server.workers())])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines = 0
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(server.base + "/api/v1/claims/export", timeout=timeout) as response:
            for block in iter(lambda: response.read(1 << 20), b""):
                lines += block.count(b"\n")
    except OSError as error:
        return lines, time.perf_counter() - began, peak[0], f"stopped after {lines:,} claims: {error}"
    finally:
        done.set()
        sampler.join()
    return lines, time.perf_counter() - began, peak[0], ""


def cli_export(url, claims, timeout):
    """Run `claimledger export` in a subprocess; return (seconds, its peak RSS in MB), from start to exit."""
    command = [str(pathlib.Path(sys.executable).parent / "claimledger"), "export", "--output", os.devnull]
    env = {**os.environ, "CLAIMLEDGER_DATABASE_URL": url}
    began = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = began + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - began, usage.ru_maxrss / 1024, process.returncode


def http_batch(server, chosen, ledger_claims, claims=10_000):
    """POST one NDJSON batch of fresh claims (another seed); return (created, seconds, body bytes, note)."""
    ledger = generate.Ledger(ledger_claims, seed=99)
    items = [ledger.claim(index) for index in range(claims)]
    body = "".join(json.dumps(item) + "\n" for item in items).encode()
    request = urllib.request.Request(
        server.base + "/api/v1/claims/batch",
        data=body,
        headers={"Content-Type": "application/x-ndjson", "Authorization": f"Bearer {chosen['key']}"},
        method="POST",
    )
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            created = json.loads(response.read())["created"]
            note = ""
    except urllib.error.HTTPError as error:
        created, note = 0, f"error {error.code}: {error.read()[:160].decode('utf-8', 'replace')}"
    return created, time.perf_counter() - began, len(body), note


def _cell(result, digits=0):
    if not result.ok:
        return [result.note, "", ""]
    return [f"{result.requests_per_second:,.{digits}f}", f"{result.p50_ms:.1f}", f"{result.p99_ms:.1f}"]


def table(rows):
    """Return rows (lists of strings) as a Markdown table, first row the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |" for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return lines


def main():
    """Generate or reuse the ledger, serve both apps, measure every scenario and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="a PostgreSQL URL (default: SQLite under bench/out/)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per scenario")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each measurement")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections wrk keeps open")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench needs wrk: apt-get install -y wrk (make bench installs it)")
    OUT.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now(datetime.UTC)
    if args.database_url:
        url, figures = prepare_postgres(args.database_url, args.claims, args.seed)
        database = "PostgreSQL"
    else:
        url, figures = prepare_sqlite(args.claims, args.seed)
        database = "SQLite"
    chosen = parameters(url)
    report = [
        f"# claimledger bench: {args.claims:,} claims on {database}",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}",
        f"- command: {' '.join(['python', 'bench/run.py', *sys.argv[1:]])}",
        f"- load: wrk, 1 thread, {args.connections} connections, {args.duration} s per scenario after {args.warmup} s"
        " of warm-up; both apps under gunicorn with service/gunicorn_conf.py (2 sync workers)",
        f"- ledger: {chosen['claims']:,} claims, {figures['sizes']['speakers']:,} speakers, "
        f"{figures['sizes']['sources']:,} sources, {figures['sizes']['topics']:,} topics, "
        f"{figures['reviews']:,} reviews on {figures['reviewed_claims']:,} claims, {chosen['conflicts']:,} conflicts",
        "",
    ]
    print("\n".join(report), flush=True)
    servers = []
    try:
        claimledger = Server("claimledger", "service:create_app()", url, OUT / "claimledger.log")
        servers.append(claimledger)
        bare = Server("bare", "bench.bare:create_app()", url, OUT / "bare.log")
        servers.append(bare)
        claimledger.wait_ready("/readyz")
        bare.wait_ready("/claims?limit=1")
        rows = [["scenario", "claimledger req/s", "p50 ms", "p99 ms", "bare req/s", "p50 ms", "p99 ms", "ratio"]]
        results = {}
        for number, (name, scenario, bare_scenario) in enumerate(scenarios(chosen, figures["markers"])):
            ours = measure(claimledger, scenario, OUT / f"scenario-{number}.lua", args)
            theirs = measure(bare, bare_scenario, OUT / f"bare-{number}.lua", args) if bare_scenario else None
            ratio = ""
            if theirs and ours.ok and theirs.ok:
                ratio = f"{ours.requests_per_second / theirs.requests_per_second:.2f}"
            rows.append([name, *_cell(ours), *(_cell(theirs) if theirs else ["", "", ""]), ratio])
            results[name] = (ours, theirs)
            print(" | ".join(rows[-1]), flush=True)
        created, seconds, size, note = http_batch(claimledger, chosen, figures["claims"])
        batch_line = f"- POST /claims/batch, one NDJSON body of 10,000 claims ({size / 1024**2:.1f} MiB): " + (
            note or f"{created:,} created in {seconds:.2f} s, {created / seconds:,.0f} claims/s"
        )
        exported, seconds, peak, note = http_export(claimledger, timeout=600)
        http_line = (
            f"- GET /claims/export (NDJSON over HTTP): {exported:,} claims in {seconds:.1f} s, "
            f"{exported / seconds:,.0f} claims/s, gunicorn worker peak RSS {peak:.0f} MB"
            + (f"; {note}" if note else "")
        )
        cli_seconds, cli_peak, code = cli_export(url, exported, timeout=600)
        cli_line = (
            f"- claimledger export (CLI to /dev/null, start to exit): {exported:,} claims in {cli_seconds:.1f} s,"
            f" {exported / cli_seconds:,.0f} claims/s, peak RSS {cli_peak:.0f} MB"
            + (f"; exit code {code}" if code else "")
        )
    finally:
        for server in servers:
            server.stop()
    lines = (
        report
        + table(rows)
        + [
            "",
            f"- bulk load through service.bulk in 10,000-claim chunks: import_claims {figures['import_per_second']:,}"
            " claims/s;"
            f" with validation {figures['validate_and_import_per_second']:,} claims/s"
            f" (validate_batch alone {figures['validate_per_second']:,}/s); measured {figures['built_at']}",
            batch_line,
            http_line,
            cli_line,
            f"- finished in {(datetime.datetime.now(datetime.UTC) - started).total_seconds() / 60:.1f} minutes",
        ]
    )
    result_path = OUT / f"results-{args.claims}-{database.lower()}.md"
    result_path.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[len(report) :]))
    print(f"\n(written to {result_path.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
