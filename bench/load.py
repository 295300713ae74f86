"""Drive a bounded load at one URL with wrk and read back requests/s, p50, p99 and failures.

wrk (Debian's package) is a C load generator that keeps up with far more than two Python workers can
answer from one thread, so the figures measure the server, not the client. Each scenario is a small
Lua script: a fixed request, or one whose path or body varies per request.
"""

import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass

LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass
class Scenario:
    """One request shape: method, a path (with {id} for a random claim id), an optional JSON body and headers."""

    method: str
    path: str
    body: dict | None = None
    headers: dict | None = None
    max_id: int = 0


@dataclass
class Result:
    """What wrk measured, or why it could not."""

    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    failures: int = 0
    note: str = ""

    @property
    def ok(self):
        return not self.note


def _lua_string(text):
    return "[==[" + text + "]==]"


def lua_script(scenario):
    """Return the wrk Lua script that sends the scenario's requests."""
    headers = {"Accept": "application/json", **(scenario.headers or {})}
    if scenario.body is not None:
        headers["Content-Type"] = "application/json"
    lines = ["math.randomseed(7)", "local headers = {}"]
    lines += [f"headers[ {_lua_string(name)} ] = {_lua_string(value)}" for name, value in headers.items()]
    body = "nil" if scenario.body is None else _lua_string(json.dumps(scenario.body))
    before, _, after = scenario.path.partition("{id}")
    if "{id}" in scenario.path:
        path = f"{_lua_string(before)} .. math.random(1, {scenario.max_id}) .. {_lua_string(after)}"
    else:
        path = _lua_string(scenario.path)
    lines += [
        "local counter = 0",
        "request = function()",
        "  counter = counter + 1",
        f"  local body = {body}",
        "  if body then body = string.gsub(body, '#n#', tostring(counter)) end",
        f"  return wrk.format({_lua_string(scenario.method)}, {path}, headers, body)",
        "end",
    ]
    return "\n".join(lines) + "\n"


def probe(base_url, scenario, timeout=30):
    """Send the scenario's request once; return (status, body text)."""
    path = scenario.path.replace("{id}", str(max(1, scenario.max_id // 2)))
    data = None if scenario.body is None else json.dumps(scenario.body).replace("#n#", "0").encode()
    headers = {"Accept": "application/json", **(scenario.headers or {})}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base_url + path, data=data, headers=headers, method=scenario.method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * LATENCY_UNITS[unit]


def parse(output):
    """Return a Result from wrk --latency output."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        return Result(note="wrk failed: " + output.strip()[-200:])
    # wrk pads one-letter units ("1.05s "), hence the trailing spaces.
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    total = re.search(r"(\d+) requests in", output)
    if "50" not in latency or "99" not in latency or not total or total.group(1) == "0":
        # wrk leaves percentiles out, or prints zeros, when (almost) no request completed within its timeout.
        return Result(note="no request completed within wrk's timeout")
    failures = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = int(failures.group(1)) if failures else 0
    if errors:
        failed += sum(int(count) for count in errors.groups())
    return Result(
        requests_per_second=float(rate.group(1)),
        p50_ms=_milliseconds(latency["50"]),
        p99_ms=_milliseconds(latency["99"]),
        requests=int(total.group(1)) if total else 0,
        failures=failed,
    )


def wrk(base_url, script_path, duration, connections, timeout_seconds=5):
    """Run wrk for duration seconds with this many connections; return its parsed Result."""
    command = [
        shutil.which("wrk") or "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{duration}s",
        "--timeout",
        f"{timeout_seconds}s",
        "--latency",
        "--script",
        str(script_path),
        base_url,
    ]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    return parse(finished.stdout + finished.stderr)
