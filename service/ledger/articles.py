"""Article analysis: which sentences of a draft the ledger has checked, which contradict it, which are new claims.

A CMS posts a draft; `analyze()` answers, for every sentence worth a note, the ledger claims it matches
(`closest_claims`), the claims it contradicts (`contradicting_claims`), and, for a statement the article
attributes to someone, a candidate claim ready for `store_candidates()`. Spans index the text
`service.nlp.article_text.article_text()` returns, which the answer carries.

Matching is by word forms (`closest_claims`) for every sentence, and by meaning (`meaning_matches`, the
sentence vectors of POST /claims/match) for the sentences worth a note, encoded in one call per article, so
that a Ukrainian sentence finds the English claim it translates. Without the sentence model, word forms alone.
"""

import datetime
import re
import urllib.parse

from peewee import fn

from service.ledger import claims
from service.ledger import matching
from service.ledger import search
from service.ledger import similarity
from service.ledger.article_speakers import SpeakerIndex
from service.ledger.errors import ValidationFailed
from service.ledger.sources import resolve_source
from service.ledger.speakers import resolve_speaker
from service.nlp import contradiction
from service.nlp import language as languages
from service.nlp import vectors
from service.nlp import wordforms
from service.nlp.attribution import attributions
from service.nlp.attribution import checkworthiness
from service.nlp.sentences import sentences
from service.schemas.articles import MAX_TEXT_CHARS
from service.storage.db import database
from service.storage.models import Claim
from service.storage.models import Conflict
from service.storage.models import Source
from service.storage.models import Speaker
from service.storage.models import Topic

# Articles longer than this many words are analysed as a job rather than while the caller waits.
SYNC_WORD_LIMIT = 2_500
# A sentence matches a claim when this share of the claim's search terms (or the sentence's) are shared.
MATCH_THRESHOLD = 0.45
MATCHES_PER_SENTENCE = 3
CANDIDATES_PER_SENTENCE = 20
CONTRADICTIONS_PER_SENTENCE = 5
# Words that carry no content in a match: reporting verbs and the commonest function words.
UNINFORMATIVE = set(
    "the a an of to in on at for and or but is are was were be been has have had it its this that these those "
    "with by from as not no said says say told claimed according he she they we his her their our there than "
    "would will can could also more any all i you who which what when did does do "
    "і й та в у на з із до що як це не але за про від його її їх був була було були є "
    "и в во на с со к по что как это не но за о от его ее их был была было были есть".split()
)
WORD = re.compile(r"[^\W\d_]+(?:['’ʼ-][^\W\d_]+)*")
SOURCE_CUE_WORDS = ("за словами", "по словам", "на думку", "по мнению")


def closest_claims(text, language=None, limit=MATCHES_PER_SENTENCE):
    """Return [(claim id, score 0..1)] of the stored claims closest to a sentence, best first, above the threshold.

    Candidates come from the full-text index (any of the sentence's content words); each is scored by the
    share of search terms (word forms across English, Ukrainian and Russian) it shares with the sentence.
    """
    sentence_terms = _terms(text, language)
    words = _query_words(text)
    if not sentence_terms or not words:
        return []
    query, score = search.ranked_any(Claim.select(Claim.id, Claim.text, Claim.quote, Claim.language), words)
    if query is None:
        return []
    scored = []
    for claim in query.order_by(score).limit(CANDIDATES_PER_SENTENCE):
        claim_terms = _terms(f"{claim.text} {claim.quote or ''}", claim.language)
        if not claim_terms:
            continue
        shared = len(sentence_terms & claim_terms)
        value = shared / min(len(sentence_terms), len(claim_terms))
        if value >= MATCH_THRESHOLD:
            scored.append((claim.id, round(min(value, 1.0), 3)))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:limit]


