"""A Python client generated from the live OpenAPI document by openapi-python-client, used against a live server."""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import servers

from service.ledger import keys as api_keys
from service.ledger import seeds

GENERATOR = str(Path(sys.executable).with_name("openapi-python-client"))
SETTINGS = Path(__file__).parent / "data" / "openapi-python-client.yml"


@pytest.fixture
def live(app, database_url, tmp_path):
    """The seeded ledger served by gunicorn on this test's database, and a reviewer's key."""
    seeds.load_all()
    _, key = api_keys.create_key("cms", "reviewer", actor="test")
    process, base_url = servers.serve(database_url, tmp_path / "server.log", workers=1)
    yield base_url, key
    servers.stop(process)


def _generate(base_url, directory, package):
    """Generate a client package from the server's own document; return its module and the generator's output."""
    document = directory / "openapi.json"
    document.write_bytes(requests.get(f"{base_url}/api/v1/openapi.json", timeout=30).content)
    run = subprocess.run(
        [GENERATOR, "generate", "--path", str(document), "--meta", "none", "--config", str(SETTINGS)]
        + ["--output-path", str(directory / package)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    sys.path.insert(0, str(directory))
    try:
        return importlib.import_module(package), run
    finally:
        sys.path.remove(str(directory))


@pytest.mark.slow
def test_a_generated_client_lists_filters_creates_pages_and_reads_problems(live, tmp_path, database_url):
    base_url, key = live
    package = f"claimledger_generated_{database_url.split(':', 1)[0]}"

    generated, run = _generate(base_url, tmp_path, package)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "warning" not in (run.stdout + run.stderr).lower(), run.stdout + run.stderr
    list_claims = importlib.import_module(f"{package}.api.claims.list_claims")
    create_claim = importlib.import_module(f"{package}.api.claims.create_claim")
    models = importlib.import_module(f"{package}.models")
    with (
        generated.Client(base_url=base_url, raise_on_unexpected_status=True) as reader,
        generated.AuthenticatedClient(base_url=base_url, token=key, raise_on_unexpected_status=True) as desk,
    ):
        _use(reader, desk, base_url, list_claims, create_claim, models)


def _use(reader, desk, base_url, list_claims, create_claim, models):
    """List, filter, create with a key, page with the cursor, and read a 422, all through the generated client."""
    # List, and filter: both sides of the ammunition question.
    newest = list_claims.sync(client=reader, limit=5)
    assert isinstance(newest, models.ClaimPage) and len(newest.items) == 5
    sides = list_claims.sync(client=reader, topic="russian-ammunition-shortage")
    speakers = {claim.speaker.name for claim in sides.items}
    assert {"Yevgeny Prigozhin", "Levko Stek"} <= speakers
    stances = {topic.stance for claim in sides.items for topic in claim.topics}
    assert {"affirms", "denies"} <= stances

    # Create with a key: 201, typed, with Location and ETag.
    created = create_claim.sync_detailed(
        client=desk,
        body=models.ClaimInput(
            text="Russian forces at Bakhmut are running short of artillery shells.",
            speaker=models.SpeakerRef(name="Yevgeny Prigozhin"),
            source=models.SourceRef(url="https://news.example/2023/04/08/bakhmut", publisher="Example News"),
            claimed_on="2023-04-08",
            topics=[models.TopicStance(slug="russian-ammunition-shortage", stance=models.TopicStanceStance.AFFIRMS)],
        ),
    )
    assert created.status_code == 201
    claim = created.parsed
    assert isinstance(claim, models.ClaimOut) and claim.speaker.name == "Yevgeny Prigozhin"
    assert created.headers["Location"] == f"/api/v1/claims/{claim.id}"
    assert created.headers["ETag"] == f'"claim-{claim.id}-1"'

    # Page with the cursor through every claim: each once, newest first.
    seen = []
    cursor = None
    while True:
        page = (
            list_claims.sync(client=reader, limit=4, cursor=cursor)
            if cursor
            else list_claims.sync(client=reader, limit=4)
        )
        seen += [item.id for item in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    everything = requests.get(f"{base_url}/api/v1/claims", params={"limit": 200}, timeout=30).json()["items"]
    assert seen == [item["id"] for item in everything]
    assert claim.id in seen

    # A problem from a 422, keyed by the field's path.
    refused = create_claim.sync_detailed(
        client=desk,
        body=models.ClaimInput(
            text="No one said this.",
            speaker=models.SpeakerRef(),
            source=models.SourceRef(id=1),
            claimed_on="2023-04-08",
        ),
    )
    assert refused.status_code == 422
    problem = refused.parsed
    assert isinstance(problem, models.ProblemOut)
    assert problem.status == 422 and problem.type_ == "/problems/validation-error"
    assert problem.errors.to_dict() == {"speaker": ["Give either id or name."]}
    assert json.loads(refused.content)["errors"] == {"speaker": ["Give either id or name."]}
