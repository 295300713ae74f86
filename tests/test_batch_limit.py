"""A batch over the body limit (10 MiB) but under the batch limit (32 MiB): taken with an Idempotency-Key or chunked."""

import json

import pytest
import requests
from factories import claim_data

from service.storage.models import Claim

PADDING = 12 * 1024 * 1024


def _big_batch():
    """Two claims padded with JSON whitespace to 12 MiB: over the 10 MiB body limit, under the 32 MiB batch limit."""
    return (json.dumps([claim_data(), claim_data()]) + " " * PADDING).encode()


@pytest.mark.parametrize("how", ["plain", "idempotency-key", "chunked", "chunked with idempotency-key"])
def test_a_12_mib_batch_is_accepted_however_it_is_sent(live_server, keys, how):
    body = _big_batch()
    headers = {**keys["reviewer"], "Content-Type": "application/json"}
    if "idempotency-key" in how:
        headers["Idempotency-Key"] = f"batch-{how}"
    data = body
    if how.startswith("chunked"):
        data = (body[start : start + 1024 * 1024] for start in range(0, len(body), 1024 * 1024))

    response = requests.post(f"{live_server}/api/v1/claims/batch", data=data, headers=headers, timeout=120)

    assert response.status_code == 201, response.text
    assert response.json()["created"] == 2
    assert Claim.select().count() == 2


def test_a_batch_over_its_limit_is_still_413_when_chunked(live_server, keys, app):
    app.config["MAX_BATCH_BYTES"] = 11 * 1024 * 1024
    body = _big_batch()
    chunks = (body[start : start + 1024 * 1024] for start in range(0, len(body), 1024 * 1024))

    response = requests.post(
        f"{live_server}/api/v1/claims/batch",
        data=chunks,
        headers={**keys["reviewer"], "Content-Type": "application/json", "Idempotency-Key": "too-big"},
        timeout=120,
    )

    assert response.status_code == 413
    assert Claim.select().count() == 0
