"""The container's parts without a Docker engine: the entrypoint run for real, the Dockerfile and compose read."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import servers
import yaml

pytestmark = pytest.mark.slow  # the Docker entrypoint: make test runs it, make test-fast does not

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
AMMO = "russian-ammunition-shortage"


def _instructions(dockerfile):
    """Return the Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def _entrypoint_env(database_url, port, **extra):
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {
        "PATH": path,
        "CLAIMLEDGER_DATABASE_URL": database_url,
        "CLAIMLEDGER_HOST": "127.0.0.1",
        "CLAIMLEDGER_PORT": str(port),
        "CLAIMLEDGER_WORKERS": "1",
        "CLAIMLEDGER_SECRET_KEY": "",
    }
    env.update(extra)
    return env


def _run_entrypoint(database_url, tmp_path, name, **extra):
    """Start the entrypoint, wait for /healthz, return (process, base URL)."""
    port = servers.free_port()
    env = _entrypoint_env(database_url, port, **extra)
    process = servers.start([str(ENTRYPOINT)], env, tmp_path / f"{name}.log")
    base = f"http://127.0.0.1:{port}"
    try:
        servers.wait_until_up(f"{base}/healthz", process)
    except AssertionError:
        servers.stop(process)
        raise
    return process, base


def _stances(base):
    items = requests.get(f"{base}/api/v1/claims", params={"topic": AMMO}, timeout=10).json()["items"]
    return sorted((item["speaker"]["name"], item["topics"][0]["stance"]) for item in items)


def test_entrypoint_migrates_seeds_and_serves_with_gunicorn(empty_database_url, tmp_path):
    process, base = _run_entrypoint(empty_database_url, tmp_path, "first", CLAIMLEDGER_SEED="true")
    try:
        with open(f"/proc/{process.pid}/cmdline", "rb") as cmdline:
            command = cmdline.read().split(b"\0")
        stances = _stances(base)
        ready = requests.get(f"{base}/readyz", timeout=10)
        searched = requests.get(f"{base}/api/v1/claims", params={"q": "ammunition"}, timeout=10).json()
        healthcheck = _run_healthcheck(base)
    finally:
        first_exit = servers.stop(process)

    log = process.log_path.read_text()
    assert "applied 0001_initial" in log
    assert "created 12 speakers, 2 sources, 9 topics, 17 claims" in log
    assert "Booting worker" in log, "gunicorn serves, not a development server"
    assert b"gunicorn" in b" ".join(command), "the entrypoint execs gunicorn so that it gets the signals"
    assert stances == [("Levko Stek", "denies"), ("Yevgeny Prigozhin", "affirms")]
    assert ready.json() == {"status": "ready"}
    assert all("<mark>" in item["snippet"] for item in searched["items"]) and len(searched["items"]) == 2
    assert healthcheck == 0
    assert first_exit == 0

    process, base = _run_entrypoint(empty_database_url, tmp_path, "second")
    try:
        stances_again = _stances(base)
        count = len(requests.get(f"{base}/api/v1/claims", params={"limit": 200}, timeout=10).json()["items"])
    finally:
        servers.stop(process)

    log = process.log_path.read_text()
    assert "schema is up to date" in log
    assert "created" not in log, "without CLAIMLEDGER_SEED=true nothing is seeded"
    assert (stances_again, count) == (stances, 17)


def test_entrypoint_stops_before_serving_when_migrations_fail(tmp_path):
    port = servers.free_port()
    env = _entrypoint_env(f"sqlite:///{tmp_path}/missing/directory/claimledger.db", port)

    completed = subprocess.run([str(ENTRYPOINT)], env={**os.environ, **env}, capture_output=True, timeout=60)

    assert completed.returncode != 0
    assert b"Booting worker" not in completed.stdout + completed.stderr


