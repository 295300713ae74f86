"""Security headers for every HTML response the service sends, pages and embeds alike."""

import base64
import hashlib
import re

REFERRER_POLICY = "no-referrer"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


# Embeds are public, read-only and carry no actions: any site may frame them unless the operator lists origins.
ANY_SITE = ("*",)


def content_security_policy(frame_ancestors=(), scripts=False):
    """Return a CSP with only our own styles (and scripts, if asked), and framing by the given origins."""
    ancestors = " ".join(frame_ancestors) or "'none'"
    script_src = "script-src 'self'; " if scripts else ""
    return (
        f"default-src 'none'; {script_src}style-src 'self'; img-src 'self' data:; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )


def secure_embed(response, embed_origins=()):
    """Add the security headers to an embeddable card: framable by embed_origins, or by any site when none are set.

    The card runs one script of its own (/embed/static/embed.js), which tells the framing page its height.
    """
    response.headers["Content-Security-Policy"] = content_security_policy(embed_origins or ANY_SITE, scripts=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = REFERRER_POLICY
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
