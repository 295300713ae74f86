"""Who an article quotes: its speakers resolved to the ledger's, across scripts, spellings and genitive forms."""

from service.nlp import names
from service.storage.models import Speaker
from service.storage.models import SpeakerAlias

# Genitive endings after "за словами" / "по словам", longest first, each with the nominative endings to try,
# the likeliest first: "Левка Стека" -> "Левко Стек", "Дмитрия Пескова" -> "Дмитрий Песков", "Зеленського" ->
# "Зеленський".
GENITIVE_ENDINGS = (
    ("ого", ("ий", "ой", "ій")),
    ("его", ("ий", "ій")),
    ("ої", ("а",)),
    ("ой", ("ая", "а")),
    ("ія", ("ій", "ія")),
    ("ея", ("ей",)),
    ("ка", ("к", "ко")),
    ("а", ("", "о", "а")),
    ("я", ("й", "я", "ь")),
    ("і", ("а", "я")),
    ("ы", ("а",)),
    ("и", ("а", "я")),
)


def nominative_forms(name):
    """Return the spellings a Ukrainian or Russian name in the genitive may have in the nominative, itself first."""
    forms = [name]
    words = name.split()
    options = []
    for word in words:
        variants = [word]
        lowered = word.lower()
        for ending, replacements in GENITIVE_ENDINGS:
            if lowered.endswith(ending) and len(lowered) > len(ending) + 1:
                stem = word[: -len(ending)]
                variants += [stem + replacement for replacement in replacements]
                break
        options.append(variants)
    combined = [[]]
    for variants in options:
        combined = [done + [variant] for done in combined for variant in variants][:64]
    for parts in combined:
        form = " ".join(parts)
        if form not in forms:
            forms.append(form)
    return forms


def likeliest_nominative(name):
    """Return a genitive name with each word given its likeliest nominative ending: "Сирського" -> "Сирський"."""
    words = []
    for word in name.split():
        lowered = word.lower()
        for ending, replacements in GENITIVE_ENDINGS:
            if lowered.endswith(ending) and len(lowered) > len(ending) + 1:
                word = word[: -len(ending)] + replacements[0]
                break
        words.append(word)
    return " ".join(words)


class SpeakerIndex:
    """The ledger's speaker names and aliases, keyed by surname, read once per analysis, and the article's own.

    A name the ledger does not know is looked up among the speakers the article named before it ("По словам
    Пескова" after "Дмитрий Песков сообщил"), so one person keeps one name within an article.
    """

    def __init__(self):
        self.by_surname = None
        self.named = []

    def _load(self):
        """Read every name and alias, filed under the first three letters of each part of its key."""
        self.by_surname = {}
        names_by_id = dict(Speaker.select(Speaker.id, Speaker.name).tuples())
        rows = list(names_by_id.items()) + list(SpeakerAlias.select(SpeakerAlias.speaker, SpeakerAlias.alias).tuples())
        for speaker_id, name in rows:
            key = names.name_key(name)
            if key:
                entry = (speaker_id, name, names_by_id[speaker_id])
                self.by_surname.setdefault(key.split()[-1][:3], []).append(entry)
                self.by_surname.setdefault(key.split()[0][:3], []).append(entry)

    def resolve(self, written, genitive):
        """Return {"id", "name", "score"}: the ledger speaker a written name is, or the name to create."""
        if self.by_surname is None:
            self._load()
        forms = nominative_forms(written) if genitive else [written]
        best = (0.0, None, None)
        for form in forms:
            key = names.name_key(form)
            if not key:
                continue
            seen = set()
            for prefix in {key.split()[-1][:3], key.split()[0][:3]}:
                for speaker_id, spelled, canonical in self.by_surname.get(prefix, []):
                    if (speaker_id, spelled) in seen:
                        continue
                    seen.add((speaker_id, spelled))
                    score = names.name_similarity(form, spelled)
                    if score > best[0]:
                        best = (score, speaker_id, canonical)
        score, speaker_id, canonical = best
        if speaker_id is not None and score >= names.SAME_PERSON_THRESHOLD:
            return {"id": speaker_id, "name": canonical, "score": score}
        for earlier in reversed(self.named):
            if any(names.likely_same(form, earlier) for form in forms):
                return {"id": None, "name": earlier, "score": None}
        name = likeliest_nominative(written) if genitive else written
        if len(name.split()) > 1:
            self.named.append(name)
        return {"id": None, "name": name, "score": None}