def contradicting_claims(text, matches, limit=CONTRADICTIONS_PER_SENTENCE):
    """Return [(claim id, score 0..1, reason)] of stored claims a sentence contradicts, strongest first.

    A sentence contradicts what the claims it matches are in conflict with (opposite stances on a topic, a
    reviewer's confirmed conflict, a detector's suggestion; dismissed pairs left out), and any candidate
    claim whose wording the conflict detector reads as opposed to the sentence's.
    """
    found = {}
    matched = {claim_id: score for claim_id, score in matches}
    if matched:
        ids = list(matched)
        rows = (
            Conflict.select(Conflict.left_claim, Conflict.right_claim, Conflict.basis, Conflict.topic, Conflict.score)
            .where((Conflict.left_claim.in_(ids) | Conflict.right_claim.in_(ids)) & (Conflict.status != "dismissed"))
            .tuples()
        )
        topic_ids = set()
        pairs = []
        for left, right, basis, topic_id, conflict_score in rows:
            own, other = (left, right) if left in matched else (right, left)
            if other in matched:
                continue
            pairs.append((own, other, basis, topic_id, conflict_score))
            topic_ids.add(topic_id)
        titles = dict(Topic.select(Topic.id, Topic.title).where(Topic.id.in_(list(topic_ids))).tuples())
        for own, other, basis, topic_id, conflict_score in pairs:
            if basis == "stance" and topic_id in titles:
                reason = f"takes the opposite stance to claim {own} on: {titles[topic_id]}"
            else:
                reason = f"in conflict ({basis}) with claim {own}, which this sentence matches"
            value = round(matched[own] * (conflict_score if conflict_score else 1.0), 3)
            if other not in found or found[other][0] < value:
                found[other] = (value, reason)
    words = similarity.key_terms(text)
    if words:
        query, score = search.ranked_any(Claim.select(Claim.id, Claim.text), words)
        if query is not None:
            for claim in query.order_by(score).limit(CANDIDATES_PER_SENTENCE):
                if claim.id in matched or claim.id in found:
                    continue
                if similarity.suggests_conflict(text, claim.text):
                    value = round(similarity.conflict_score(text, claim.text), 3)
                    found[claim.id] = (value, "says the opposite about the same things (negation or deficit)")
    ranked = sorted(found.items(), key=lambda item: (-item[1][0], item[0]))
    return [(claim_id, value, reason) for claim_id, (value, reason) in ranked[:limit]]


def word_count(text):
    """Return the number of words in a text, as the job threshold counts them."""
    return len(WORD.findall(text))


def needs_job(text):
    """Tell whether an article is long enough to be analysed as a job."""
    return word_count(text) > SYNC_WORD_LIMIT


def check_text(text):
    """Raise 422 for an article with no words to analyse (only digits or punctuation) or too much text."""
    if not WORD.search(text):
        raise ValidationFailed("The article holds no words.", errors={"text": ["No words to analyse."]})
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationFailed(
            f"The article is longer than {MAX_TEXT_CHARS} characters.",
            errors={"text": [f"At most {MAX_TEXT_CHARS} characters."]},
        )


def analyze(text, language=None, url=None, published_on=None):
    """Return the analysis of an article's text: its notes per sentence, spans indexing `text`."""
    check_text(text)
    given = languages.primary(language) if language else None
    # Without the caller's word, cues of all three languages are read: a detector names one language even
    # for a text that mixes them (an English report quoting a Russian one).
    reading = given if given in ("en", "uk", "ru") else None
    language = given or languages.detect(text)
    found = attributions(text, reading)
    speakers = SpeakerIndex()
    notes = []
    covered = []
    for item in found:
        note = _note(text, item.span.start, item.span.end, reading)
        note["candidate"] = _candidate(item, given, published_on, speakers)
        notes.append(note)
        covered.append((item.span.start, item.span.end))
    for span in sentences(text, reading):
        if any(start <= span.start and span.end <= end for start, end in covered):
            continue
        note = _note(text, span.start, span.end, reading)
        if note["matches"] or note["contradicts"]:
            note["candidate"] = None
            notes.append(note)
    _add_meaning_matches(notes)
    for note in notes:
        note["matches"] = _match_documents(note["matches"])
        note["contradicts"] = _contradiction_documents(note["contradicts"])
    notes.sort(key=lambda note: (note["span"]["start"], note["span"]["end"]))
    return {
        "text": text,
        "language": language,
        "url": url,
        "published_on": published_on.isoformat() if published_on else None,
        "words": word_count(text),
        "notes": notes,
    }


