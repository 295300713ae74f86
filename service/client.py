"""A small Python client for integrators: claims and matching, speakers, sources, topics, reviews, conflicts,
fact-checks, article analysis and the change feed.

    from service.client import ClaimLedgerClient
    ledger = ClaimLedgerClient("https://ledger.example", api_key="clk_...")
    claim = ledger.create_claim({"text": ..., "speaker": {"name": ...}, "source": {...}, "claimed_on": "2023-04-07"})
    for claim in ledger.find_claims(status="contested"):
        ...

Every call has a timeout. Connection errors, 503s and 429s (after their Retry-After) are retried with
exponential backoff and jitter. Every POST carries an Idempotency-Key, the same one on each of its
retries, so a POST whose answer was lost on the way back is not done twice. Errors raise ClaimLedgerError
with the server's problem+json. verify_webhook checks a Standard Webhooks signature.
"""

import base64
import email.utils
import hashlib
import hmac
import json
import random
import time
import uuid

import requests

USER_AGENT = "claimledger-client/0.1"
RETRY_STATUSES = (429, 503)
MAX_RETRY_AFTER = 60.0
WEBHOOK_TOLERANCE_SECONDS = 300
JOB_POLL_SECONDS = 1.0


class ClaimLedgerError(Exception):
    """An error answer from the ledger, or no answer at all; problem is the server's problem+json."""

    def __init__(self, message, status=None, problem=None, response=None):
        super().__init__(message)
        self.status = status
        self.problem = problem or {}
        self.response = response

    @property
    def errors(self):
        """Return the field errors of a validation problem ({field: [messages]})."""
        return self.problem.get("errors", {})


class WebhookVerificationError(Exception):
    """A webhook whose signature, timestamp or headers do not check out."""