def _healthcheck_command():
    (healthcheck,) = [
        arguments for keyword, arguments in _instructions(ROOT / "Dockerfile") if keyword == "HEALTHCHECK"
    ]
    options, _, command = healthcheck.partition("CMD ")
    return options, command


def _run_healthcheck(base):
    """Run the Dockerfile's HEALTHCHECK command as the container would, against base; return its exit code."""
    _, command = _healthcheck_command()
    port = base.rsplit(":", 1)[1]
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "PATH": path, "CLAIMLEDGER_PORT": port}
    return subprocess.run(["sh", "-c", command], env=env, capture_output=True, timeout=30).returncode


def test_healthcheck_fails_when_nothing_answers():
    assert _run_healthcheck(f"http://127.0.0.1:{servers.free_port()}") != 0


def test_dockerfile_builds_a_slim_non_root_image_with_a_healthcheck_and_the_entrypoint():
    instructions = _instructions(ROOT / "Dockerfile")
    keywords = [keyword for keyword, _ in instructions]
    arguments = dict(reversed(instructions))

    assert arguments["FROM"] == "python:3.11-slim"
    assert any(keyword == "RUN" and "pip install ." in args for keyword, args in instructions)
    user = [args for keyword, args in instructions if keyword == "USER"]
    assert user and user[-1] not in ("root", "0", "0:0")
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")
    options, command = _healthcheck_command()
    assert "--interval=" in options and "--timeout=" in options
    assert "/healthz" in command and command.startswith("python ")
    assert "curl" not in command and "wget" not in command
    assert json.loads(arguments["ENTRYPOINT"]) == ["/app/docker/entrypoint.sh"]
    assert arguments["WORKDIR"] == "/app"
    assert ("COPY", "docker ./docker") in instructions and ("COPY", "seeds ./seeds") in instructions
    assert arguments["EXPOSE"] == "8000"
    assert any(keyword == "ENV" and "CLAIMLEDGER_HOST=0.0.0.0" in args for keyword, args in instructions)


def test_entrypoint_script_is_executable_and_strict():
    text = ENTRYPOINT.read_text()

    assert os.access(ENTRYPOINT, os.X_OK)
    assert text.startswith("#!/bin/sh\n")
    assert "set -eu" in text
    assert "claimledger migrate" in text
    assert text.rstrip().splitlines()[-1].startswith("exec claimledger serve")
    assert subprocess.run(["sh", "-n", str(ENTRYPOINT)], capture_output=True).returncode == 0


def test_compose_runs_the_api_against_a_healthy_postgres():
    compose = yaml.safe_load((ROOT / "docker" / "compose.yml").read_text())
    db, api = compose["services"]["db"], compose["services"]["api"]

    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert api["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert (ROOT / "docker" / api["build"]["context"] / api["build"]["dockerfile"]).resolve() == ROOT / "Dockerfile"
    url = api["environment"]["CLAIMLEDGER_DATABASE_URL"]
    assert url.startswith("postgresql://") and "@db:5432/" in url
    assert db["environment"]["POSTGRES_DB"] == url.rsplit("/", 1)[1]
    assert "8000:8000" in api["ports"][0]


def test_compose_runs_the_webhook_worker_beside_the_api():
    compose = yaml.safe_load((ROOT / "docker" / "compose.yml").read_text())
    api, worker = compose["services"]["api"], compose["services"]["worker"]

    assert worker["entrypoint"] == ["claimledger", "worker"]
    assert worker["build"] == api["build"]
    assert worker["depends_on"] == {"api": {"condition": "service_healthy"}}
    assert worker["environment"]["CLAIMLEDGER_DATABASE_URL"] == api["environment"]["CLAIMLEDGER_DATABASE_URL"]
    assert worker["healthcheck"] == {"disable": True}
    assert "ports" not in worker


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()

    assert {".git", ".venv", "*.db"} <= set(ignored)
    assert "README.md" not in ignored and "seeds" not in ignored and "service" not in ignored