def meaning_matches(sentences_and_speakers, limit=MATCHES_PER_SENTENCE):
    """Return, per (sentence, speaker id or None), [(claim id, score 0..1)] of the claims it matches in meaning.

    A claim matches when its cosine is at least STRONG_SIMILARITY, or when it is the sentence's nearest claim,
    at least RELATED_SIMILARITY, and said by the speaker the article attributes the sentence to: below 0.90
    multilingual-e5 scores other claims of the same story as high as translations (0.86-0.92 on eval's dev
    half), and the speaker tells them apart. Raises vectors.ModelUnavailable when the model cannot load.
    """
    if not sentences_and_speakers:
        return []
    encoded = vectors.encode([sentence for sentence, _ in sentences_and_speakers])
    index = matching.current_index()
    hits = [index.search(vector, limit) for vector in encoded]
    speaker_of = _speakers_of({claim_id for found in hits for claim_id, _ in found})
    return [
        [
            (claim_id, round(min(score, 1.0), 3))
            for rank, (claim_id, score) in enumerate(found)
            if score >= contradiction.STRONG_SIMILARITY
            or (rank == 0 and score >= contradiction.RELATED_SIMILARITY and speaker_of.get(claim_id) == speaker)
        ]
        for (_, speaker), found in zip(sentences_and_speakers, hits, strict=True)
    ]


def _speakers_of(claim_ids):
    """Return {claim id: speaker id} of the claims."""
    if not claim_ids:
        return {}
    return dict(Claim.select(Claim.id, Claim.speaker).where(Claim.id.in_(list(claim_ids))).tuples())


def _add_meaning_matches(notes):
    """Merge each note's matches in meaning into its word-form ones (the higher score kept), then its contradictions."""
    wanted = [(note["sentence"], (note["candidate"] or {}).get("speaker", {}).get("id")) for note in notes]
    try:
        by_meaning = meaning_matches(wanted)
    except vectors.ModelUnavailable:
        return
    for note, found in zip(notes, by_meaning, strict=True):
        scores = dict(note["matches"])
        for claim_id, score in found:
            scores[claim_id] = max(score, scores.get(claim_id, 0.0))
        merged = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))[:MATCHES_PER_SENTENCE]
        if merged != note["matches"]:
            note["matches"] = merged
            note["contradicts"] = contradicting_claims(note["sentence"], merged)


def _note(text, start, end, language):
    """Return a sentence's note: its span, its (claim id, score) matches by word form and its contradictions."""
    sentence = text[start:end]
    matches = closest_claims(sentence, language)
    return {
        "span": {"start": start, "end": end},
        "sentence": sentence,
        "checkworthiness": checkworthiness(sentence),
        "matches": matches,
        "contradicts": contradicting_claims(sentence, matches),
    }


def _claim_rows(ids):
    """Return {claim id: (id, text, status, speaker name)} of the claims still stored."""
    query = Claim.select(Claim.id, Claim.text, Claim.status, Speaker.name).join(Speaker).where(Claim.id.in_(ids))
    return {row[0]: row for row in query.tuples()}


def _match_documents(matches):
    if not matches:
        return []
    rows = _claim_rows([claim_id for claim_id, _ in matches])
    out = []
    for claim_id, score in matches:
        if claim_id not in rows:
            continue
        _, claim_text, status, speaker = rows[claim_id]
        reviewed = status != "unreviewed"
        out.append(
            {
                "claim_id": claim_id,
                "score": score,
                "text": claim_text,
                "speaker": speaker,
                "status": status,
                "verdict": status if reviewed else None,
                "fact_check": _fact_check(claim_id) if reviewed else None,
            }
        )
    return out


def _fact_check(claim_id):
    """Return where a reviewed claim's published fact-check is: its ClaimReview markup and its embeddable card."""
    return {"claimreview": f"/api/v1/claims/{claim_id}/claimreview", "embed": f"/embed/claims/{claim_id}"}


