"""Fuzzing against the service's own OpenAPI document (schemathesis), on a seeded database of each kind.

Every operation in /api/v1/openapi.json gets generated requests, valid and invalid, sent with a reviewer
key or an admin key, and every answer is checked against the document: never a 5xx, only the statuses,
content types, headers and bodies it lists, invalid input refused, missing If-Match refused (428), and
writes refused without a key. A stateful run then chains operations along the links schemathesis infers
from the document (a listed claim is read, edited, reviewed, linked in a conflict, deleted).

Not checked: that every schema-valid request is accepted. The document cannot state which speaker names
are taken, which topic slugs exist, or which cursors were signed by this server, so such requests are
rightly refused with 422 or 400 although they fit the schema.

Generation is derandomized with a fixed seed, so a failure reproduces on every run and every machine.
CLAIMLEDGER_FUZZ_SEED=<n> draws the stateless run's examples from that seed instead (reproducible with the
same n; the stateful run stays derandomized), and
CLAIMLEDGER_FUZZ_RATE_LIMIT=<n> runs with the write rate limit on at n a minute (off by default).
"""

import os
import zlib

import pytest
import schemathesis
from conftest import TEST_SETTINGS
from hypothesis import HealthCheck
from hypothesis import settings

from service import create_app
from service.ledger import keys as api_keys
from service.ledger import seeds
from service.storage import db
from service.storage.models import ALL_MODELS
from service.storage.models import ApiKey

pytestmark = pytest.mark.slow  # fuzzing: make test runs it, make test-fast does not

SEED = int(os.environ.get("CLAIMLEDGER_FUZZ_SEED", "20261126"))
DERANDOMIZED = "CLAIMLEDGER_FUZZ_SEED" not in os.environ
RATE_LIMIT = int(os.environ.get("CLAIMLEDGER_FUZZ_RATE_LIMIT", "0"))
EXAMPLES_PER_OPERATION = 100
SCENARIOS = 40
STEPS_PER_SCENARIO = 10
# The fixtures give each test its own database; the generated data does not depend on them.
SUPPRESSED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",
            "max-examples": EXAMPLES_PER_OPERATION,
            "deterministic": DERANDOMIZED,
            "database": "none",
        },
        "checks": {
            "positive_data_acceptance": {"enabled": False},
            # 428 Precondition Required is the answer for a write without If-Match (RFC 6585).
            "missing_required_header": {"expected-statuses": [400, 401, 403, 406, 415, 422, 428]},
        },
    }
)


# POST /claims/batch also takes NDJSON and CSV, documented as strings: send the generated string as it is.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")
schemathesis.serializer.alias("text/csv", "text/plain")


class CurrentApp:
    """The WSGI app the schema sends its requests to: each test's own app, on its own database."""

    app = create_app({**TEST_SETTINGS, "DATABASE_URL": "sqlite:///:memory:"})

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


CURRENT = CurrentApp()
# The API; oEmbed (whose format=xml is the 501 the oEmbed spec asks for) and the HTML cards are described in
# the document for generators, and tested in tests/test_embeds.py.
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", CURRENT, config=CONFIG).exclude(
    path_regex="^/(oembed|embed/)"
)


def _seed(keys):
    """Load the seeds, then put the fuzzer's keys (rows saved from an earlier _seed) back, or make them."""
    seeds.load_all()
    if keys:
        ApiKey.insert_many(keys["rows"]).execute()
        return keys
    keys = {}
    for role in ("reviewer", "admin"):
        key, secret = api_keys.create_key(f"fuzz-{role}", role, actor="test")
        keys[role] = (key.id, {"Authorization": f"Bearer {secret}"})
    keys["rows"] = list(ApiKey.select().where(ApiKey.name.startswith("fuzz-")).dicts())
    return keys


def _empty_database():
    """Delete every row, so that each stateful scenario starts from the same seeded ledger and ids."""
    if db.is_postgres():
        tables = ", ".join(model._meta.table_name for model in ALL_MODELS)
        db.database.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        return
    with db.database.atomic():
        for model in reversed(ALL_MODELS):
            model.delete().execute()


@pytest.fixture
def fuzz_keys(app):
    """Route the schema's requests to this test's app, load the seeds, and make a reviewer and an admin key."""
    CURRENT.app = app
    app.config["RATE_LIMIT_PER_MINUTE"] = RATE_LIMIT
    yield _seed(None)
    CURRENT.app = CurrentApp.app


def _keep_keys_alive(fuzz_keys):
    # POST /keys/{id}/revoke is fuzzed too, and may revoke the fuzzer's own keys; un-revoke them each time.
    ids = [fuzz_keys[role][0] for role in ("reviewer", "admin")]
    ApiKey.update(revoked_at=None).where(ApiKey.id.in_(ids)).execute()


def _role_for(case):
    """Return admin for admin-only operations, else reviewer or admin as the case's content decides.

    Decided by the content, not drawn or alternated, so that a shrunk failing case keeps its key.
    """
    if case.operation.definition.raw.get("x-required-role") == "admin":
        return "admin"
    content = repr((case.path_parameters, case.query, case.body)).encode()
    return ("reviewer", "admin")[zlib.crc32(content) % 2]


@pytest.mark.timeout(600)
@SCHEMA.parametrize()
@settings(deadline=None, suppress_health_check=SUPPRESSED)
def test_every_operation_answers_as_documented(case, fuzz_keys):
    _keep_keys_alive(fuzz_keys)
    case.call_and_validate(headers=fuzz_keys[_role_for(case)][1])


@pytest.mark.timeout(600)
def test_chained_operations_answer_as_documented(fuzz_keys):
    """Create, read, edit, review, link and delete along the document's links, with an admin key."""

    class Scenario(SCHEMA.as_state_machine()):
        def setup(self):
            # Hypothesis replays and shrinks scenarios: each must meet the same data, not what the last one left.
            _empty_database()
            _seed(fuzz_keys)

        def before_call(self, case):
            _keep_keys_alive(fuzz_keys)
            if case.method in ("PATCH", "DELETE"):
                # Writes that pass the version check reach the domain; 412 and 428 are fuzzed statelessly above.
                case.headers = {**(case.headers or {}), "If-Match": "*"}

        def get_call_kwargs(self, case):
            return {"headers": fuzz_keys["admin"][1]}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # Name the key as sent, so that the auth check probes without it rather than take it for generated.
            case.validate_response(response, headers=kwargs["headers"], transport_kwargs=kwargs)

    Scenario.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS_PER_SCENARIO,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=SUPPRESSED,
        )
    )
