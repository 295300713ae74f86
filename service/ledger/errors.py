"""The service's own errors: each names the problem a client will be answered with."""


class Problem(Exception):
    """An error answered to the client as problem+json."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail=None, errors=None, headers=None, status=None, title=None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers or {}
        self.status = status or self.status
        self.title = title or self.title


class BadRequest(Problem):
    pass


class Unauthorized(Problem):
    status, title, slug = 401, "Unauthorized", "unauthorized"

    def __init__(self, detail=None):
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="claimledger"'})


class Forbidden(Problem):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(Problem):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(Problem):
    status, title, slug = 409, "Conflict", "conflict"


class PreconditionFailed(Problem):
    status, title, slug = 412, "Precondition failed", "precondition-failed"


class ValidationFailed(Problem):
    status, title, slug = 422, "Validation failed", "validation-error"


class UnsupportedMediaType(Problem):
    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"


class PreconditionRequired(Problem):
    status, title, slug = 428, "Precondition required", "precondition-required"


class TooManyRequests(Problem):
    status, title, slug = 429, "Too many requests", "rate-limited"

    def __init__(self, detail, retry_after):
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class Unavailable(Problem):
    status, title, slug = 503, "Service unavailable", "unavailable"


def flatten_messages(messages, prefix=""):
    """Turn marshmallow's nested messages into {"a.0.b": [..]}, keyed by field path only.

    A nested object's own errors (marshmallow's "_schema", e.g. a speaker with neither id nor name) are keyed
    by the object's path ("speaker"), so a generated client can match every key to a field.
    """
    if isinstance(messages, list):
        if all(isinstance(item, str) for item in messages):
            return {prefix or "_schema": messages}
        messages = dict(enumerate(messages))
    flat = {}
    for key, value in messages.items():
        if key == "_schema" and prefix:
            flat.setdefault(prefix, []).extend(value if isinstance(value, list) else [str(value)])
            continue
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, (dict, list)):
            flat.update(flatten_messages(value, name))
        else:
            flat[name] = [str(value)]
    return flat
