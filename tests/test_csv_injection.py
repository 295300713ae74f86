"""CSV export: a formula can start no row, not even after a line break inside a field."""

import csv
import io

from factories import make_claim

EXPORT = "/api/v1/claims/export"
HOSTILE = [
    "Harmless\r=cmd|' /C calc'!A0",
    "Harmless\n+SUM(1,2)",
    "Harmless\r\n-2+3",
    "Harmless\n\n@SUM(A1)",
    "Harmless\n\t=1+1",
]


def _export(client):
    response = client.get(f"{EXPORT}?format=csv")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_fields_with_a_line_break_are_quoted_and_no_line_of_them_starts_a_formula(client):
    claims = [make_claim(text=text, quote=text) for text in HOSTILE]

    body = _export(client)

    # A naive reader that splits on CR and LF and then on commas: no cell of any line starts a formula.
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@", "\t")), repr(line)
    # Every field holding a CR or LF is quoted, so an RFC 4180 reader gets each claim back whole.
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(body, newline=""))}
    for claim in claims:
        expected = claim.text.replace("\r=", "\r'=").replace("\n+", "\n'+").replace("\n-", "\n'-")
        expected = expected.replace("\n@", "\n'@").replace("\n\t", "\n'\t")
        assert rows[claim.id]["text"] == expected
        assert rows[claim.id]["quote"] == expected
    assert body.count("\r\n") == len(claims) + 1 + sum(text.count("\r\n") for text in HOSTILE) * 2


def test_a_formula_at_the_start_still_gets_its_quote_mark(client):
    claim = make_claim(text="=1+1 at the start\n=2+2 after a break")

    rows = list(csv.DictReader(io.StringIO(_export(client), newline="")))

    assert [row["text"] for row in rows if int(row["id"]) == claim.id] == ["'=1+1 at the start\n'=2+2 after a break"]
