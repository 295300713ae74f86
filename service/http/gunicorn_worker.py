"""gunicorn's threaded worker, answering the requests gunicorn refuses itself as problem+json, like the app does.

gunicorn reads the request line and headers before the app sees anything, and answers what it refuses (a
request line over limit_request_line, a header over limit_request_field_size, malformed HTTP) with an HTML
page written by gunicorn.util.write_error. In this worker's process that function writes problem+json.
"""

import json

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

PROBLEM_MIMETYPE = "application/problem+json"
DETAILS = {
    414: "The request line is longer than the server reads (8190 bytes): shorten the query, "
    "for example name a source or speaker by its id rather than its URL or name.",
    431: "A request header is longer than the server reads (8190 bytes), or there are more than 100 headers.",
}


def write_problem(sock, status_int, reason, mesg):
    """Write gunicorn's refusal of a request as problem+json, without echoing what the client sent."""
    body = json.dumps(
        {
            "type": f"/problems/{reason.lower().replace(' ', '-')}",
            "title": reason,
            "status": status_int,
            "detail": DETAILS.get(status_int, "The server could not read the request as HTTP."),
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: {PROBLEM_MIMETYPE}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("latin-1")
    util.write_nonblock(sock, head + body)


class ProblemThreadWorker(ThreadWorker):
    """The gthread worker whose own error answers are problem+json."""

    def init_process(self):
        util.write_error = write_problem
        super().init_process()
