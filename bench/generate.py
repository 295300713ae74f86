"""Generate a synthetic ledger through the service's bulk path: python bench/generate.py --claims 50000.

Deterministic for a seed: long-tailed (Zipf-like) speakers, sources and topics, stances, dates over ten
years, texts from a Zipf-distributed vocabulary so that search terms run from rare to very common, and
three planted marker terms of known frequency. Claims go through service.ledger.bulk (validate_batch, then
import_claims) in chunks of 10,000, as `claimledger import` sends them; a third get reviews.
"""

import argparse
import bisect
import datetime
import itertools
import json
import pathlib
import random
import sys
import time

from peewee import chunked

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from peewee import fn  # noqa: E402

from service.ledger import bulk  # noqa: E402
from service.ledger import conflict_detection  # noqa: E402
from service.ledger import events  # noqa: E402
from service.ledger import topics  # noqa: E402
from service.storage import db  # noqa: E402
from service.storage.migrate import migrate  # noqa: E402
from service.storage.models import Claim  # noqa: E402
from service.storage.models import ClaimTopic  # noqa: E402
from service.storage.models import Review  # noqa: E402
from service.storage.models import utcnow  # noqa: E402

OUT = ROOT / "bench" / "out"
CHUNK = 10_000
ACTOR = "bench"
# Claims of the busiest topic run through stance detection, so the conflict scenarios have real conflicts.
PAIRED_CLAIMS = 2_000
# Planted terms: (word, one claim in every `period`), so their frequencies are exact.
MARKERS = {"rare": ("zzrare", 10_000), "medium": ("zzmedium", 200), "common": ("zzcommon", 20)}
FIRST_NAMES = (
    "Anna Boris Carla Dmytro Elena Farid Greta Hugo Iryna Jonas Kateryna Lukas Maria Nikolai Olena Pavlo Queenie "
    "Roman Sofia Taras Ulla Viktor Wanda Xavier Yulia Zoran Amir Beatrix Cyril Dana Emil Fiona Gustav Hana Ivo "
    "Jana Karl Lena Milan Nadia Oskar Petra Rafael Sanna Tomas Vera Walter Yara Zeno"
).split()
LAST_NAMES = (
    "Adams Bondar Costa Dvorak Evans Fischer Garcia Horvat Ivanenko Jensen Kovalenko Larsen Moreau Novak Olsen "
    "Petrenko Quinn Rossi Schmidt Tkachenko Usman Varga Weber Xu Yilmaz Zielinski Andersen Becker Carter Duarte "
    "Eriksen Fontaine Gallo Hoffmann Iqbal Jovanovic Keller Lindqvist Marino Nowak Orlov Pereira Ricci Santos "
    "Shevchenko Takahashi Urban Vasquez Wojcik Young Zhang"
).split()
INITIALS = "ABCDEFGHIJKLMNOPRSTVWZ"
OUTLETS = [f"outlet{n:03d}.example" for n in range(300)]
STANCES = (("affirms", 45), ("denies", 40), ("neutral", 15))
LANGUAGES = (("en", 80), ("uk", 8), ("de", 5), ("fr", 4), ("es", 3))
TOPIC_COUNTS = ((0, 30), (1, 50), (2, 15), (3, 5))
START = datetime.date(2016, 1, 1)
DAYS = 3653


