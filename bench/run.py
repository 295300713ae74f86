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
import sys
import urllib.error
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402
import load  # noqa: E402
import serve  # noqa: E402
from peewee import fn  # noqa: E402

from service import create_app  # noqa: E402
from service.ledger import keys  # noqa: E402
from service.storage import cursors  # noqa: E402
from service.storage import db  # noqa: E402
from service.storage.migrate import migrate  # noqa: E402
from service.storage.models import Claim  # noqa: E402
from service.storage.models import ClaimTopic  # noqa: E402
from service.storage.models import Conflict  # noqa: E402
from service.storage.models import Topic  # noqa: E402

OUT = ROOT / "bench" / "out"
SECRET_KEY = "bench-only-secret-shared-by-every-worker"
DEEP_POSITION = 500_000
DEEP_PAGE = 10_000
PAGE = 50


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
    for suffix in ("", "-wal", "-shm", "-writer"):
        pathlib.Path(f"{path}{suffix}").unlink(missing_ok=True)


def _migrate(url):
    """Bring a cached ledger up to the service's current schema; on PostgreSQL, refresh its statistics."""
    db.bind(url)
    applied = migrate()
    if db.is_postgres():
        # Fresh planner statistics, as autovacuum keeps them in production (it may be off on a test server).
        db.database.execute_sql("ANALYZE")
        db.database.close_all()
    else:
        db.database.close()
    if applied:
        print(f"migrated the cached ledger: {', '.join(applied)}")


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
    _migrate(f"sqlite:///{cache}")
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
    _migrate(url)
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
        _, key = keys.create_key("bench", "reviewer", actor="bench")
        chosen = {
            "claims": count,
            "max_id": Claim.select(fn.MAX(Claim.id)).scalar(),
            "speaker_id": speaker_id,
            "speaker_claims": Claim.select().where(Claim.speaker == speaker_id).count(),
            "topic": Topic.get_by_id(topic_id).slug,
            "conflict_topic": Topic.get_by_id(conflict_topic_id).slug,
            "conflicts": Conflict.select().count(),
            "deep_position": deep_position,
            "deep_cursor": cursors.encode("claims", [deep[0].isoformat(), deep[1]], SECRET_KEY),
            "deep_after": f"{deep[0].isoformat()},{deep[1]}",
            "page": page,
            "page_cursor": cursors.encode("claims", [page_after[0].isoformat(), page_after[1]], SECRET_KEY),
            "page_after": f"{page_after[0].isoformat()},{page_after[1]}",
            "key": key,
        }
        db.database.close()
    return chosen


