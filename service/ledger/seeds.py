"""Load seed ledgers (JSON files in seeds/) through the domain functions; loading twice changes nothing."""

import json
from pathlib import Path

from marshmallow import ValidationError

from service.ledger import claims
from service.ledger import sources
from service.ledger import speakers
from service.ledger import topics
from service.ledger.errors import Problem
from service.schemas.claims import ClaimInput
from service.schemas.sources import SourceInput
from service.schemas.speakers import SpeakerInput
from service.schemas.topics import TopicInput
from service.storage.db import database
from service.storage.models import Claim
from service.storage.models import Source
from service.storage.models import Topic

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ACTOR = "seed"


class SeedError(Exception):
    """A seed file that could not be loaded; nothing from that file was stored."""


def load_file(path):
    """Load one seed file; return how many objects of each kind were created."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ValueError("a seed file holds one JSON object with speakers, sources, topics and claims")
    created = {"speakers": 0, "sources": 0, "topics": 0, "claims": 0}
    with database.atomic():
        for item in document.get("speakers", []):
            if speakers.find_speaker(item["name"]) is None:
                speakers.create_speaker(SpeakerInput().load(item), ACTOR)
                created["speakers"] += 1
        for item in document.get("sources", []):
            if Source.get_or_none(Source.url == item["url"]) is None:
                sources.create_source(SourceInput().load(item), ACTOR)
                created["sources"] += 1
        for item in document.get("topics", []):
            if Topic.get_or_none(Topic.slug == item["slug"]) is None:
                topics.create_topic(TopicInput().load(item), ACTOR)
                created["topics"] += 1
        for item in document.get("claims", []):
            data = ClaimInput().load(
                {
                    **item,
                    "speaker": {"name": item["speaker"]},
                    "source": {"url": item["source"]},
                    "appearances": [{"url": url} for url in item.get("appearances", [])],
                }
            )
            if not _claim_exists(data):
                claims.create_claim(data, ACTOR)
                created["claims"] += 1
    return created


def _claim_exists(data):
    speaker = speakers.find_speaker(data["speaker"]["name"])
    source = Source.get_or_none(Source.url == data["source"]["url"])
    if speaker is None or source is None:
        return False
    return (
        Claim.select()
        .where((Claim.speaker == speaker) & (Claim.source == source) & (Claim.text == data["text"]))
        .exists()
    )


def load_all(directory=SEEDS):
    """Load every seed file in a directory; return the totals created."""
    totals = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            created = load_file(path)
        except (Problem, ValidationError, ValueError, KeyError, TypeError) as error:
            raise SeedError(f"{path.name}: {_reason(error)}") from error
        for kind, count in created.items():
            totals[kind] = totals.get(kind, 0) + count
    return totals


def _reason(error):
    if isinstance(error, Problem):
        return " ".join([error.detail, json.dumps(error.errors)] if error.errors else [error.detail])
    if isinstance(error, ValidationError):
        return json.dumps(error.messages)
    if isinstance(error, KeyError):
        return f"missing {error}"
    return str(error)