def sizes(claims):
    """Return how many speakers, sources and topics a ledger of this many claims has (tens of thousands at 1M)."""
    return {
        "speakers": min(40_000, max(500, claims // 25)),
        "sources": min(5_000, max(100, claims // 200)),
        "topics": min(2_000, max(40, claims // 500)),
        "vocabulary": min(20_000, max(3_000, claims // 50)),
    }


def zipf_weights(count, exponent):
    """Return cumulative weights for ranks 1..count, rank r weighing 1 / r**exponent."""
    return list(itertools.accumulate(1 / rank**exponent for rank in range(1, count + 1)))


def weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return list(values), list(itertools.accumulate(weights))


class Ledger:
    """The deterministic draws that make up a synthetic ledger."""

    def __init__(self, claims, seed):
        self.claims = claims
        self.rng = random.Random(seed)
        self.size = sizes(claims)
        people = [f"{first} {initial}. {last}" for last in LAST_NAMES for first in FIRST_NAMES for initial in INITIALS]
        self.speakers = self.rng.sample(people, self.size["speakers"])
        self.speaker_weights = zipf_weights(len(self.speakers), 1.05)
        self.sources = [
            (f"https://{OUTLETS[n % len(OUTLETS)]}/news/{n:05d}", f"Outlet {n % len(OUTLETS):03d}")
            for n in range(self.size["sources"])
        ]
        self.source_weights = zipf_weights(len(self.sources), 0.9)
        self.topic_slugs = [f"topic-{n:04d}" for n in range(self.size["topics"])]
        self.topic_weights = zipf_weights(len(self.topic_slugs), 1.0)
        self.vocabulary = self._vocabulary(self.size["vocabulary"])
        self.word_weights = zipf_weights(len(self.vocabulary), 1.0)
        self.stances = weighted(STANCES)
        self.languages = weighted(LANGUAGES)
        self.topic_counts = weighted(TOPIC_COUNTS)

    def _vocabulary(self, count):
        """Return count distinct pronounceable words (none starts with zz, so markers never collide)."""
        syllables = [c + v for c in "bcdfghjklmnprstvw" for v in "aeiou"]
        words = set()
        while len(words) < count:
            words.add("".join(self.rng.choices(syllables, k=self.rng.choice((2, 2, 3, 3, 4)))))
        return sorted(words)

    def _pick(self, values, cumulative):
        return values[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _words(self, count):
        return self.rng.choices(self.vocabulary, cum_weights=self.word_weights, k=count)

    def claim(self, index):
        """Return claim number index as a CMS would send it to POST /claims (JSON types only)."""
        rng = self.rng
        words = self._words(rng.randint(10, 30))
        for word, period in MARKERS.values():
            if index % period == period // 2:
                words.insert(rng.randrange(len(words) + 1), word)
        url, publisher = self.sources[bisect.bisect(self.source_weights, rng.random() * self.source_weights[-1])]
        day = START + datetime.timedelta(days=rng.randrange(DAYS))
        claimed_on = day.isoformat()
        if rng.random() < 0.15:
            claimed_on += f"T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
        item = {
            "text": " ".join(words).capitalize() + ".",
            "speaker": {
                "name": self.speakers[bisect.bisect(self.speaker_weights, rng.random() * self.speaker_weights[-1])]
            },
            "source": {"url": url, "publisher": publisher},
            "claimed_on": claimed_on,
            "language": self._pick(*self.languages),
        }
        if rng.random() < 0.3:
            item["quote"] = " ".join(self._words(rng.randint(8, 20))).capitalize() + "."
        if rng.random() < 0.1:
            item["appearances"] = [
                {"url": other[0], "publisher": other[1]} for other in rng.sample(self.sources, rng.randint(1, 2))
            ]
        topic_count = self._pick(*self.topic_counts)
        chosen = set()
        while len(chosen) < topic_count:
            chosen.add(self.topic_slugs[bisect.bisect(self.topic_weights, rng.random() * self.topic_weights[-1])])
        if chosen:
            item["topics"] = [{"slug": slug, "stance": self._pick(*self.stances)} for slug in sorted(chosen)]
        return item


def create_topics(ledger):
    """Create the ledger's topics through the service, one event each."""
    with db.database.atomic():
        for n, slug in enumerate(ledger.topic_slugs):
            words = " ".join(ledger.vocabulary[(n * 7 + k) % len(ledger.vocabulary)] for k in range(4))
            topics.create_topic({"slug": slug, "title": f"Is it true that {words}?"}, ACTOR)


def add_reviews(claim_ids, rng):
    """Review a third of the claims, as the reviews module keeps them: rows, counts, status and events.

    There is no bulk review path in the service (yet), so this mirrors what one review per POST does,
    in bulk: a review.created event per review and the claim's counts, status and version updated.
    The status rule assumed here: the majority verdict, a tie counting as contested.
    """
    reviewers = [f"reviewer{n:02d}" for n in range(25)]
    reviewed = sorted(rng.sample(claim_ids, len(claim_ids) // 3))
    now = utcnow()
    rows = []
    outcome = {}
    for claim_id in reviewed:
        verdicts = [rng.choice(("supported", "supported", "contested")) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        for verdict, reviewer in zip(verdicts, rng.sample(reviewers, len(verdicts)), strict=True):
            rows.append((claim_id, reviewer, verdict, f"Checked against the record: {verdict}.", [], now))
        supported = verdicts.count("supported")
        contested = len(verdicts) - supported
        outcome.setdefault((supported, contested), []).append(claim_id)
    with db.database.atomic():
        columns = ("claim", "reviewer", "verdict", "rationale", "evidence", "created_at")
        ids = db.insert_rows(Review, columns, rows, returning=True)
        events.record_many(
            "review.created",
            "review",
            "bench-reviewers",
            [
                (review_id, {"id": review_id, "claim_id": row[0], "reviewer": row[1], "verdict": row[2]})
                for review_id, row in zip(ids, rows, strict=True)
            ],
        )
        for (supported, contested), group in outcome.items():
            status = "supported" if supported > contested else "contested"
            for chunk in chunked(group, 5000):
                Claim.update(
                    status=status,
                    supported_count=supported,
                    contested_count=contested,
                    version=Claim.version + 1,
                    updated_at=now,
                ).where(Claim.id.in_(chunk)).execute()
    return len(reviewed), len(rows)


def pair_busiest_topic(claims=PAIRED_CLAIMS):
    """Run stance conflict detection over the busiest topic's newest claims, as storing them one by one would.

    The ledger is loaded without detection (pairing a million claims would dominate the build); this gives
    the conflict scenarios a busy topic with real conflicts, and times detection itself.
    """
    busiest = (
        ClaimTopic.select(ClaimTopic.topic).group_by(ClaimTopic.topic).order_by(fn.COUNT(ClaimTopic.id).desc()).scalar()
    )
    rows = (
        Claim.select(Claim.id, Claim.speaker, Claim.claimed_on)
        .join(ClaimTopic, on=(ClaimTopic.claim == Claim.id))
        .where((ClaimTopic.topic == busiest) & (ClaimTopic.stance != "neutral"))
        .order_by(ClaimTopic.claimed_on.desc())
        .limit(claims)
    )
    with db.database.atomic():
        conflict_detection.pair_imported(list(rows), ACTOR)
    return len(rows)


def generate(url, claims, seed=1, progress=print):
    """Build a ledger of this many claims at url (migrated, empty); return its figures."""
    db.bind(url)
    db.database.connect(reuse_if_open=True)
    migrate()
    ledger = Ledger(claims, seed)
    create_topics(ledger)
    made = validated = imported = 0.0
    claim_ids = []
    for start in range(0, claims, CHUNK):
        began = time.perf_counter()
        raw = [ledger.claim(index) for index in range(start, min(start + CHUNK, claims))]
        loaded_at = time.perf_counter()
        items = bulk.validate_batch(raw)
        validated_at = time.perf_counter()
        claim_ids += bulk.import_claims(items, ACTOR, detect_conflicts=False)
        done = time.perf_counter()
        made += loaded_at - began
        validated += validated_at - loaded_at
        imported += done - validated_at
        progress(f"  {len(claim_ids):>9,} claims  import {len(claim_ids) / imported:,.0f}/s", end="\r")
    progress("")
    began = time.perf_counter()
    reviewed, reviews = add_reviews(claim_ids, ledger.rng)
    reviewing = time.perf_counter() - began
    began = time.perf_counter()
    paired = pair_busiest_topic()
    pairing = time.perf_counter() - began
    db.database.close()
    return {
        "claims": claims,
        "seed": seed,
        "sizes": ledger.size,
        "markers": {level: {"term": term, "claims": claims // period} for level, (term, period) in MARKERS.items()},
        "reviewed_claims": reviewed,
        "reviews": reviews,
        "generate_seconds": round(made, 2),
        "validate_per_second": round(claims / validated),
        "import_per_second": round(claims / imported),
        "validate_and_import_per_second": round(claims / (validated + imported)),
        "reviews_seconds": round(reviewing, 2),
        "conflict_detection": {"claims": paired, "per_second": round(paired / pairing) if pairing else None},
        "built_at": utcnow().isoformat(timespec="seconds") + "Z",
    }


def main():
    """Generate a ledger into a fresh SQLite file under bench/out/ (or a given empty database) and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="an empty database (default: a new bench/out/generated-N.db)")
    args = parser.parse_args()
    url = args.database_url
    if url is None:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"generated-{args.claims}.db"
        for suffix in ("", "-wal", "-shm", "-writer"):
            pathlib.Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    figures = generate(url, args.claims, args.seed, progress=lambda *a, **k: print(*a, **k, file=sys.stderr))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
