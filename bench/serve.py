"""Serve an app under gunicorn for the benchmark, and measure what wrk cannot: export, memory, one big batch."""

import json
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "service" / "gunicorn_conf.py"


class Server:
    """A gunicorn serving one app on 127.0.0.1 with the service's gunicorn settings, stopped on exit."""

    def __init__(self, name, app_spec, url, secret_key, log_path):
        self.name = name
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "CLAIMLEDGER_DATABASE_URL": url,
            "CLAIMLEDGER_SECRET_KEY": secret_key,
            "CLAIMLEDGER_RATE_LIMIT_PER_MINUTE": "0",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("GUNICORN_ACCESSLOG", None)
        self.log = open(log_path, "w")
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


def memory_mb(pid, field="VmRSS"):
    """Return a process's resident memory (VmRSS) or its high-water mark (VmHWM) in MB, 0 once it is gone."""
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0


def http_export(server, timeout):
    """Stream GET /claims/export once; return (claims, seconds, worker RSS before, peak worker RSS, note).

    The workers' RSS is sampled every 100 ms while the export streams.
    """
    before = max((memory_mb(pid) for pid in server.workers()), default=0.0)
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.wait(0.1):
            peak[0] = max([peak[0], *(memory_mb(pid) for pid in server.workers())])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines = 0
    note = ""
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(server.base + "/api/v1/claims/export", timeout=timeout) as response:
            for block in iter(lambda: response.read(1 << 20), b""):
                lines += block.count(b"\n")
    except OSError as error:
        note = f"stopped after {lines:,} claims: {error}"
    finally:
        done.set()
        sampler.join()
    return lines, time.perf_counter() - began, before, peak[0], note


def cli_export(url, timeout, filters=()):
    """Run `claimledger export` to /dev/null; return (seconds from start to exit, peak RSS in MB, exit code).

    The peak is the process's own VmHWM, polled until it exits (its rusage would count the memory of
    this parent, which it shares until exec).
    """
    command = [str(pathlib.Path(sys.executable).parent / "claimledger"), "export", "--output", os.devnull, *filters]
    env = {**os.environ, "CLAIMLEDGER_DATABASE_URL": url}
    began = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, memory_mb(process.pid, "VmHWM"))
        if time.perf_counter() - began > timeout:
            process.kill()
        time.sleep(0.02)
    return time.perf_counter() - began, peak, process.returncode


def http_batch(server, key, items):
    """POST items as one NDJSON batch; return (created, seconds, body bytes, note)."""
    body = "".join(json.dumps(item) + "\n" for item in items).encode()
    request = urllib.request.Request(
        server.base + "/api/v1/claims/batch",
        data=body,
        headers={"Content-Type": "application/x-ndjson", "Authorization": f"Bearer {key}"},
        method="POST",
    )
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            created, note = json.loads(response.read())["created"], ""
    except urllib.error.HTTPError as error:
        created, note = 0, f"error {error.code}: {error.read()[:160].decode('utf-8', 'replace')}"
    return created, time.perf_counter() - began, len(body), note