def _contradiction_documents(contradicts):
    if not contradicts:
        return []
    rows = _claim_rows([claim_id for claim_id, _, _ in contradicts])
    return [
        {
            "claim_id": claim_id,
            "score": score,
            "reason": reason,
            "text": rows[claim_id][1],
            "speaker": rows[claim_id][3],
            "status": rows[claim_id][2],
        }
        for claim_id, score, reason in contradicts
        if claim_id in rows
    ]


def _candidate(item, given, published_on, speakers):
    """Return an attributed statement as a candidate claim, its speaker resolved where the ledger knows them."""
    genitive = item.verb.lower() in SOURCE_CUE_WORDS
    speaker = speakers.resolve(item.speaker, genitive)
    return {
        "speaker": {
            "as_written": item.speaker,
            "name": speaker["name"],
            "id": speaker["id"],
            "score": speaker["score"],
        },
        "role": item.role,
        "statement": item.statement,
        "quote": item.quote,
        "checkworthiness": item.checkworthiness,
        "verb": item.verb,
        "language": given or languages.detect(item.statement),
        "claimed_on": published_on.isoformat() if published_on else None,
    }


def _terms(text, language):
    """Return the set of content search terms of a text, across its word forms."""
    terms = set()
    for word in WORD.findall(text):
        if word.lower() in UNINFORMATIVE or len(word) < 3:
            continue
        terms.update(wordforms.index_terms(word, language).split())
    return terms


def _query_words(text):
    """Return the content words of a sentence to look for in the full-text index."""
    words = []
    for word in WORD.findall(text):
        lowered = word.lower()
        if lowered in UNINFORMATIVE or len(lowered) < 3 or lowered in words:
            continue
        words.append(lowered)
    return words[:24]


def _publisher(url):
    host = urllib.parse.urlsplit(url).hostname or url
    return host.removeprefix("www.")


def store_candidates(article, candidates, actor):
    """Store chosen candidate claims with the article as their source, all or nothing; return (source, claims, created).

    A candidate already stored from this article (same speaker and statement) is returned, not stored again,
    so a repeated call changes nothing.
    """
    if not candidates:
        raise ValidationFailed("No candidates to store.", errors={"candidates": ["Send at least one candidate."]})
    stored = []
    created = 0
    with database.atomic():
        source_ref = {
            "url": article["url"],
            "publisher": article.get("publisher") or _publisher(article["url"]),
            "title": article.get("title"),
            "published_on": article.get("published_on"),
            "kind": "article",
        }
        source_ref = {key: value for key, value in source_ref.items() if value is not None}
        source = resolve_source(source_ref, actor)
        for index, candidate in enumerate(candidates):
            speaker_ref = candidate["speaker"]
            if "id" in speaker_ref:
                speaker = resolve_speaker({"id": speaker_ref["id"]}, actor)
            else:
                new = {"name": speaker_ref["name"], "kind": speaker_ref.get("kind") or "person"}
                if candidate.get("role"):
                    new["description"] = candidate["role"][:500]
                speaker = resolve_speaker(new, actor)
            existing = (
                Claim.select()
                .where(
                    (Claim.source == source)
                    & (Claim.speaker == speaker)
                    & (fn.LOWER(Claim.text) == candidate["statement"].lower())
                )
                .first()
            )
            if existing is not None:
                stored.append(claims.read_claim(existing.id))
                continue
            claimed_on = candidate.get("claimed_on") or article.get("published_on") or datetime.date.today()
            data = {
                "text": candidate["statement"],
                "quote": candidate.get("quote"),
                "speaker": {"id": speaker.id},
                "source": {"id": source.id},
                "claimed_on": claimed_on,
                "language": candidate.get("language") or article.get("language") or "en",
            }
            try:
                stored.append(claims.create_claim(data, actor).document)
            except ValidationFailed as error:
                raise ValidationFailed(error.detail, errors={f"candidates.{index}": [str(error.detail)]}) from error
            created += 1
    return Source.get_by_id(source.id), stored, created
