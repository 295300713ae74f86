"""Start and stop real server processes for tests: a free port, wait until it answers, stop it."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port():
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command, env, log_path):
    """Start a command in its own process group with its output in log_path."""
    log = open(log_path, "wb")  # closed by stop()
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log = log
    process.log_path = log_path
    return process


CLAIMLEDGER = str(Path(sys.executable).with_name("claimledger"))


def serve(database_url, log_path, workers=3, env=None):
    """Start `claimledger serve` (gunicorn) on a free port on this database; return (process, base URL).

    The rate limit is off unless env sets CLAIMLEDGER_RATE_LIMIT_PER_MINUTE, and so is the background
    embedder (its conflict suggestions would land in these tests' counts at moments of its choosing) unless
    env sets CLAIMLEDGER_EMBEDDER.
    """
    port = free_port()
    command = [CLAIMLEDGER, "serve", "--port", str(port), "--workers", str(workers)]
    settings = {
        "CLAIMLEDGER_DATABASE_URL": database_url,
        "CLAIMLEDGER_RATE_LIMIT_PER_MINUTE": "0",
        "CLAIMLEDGER_EMBEDDER": "0",
        **(env or {}),
    }
    process = start(command, settings, log_path)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base_url}/readyz", process)
    except BaseException:
        stop(process)
        raise
    return process, base_url


def wait_until_up(url, process, deadline_seconds=60):
    """Poll url until it answers 200; fail with the process's log if it dies or never answers."""
    give_up = time.monotonic() + deadline_seconds
    while time.monotonic() < give_up:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}:\n{_log(process)}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            # Refused while it binds, or slow to answer while its workers boot on a busy machine.
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {deadline_seconds}s:\n{_log(process)}")


def stop(process):
    """Terminate the process group (gunicorn and its workers) and wait for it; return its exit code."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    process.log.close()
    return process.returncode


def _log(process):
    process.log.flush()
    with open(process.log_path, "rb") as log:
        return log.read().decode(errors="replace")[-5000:]