def scenarios(chosen, markers):
    """Return (reads, writes): [(name, claimledger Scenario, bare Scenario)] and [(name, claimledger Scenario)]."""
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
    reads = [
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
    writes = [
        ("POST a claim", load.Scenario("POST", f"{api}/claims", body=claim, headers=key)),
        (
            "POST a review",
            load.Scenario("POST", f"{api}/claims/{{id}}/reviews", body=review, headers=key, max_id=chosen["max_id"]),
        ),
    ]
    return reads, writes


def measure(server, scenario, script_path, args, connections=None):
    """Probe the scenario once, then warm up and measure it with wrk; return a load.Result."""
    connections = connections or args.connections
    try:
        status, body = load.probe(server.base, scenario)
    except TimeoutError:
        return load.Result(note="n/a (one request took over 30 s)")
    if status == 404:
        return load.Result(note="n/a (endpoint missing)")
    if status >= 400:
        return load.Result(note=f"error {status}: {body[:120]}")
    script_path.write_text(load.lua_script(scenario))
    load.wrk(server.base, script_path, args.warmup, connections)
    result = load.wrk(server.base, script_path, args.duration, connections)
    if result.ok and result.failures:
        result.note = f"{result.failures} of {result.requests} failed"
    return result


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


def targets(results, figures, exports):
    """Return the issue's targets as table rows: target, measured, met."""
    reads, writes = results
    rows = [["target", "measured", "met"]]
    for name, (ours, theirs) in reads.items():
        if ours.ok and theirs.ok:
            ratio = ours.requests_per_second / theirs.requests_per_second
            rows.append([f"{name}: ≥ 0.6 of bare", f"{ratio:.2f}", "yes" if ratio >= 0.6 else "no"])
    pages = [ours for name, (ours, _) in reads.items() if name.startswith("listing page")]
    if len(pages) == 2 and all(page.ok for page in pages):
        slower = pages[0].requests_per_second / pages[1].requests_per_second
        rows.append(["deep listing page within 1.2x of page 1", f"{slower:.2f}x", "yes" if slower <= 1.2 else "no"])
    for name, (ours, _) in reads.items():
        if name.startswith("search common") and ours.ok:
            rows.append(
                ["common-term search p99 < 50 ms", f"{ours.p99_ms:.1f} ms", "yes" if ours.p99_ms < 50 else "no"]
            )
    for name, result in writes.items():
        if result.ok:
            rows.append([f"{name} p99 < 20 ms", f"{result.p99_ms:.1f} ms", "yes" if result.p99_ms < 20 else "no"])
        else:
            rows.append([f"{name} p99 < 20 ms", result.note, ""])
    bulk = figures["import_per_second"]
    rows.append(["bulk path ≥ 10,000 claims/s", f"{bulk:,}/s", "yes" if bulk >= 10_000 else "no"])
    for name, rate, peak in exports:
        met = "yes" if rate >= 30_000 and peak < 150 else "no"
        rows.append([f"{name} ≥ 30,000 claims/s in < 150 MB", f"{rate:,.0f}/s, {peak:.0f} MB", met])
    return rows


def main():
    """Generate or reuse the ledger, serve both apps, measure every scenario and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="a PostgreSQL URL (default: SQLite under bench/out/)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per scenario")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each measurement")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections wrk keeps open")
    parser.add_argument(
        "--only",
        action="append",
        metavar="WORDS",
        help="run only the scenarios whose name holds these words ('export' and 'batch' name those); repeatable",
    )
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
        f"### {args.claims:,} claims on {database}",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}",
        f"- command: {' '.join(['python', 'bench/run.py', *sys.argv[1:]])}",
        f"- load: wrk, 1 thread, {args.connections} connections, {args.duration} s per scenario after {args.warmup} s"
        " of warm-up; both apps under gunicorn with service/http/gunicorn_conf.py (2 sync workers), rate limit off",
        f"- ledger: {chosen['claims']:,} claims, {figures['sizes']['speakers']:,} speakers, "
        f"{figures['sizes']['sources']:,} sources, {figures['sizes']['topics']:,} topics, "
        f"{figures['reviews']:,} reviews on {figures['reviewed_claims']:,} claims, {chosen['conflicts']:,} conflicts",
        "",
    ]
    print("\n".join(report), flush=True)
    reads, writes = scenarios(chosen, figures["markers"])

    def wanted(name):
        return not args.only or any(words in name for words in args.only)

    reads = [read for read in reads if wanted(read[0])]
    writes = [write for write in writes if wanted(write[0])]
    exports = []
    rows = [["scenario", "claimledger req/s", "p50 ms", "p99 ms", "bare req/s", "p50 ms", "p99 ms", "ratio"]]
    results = ({}, {})
    notes = []
    servers = []
    try:
        claimledger = serve.Server("claimledger", "service:create_app()", url, SECRET_KEY, OUT / "claimledger.log")
        servers.append(claimledger)
        bare = serve.Server("bare", "bench.bare:create_app()", url, SECRET_KEY, OUT / "bare.log")
        servers.append(bare)
        claimledger.wait_ready("/readyz")
        bare.wait_ready("/claims?limit=1")
        for number, (name, scenario, bare_scenario) in enumerate(reads):
            ours = measure(claimledger, scenario, OUT / f"read-{number}.lua", args)
            theirs = measure(bare, bare_scenario, OUT / f"bare-{number}.lua", args)
            ratio = f"{ours.requests_per_second / theirs.requests_per_second:.2f}" if ours.ok and theirs.ok else ""
            rows.append([name, *_cell(ours), *_cell(theirs), ratio])
            results[0][name] = (ours, theirs)
            print(" | ".join(rows[-1]), flush=True)
        # Exports before writes: the workers' memory then holds only what the reads left.
        if wanted("export"):
            exported, seconds, before, peak, note = serve.http_export(claimledger, timeout=1200)
            exports.append(("GET /claims/export", exported / seconds, peak))
            notes.append(
                f"- GET /claims/export (NDJSON, HTTP): {exported:,} claims in {seconds:.1f} s,"
                f" {exported / seconds:,.0f} claims/s; gunicorn worker RSS {before:.0f} MB before,"
                f" {peak:.0f} MB at most" + (f"; {note}" if note else "")
            )
            # The same command exporting nothing (no speaker 0) gives its start-up time, to leave out of the rate.
            startup, _, _ = serve.cli_export(url, timeout=120, filters=("--speaker", "0"))
            seconds, peak, code = serve.cli_export(url, timeout=1200)
            rate = chosen["claims"] / max(seconds - startup, 0.001)
            exports.append(("claimledger export", rate, peak))
            notes.append(
                f"- claimledger export (CLI to /dev/null): {chosen['claims']:,} claims in {seconds:.1f} s"
                f" from start to exit, {startup:.1f} s of it start-up: {rate:,.0f} claims/s, peak RSS {peak:.0f} MB"
                + (f"; exit code {code}" if code else "")
            )
        # Writes queue on SQLite's one writer: with several clients the latency is mostly the queue's, so
        # one client alone shows what a single write costs.
        for number, (name, scenario) in enumerate(writes):
            for connections in dict.fromkeys((args.connections, 1)):
                label = f"{name}, {connections} client{'s' if connections > 1 else ''}"
                result = measure(claimledger, scenario, OUT / f"write-{number}.lua", args, connections)
                rows.append([label, *_cell(result), "", "", "", ""])
                results[1][label] = result
                print(" | ".join(rows[-1]), flush=True)
        if wanted("batch"):
            ledger = generate.Ledger(figures["claims"], seed=figures["seed"] + 1000)
            created, seconds, size, note = serve.http_batch(
                claimledger, chosen["key"], [ledger.claim(n) for n in range(10_000)]
            )
            notes.append(
                f"- POST /claims/batch, one NDJSON body of 10,000 claims ({size / 1024**2:.1f} MiB): "
                + (note or f"{created:,} created in {seconds:.2f} s, {created / seconds:,.0f} claims/s")
            )
    finally:
        for server in servers:
            server.stop()
        if not args.database_url:
            _remove_sqlite(url.removeprefix("sqlite:///"))
    notes.insert(
        0,
        f"- bulk load (service.ledger.bulk, 10,000-claim chunks, when the ledger was built {figures['built_at']}):"
        f" import_claims {figures['import_per_second']:,} claims/s; validate_batch {figures['validate_per_second']:,}"
        f"/s; both {figures['validate_and_import_per_second']:,} claims/s",
    )
    minutes = (datetime.datetime.now(datetime.UTC) - started).total_seconds() / 60
    lines = report + table(rows) + [""] + notes + [""] + table(targets(results, figures, exports))
    lines += ["", f"Finished in {minutes:.1f} minutes."]
    result_path = OUT / f"results-{args.claims}-{database.lower()}.md"
    result_path.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[len(report) :]))
    print(f"\n(written to {result_path.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
