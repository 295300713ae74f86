"""Security headers for every HTML response the service sends, pages and embeds alike."""

REFERRER_POLICY = "no-referrer"


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
