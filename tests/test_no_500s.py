"""Inputs that once gave a 500: each is a 4xx problem now, and stores nothing."""

import re

import pytest
from checks import assert_problem
from checks import everything
from factories import make_claim

HUGE = "9" * 5000
WRITE_METHODS = ("POST", "PUT", "PATCH")
NO_SUCH_ID = "999999"


def _single_object_writes(app):
    """Every API write rule but the batch import (which reads its body itself), ids filled in with unknown ones."""
    writes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("/batch"):
            continue
        path = re.sub(r"<[^>]+>", NO_SUCH_ID, rule.rule)
        writes += [(method, path) for method in sorted(rule.methods & set(WRITE_METHODS))]
    return writes


def test_an_integer_of_over_4300_digits_is_a_400_on_every_single_object_write(app, client, keys):
    claim = make_claim()
    writes = _single_object_writes(app)
    writes += [("PATCH", f"/api/v1/claims/{claim.id}"), ("POST", f"/api/v1/claims/{claim.id}/reviews")]
    assert len(writes) > 15
    before = everything()
    for method, path in writes:
        for body in (f'{{"text": {HUGE}}}', f"[{HUGE}]", HUGE):
            response = client.open(
                path,
                method=method,
                data=body,
                headers={**keys["admin"], "Content-Type": "application/json", "If-Match": "*"},
            )
            assert 400 <= response.status_code < 500, (method, path, response.status_code)
            assert_problem(response, response.status_code)
    assert everything() == before


@pytest.mark.parametrize("value", ["%C2%B2", "%D9%A3", "1" + "0" * 5000])
def test_oembed_sizes_that_are_not_ascii_digits_are_422(client, value):
    claim = make_claim()
    url = f"http%3A%2F%2Flocalhost%2Fembed%2Fclaims%2F{claim.id}"

    for name in ("maxwidth", "maxheight"):
        assert_problem(client.get(f"/oembed?url={url}&{name}={value}"), 422, [name])


@pytest.mark.parametrize("version", ["\xb2", "\xb9", HUGE])
def test_if_match_with_a_version_that_is_not_ascii_digits_is_412(client, keys, version):
    claim = make_claim()
    before = everything()

    response = client.patch(
        f"/api/v1/claims/{claim.id}",
        json={"quote": "changed"},
        headers={**keys["admin"], "If-Match": f'"claim-{claim.id}-{version}"'},
    )

    assert_problem(response, 412)
    assert everything() == before


@pytest.mark.parametrize("path", ["/api/v1/topics/", "/api/v1/claims?speaker=", "/api/v1/claims?source="])
def test_ids_of_over_4300_digits_in_paths_and_filters_are_not_found(client, path):
    response = client.get(path + HUGE)

    assert response.status_code in (200, 404, 422)
    if response.status_code != 200:
        assert_problem(response, response.status_code)


def test_a_receivers_retry_after_of_superscript_digits_is_ignored():
    import datetime

    from service.delivery.sender import parse_retry_after

    assert parse_retry_after("\xb2", datetime.datetime(2026, 11, 30)) is None