class ClaimLedgerClient:
    """A client for one claimledger server."""

    def __init__(self, base_url, api_key=None, timeout=10, retries=3, backoff=0.5, session=None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        if api_key:
            self.session.headers["Authorization"] = f"Bearer {api_key}"

    def request(self, method, path, json_body=None, params=None, headers=None):
        """Send one request, retrying what is safe to retry; return the response or raise ClaimLedgerError."""
        headers = dict(headers or {})
        if method == "POST":
            headers.setdefault("Idempotency-Key", str(uuid.uuid4()))
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"
        attempt = 0
        while True:
            retry_after = None
            try:
                response = self.session.request(
                    method, url, json=json_body, params=params, headers=headers, timeout=self.timeout
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                if attempt >= self.retries:
                    raise ClaimLedgerError(f"{method} {url} failed: {error}") from error
            else:
                if response.status_code < 400:
                    return response
                if attempt >= self.retries or not self._retryable(response):
                    raise self._error(method, url, response)
                retry_after = response.headers.get("Retry-After")
            self._sleep(attempt, retry_after)
            attempt += 1

    def _retryable(self, response):
        if response.status_code in RETRY_STATUSES:
            return True
        # A POST that is still running under the same Idempotency-Key answers 409; its answer comes on a retry.
        return response.status_code == 409 and _problem(response).get("type", "").endswith("/idempotency-key-in-use")

    def _sleep(self, attempt, retry_after=None):
        delay = self.backoff * (2**attempt) * (0.5 + random.random())
        wait = _retry_after_seconds(retry_after)
        if wait is not None:
            delay = max(delay, wait)
        time.sleep(min(delay, MAX_RETRY_AFTER))

    def _error(self, method, url, response):
        problem = _problem(response)
        detail = problem.get("detail") or problem.get("title") or response.reason
        return ClaimLedgerError(
            f"{method} {url}: {response.status_code} {detail}", response.status_code, problem, response
        )

    def _get(self, path, **params):
        return self.request("GET", path, params=_query(params)).json()

    def _post(self, path, body):
        return self.request("POST", path, json_body=body).json()

    def _pages(self, path, params):
        """Yield every item of a cursor-paginated listing, fetching pages as they are needed."""
        params = _query(params)
        while True:
            page = self.request("GET", path, params=params).json()
            yield from page["items"]
            if not page.get("next_cursor"):
                return
            params = {**params, "cursor": page["next_cursor"]}

    def create_claim(self, data):
        """Create a claim (its speaker and sources are matched or created); return it."""
        return self._post("/api/v1/claims", data)

    def get_claim(self, claim_id):
        """Return one claim."""
        return self._get(f"/api/v1/claims/{claim_id}")

    def find_claims(self, **filters):
        """Yield every claim matching the filters (speaker, topic, stance, status, q, ...), across pages."""
        return self._pages("/api/v1/claims", filters)

    def match_claims(self, text, language=None, limit=None):
        """Return the stored claims closest in meaning to a statement in any language, best first, with scores."""
        body = {key: value for key, value in (("text", text), ("language", language), ("limit", limit)) if value}
        return self._post("/api/v1/claims/match", body)["items"]

    def create_speaker(self, data):
        """Create a speaker; return it."""
        return self._post("/api/v1/speakers", data)

    def get_speaker(self, speaker_id):
        """Return one speaker with aliases and record."""
        return self._get(f"/api/v1/speakers/{speaker_id}")

    def find_speakers(self, q=None):
        """Yield every speaker, or those whose name matches q, across pages."""
        return self._pages("/api/v1/speakers", {"q": q})

    def create_source(self, data):
        """Create a source; return it."""
        return self._post("/api/v1/sources", data)

    def get_source(self, source_id):
        """Return one source."""
        return self._get(f"/api/v1/sources/{source_id}")

    def find_sources(self, q=None):
        """Yield every source, or those whose publisher or URL matches q, across pages."""
        return self._pages("/api/v1/sources", {"q": q})

    def create_topic(self, data):
        """Create a topic; return it."""
        return self._post("/api/v1/topics", data)

    def get_topic(self, slug):
        """Return one topic by slug or id."""
        return self._get(f"/api/v1/topics/{slug}")

    def find_topics(self):
        """Yield every topic, across pages."""
        return self._pages("/api/v1/topics", {})

    def review(self, claim_id, verdict, rationale, evidence=()):
        """Record a verdict ("supported" or "contested") on a claim with its rationale and evidence."""
        body = {"verdict": verdict, "rationale": rationale, "evidence": list(evidence)}
        return self._post(f"/api/v1/claims/{claim_id}/reviews", body)

    def reviews(self, claim_id):
        """Return a claim's reviews, oldest first."""
        return self._get(f"/api/v1/claims/{claim_id}/reviews")

    def claim_review(self, claim_id):
        """Return the schema.org ClaimReview JSON-LD of a claim from its latest published fact-check."""
        return self._get(f"/api/v1/claims/{claim_id}/claimreview")

    def draft_fact_check(self, data):
        """Write a draft fact-check (headline, article_url, authors, rating, explanation, claim_ids); return it."""
        return self._post("/api/v1/fact-checks", data)

    def get_fact_check(self, fact_check_id):
        """Return one fact-check (drafts need a key that may read them)."""
        return self._get(f"/api/v1/fact-checks/{fact_check_id}")

    def find_fact_checks(self, **filters):
        """Yield every fact-check matching the filters (status, claim, rating, ...), across pages."""
        return self._pages("/api/v1/fact-checks", filters)

    def publish_fact_check(self, fact_check_id):
        """Publish a draft as it stands now (an editor's key); return it. Someone's change in between is a 412."""
        return self._switch_fact_check(fact_check_id, "publish")

    def unpublish_fact_check(self, fact_check_id):
        """Take a published fact-check back to draft (an editor's key); return it."""
        return self._switch_fact_check(fact_check_id, "unpublish")

    def _switch_fact_check(self, fact_check_id, action):
        path = f"/api/v1/fact-checks/{fact_check_id}"
        etag = self.request("GET", path).headers["ETag"]
        return self.request("POST", f"{path}/{action}", headers={"If-Match": etag}).json()

    def analyze_article(self, text=None, html=None, url=None, language=None, published_on=None, wait=300.0):
        """Analyse an article (its text or its HTML); return the analysis, polling for it when it runs as a job."""
        fields = {"text": text, "html": html, "url": url, "language": language, "published_on": published_on}
        response = self.request("POST", "/api/v1/articles/analyze", json_body=_query(fields))
        if response.status_code != 202:
            return response.json()
        location, deadline = response.headers["Location"], time.monotonic() + wait
        while time.monotonic() < deadline:
            time.sleep(JOB_POLL_SECONDS)
            job = self._get(location)
            if job["status"] == "done":
                return job["result"]
            if job["status"] == "failed":
                raise ClaimLedgerError(f"article analysis job {job['id']} failed: {job['error']}", problem=job)
        raise ClaimLedgerError(f"article analysis job at {location} not done after {wait:.0f} s")

    def store_article_claims(self, article, candidates):
        """Store candidates chosen from an analysis (as it returned them) as claims, the article their source.

        article is {"url": ..., "publisher": ..., ...}; all are stored or none, and sending them again adds nothing.
        """
        body = {"article": article, "candidates": [_storable(candidate) for candidate in candidates]}
        return self._post("/api/v1/articles/claims", body)

    def conflicts(self, **filters):
        """Yield every conflict matching the filters (topic, speaker, claim, status, basis), across pages."""
        return self._pages("/api/v1/conflicts", filters)

    def sides(self, slug):
        """Return a topic's claims grouped by stance, with the conflicts between them."""
        return self._get(f"/api/v1/topics/{slug}/sides")

    def events(self, after=0, types=None, limit=100, follow=False, poll_interval=5.0):
        """Yield change-feed events after the given event id, in order; with follow, keep polling for new ones."""
        while True:
            page = self._get("/api/v1/events", after=after, limit=limit, type=list(types) if types else None)
            items = page["items"]
            yield from items
            if page.get("next_after") is not None:
                after = page["next_after"]
            elif items:
                after = items[-1]["id"]
            if len(items) < limit:
                if not follow:
                    return
                time.sleep(poll_interval)


def _storable(candidate):
    """Return an analysis's candidate as POST /articles/claims takes it: the speaker by id if resolved, else by name."""
    speaker = candidate["speaker"]
    fields = ("role", "statement", "quote", "claimed_on", "language")
    return {
        "speaker": {"id": speaker["id"]} if speaker.get("id") else {"name": speaker["name"]},
        **{name: candidate[name] for name in fields if candidate.get(name) is not None},
    }


def _query(params):
    return {name: value for name, value in params.items() if value is not None}


def _problem(response):
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _retry_after_seconds(value):
    """Return the seconds a Retry-After header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _signing_key(secret):
    if not secret.startswith("whsec_"):
        raise WebhookVerificationError("A webhook secret starts with whsec_.")
    try:
        return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except ValueError as error:
        raise WebhookVerificationError("The webhook secret is not valid base64.") from error


def verify_webhook(secret, body, headers, tolerance=WEBHOOK_TOLERANCE_SECONDS, now=None):
    """Check a Standard Webhooks delivery (webhook-id, -timestamp, -signature); return its parsed JSON body.

    The signature is base64 HMAC-SHA256, keyed with the secret, over "id.timestamp.body"; any of the
    space-separated "v1,<signature>" entries may match (two are sent while a secret is being rotated).
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        message_id = lowered["webhook-id"]
        timestamp = lowered["webhook-timestamp"]
        signatures = lowered["webhook-signature"]
    except KeyError as error:
        raise WebhookVerificationError(f"Missing header {error.args[0]}.") from error
    if not timestamp.isdigit():
        raise WebhookVerificationError("webhook-timestamp is not a Unix time in seconds.")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is too far from now: a stale or replayed message.")
    payload = body if isinstance(body, bytes) else body.encode()
    signed = f"{message_id}.{timestamp}.".encode() + payload
    expected = base64.b64encode(hmac.new(_signing_key(secret), signed, hashlib.sha256).digest())
    for entry in signatures.split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            return json.loads(payload)
    raise WebhookVerificationError("No signature matches: the body or headers were altered, or the secret is wrong.")
