"""Security headers for every HTML response the service sends, pages and embeds alike."""

import base64
import hashlib
import re

REFERRER_POLICY = "no-referrer"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def content_security_policy(frame_ancestors=()):
    """Return a CSP that allows no scripts, only our own styles, and framing by the given origins."""
    ancestors = " ".join(frame_ancestors) or "'none'"
    return (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )


def secure(response, frame_ancestors=()):
    """Add the security headers to an HTML response; only frame_ancestors' origins may frame it."""
    response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = REFERRER_POLICY
    if not frame_ancestors:
        # Browsers too old for frame-ancestors still honour X-Frame-Options; it cannot name a list
        # of origins, so it is only sent when nobody may frame the page.
        response.headers["X-Frame-Options"] = "DENY"
    return response


def _script_hash(script):
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def secure_docs(response, frame_ancestors=()):
    """Add the security headers to the Swagger UI page: its own scripts and the inline one it carries, no others.

    Swagger UI styles elements inline and draws icons as data: images, and 'Try it out' calls the API.
    """
    html = response.get_data(as_text=True)
    hashes = " ".join(_script_hash(script) for script in INLINE_SCRIPT.findall(html))
    ancestors = " ".join(frame_ancestors) or "'none'"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {ancestors}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = REFERRER_POLICY
    return response
