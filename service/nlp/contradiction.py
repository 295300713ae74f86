"""Decide whether two related statements contradict: a stand-in until branch nlp-vectors brings its own.

No packaged natural-language-inference model with a licence exists, so this reads polarity: negations and
words of lack, failure or denial in English, Ukrainian and Russian. Two statements close in meaning (the
caller's similarity, from sentence vectors) whose polarities differ are called contradictory, with the cue
that differs as the reason. The interface is the one nlp-vectors is finishing:
assess(a_text, a_lang, b_text, b_lang, similarity) -> (score, contradicts, reason).
"""

import re
from typing import NamedTuple

# Calibrated on the eval dev half: same-meaning pairs score 0.89 and up, unrelated ones 0.75-0.86.
RELATED = 0.86
ASIDE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")

NEGATIVE = {
    "en": (
        "no not never none nor neither nothing nobody without cannot unable deny denies denied denying refuse refused "
        "reject rejected rejects lack lacks lacked lacking shortage shortages shortfall false untrue fake impossible "
        "fail failed fails failure halt halted stopped suspended cancelled canceled ended dismissed n't"
    ),
    "uk": (
        "не ні немає нема ніколи жоден жодних жодного жодної без брак бракує нестача нестачі заперечив заперечила "
        "заперечили заперечує спростував спростувала спростували неправда фейк хибні неправдиві відмовився "
        "відмовилися зупинено припинено провал"
    ),
    "ru": (
        "не нет ни никогда никаких никакого ни одного без нехватка нехватки недостаток не хватает опроверг "
        "опровергла опровергли отрицает отрицал отрицали неправда фейк ложь ложные отказался отказались "
        "остановлено прекращено провал"
    ),
}
NEGATIVE = {language: frozenset(words.split()) for language, words in NEGATIVE.items()}


class Assessment(NamedTuple):
    score: float
    contradicts: bool
    reason: str


def _cues(text, language):
    # Asides in brackets are the reporter's, not the claim's ("(reported as a complaint, not dated)").
    words = [word.lower() for word in WORD.findall(ASIDE.sub(" ", text or ""))]
    cues = NEGATIVE.get((language or "en").split("-")[0], NEGATIVE["en"])
    found = [word for word in words if word in cues or word.endswith("n't")]
    return found


def assess(a_text, a_lang, b_text, b_lang, similarity):
    """Return (score, contradicts, reason) for two statements whose sentence similarity is given."""
    cues_a, cues_b = _cues(a_text, a_lang), _cues(b_text, b_lang)
    negative_a, negative_b = len(cues_a) % 2 == 1, len(cues_b) % 2 == 1
    if similarity < RELATED:
        return Assessment(0.0, False, "not about the same thing")
    if negative_a == negative_b:
        return Assessment(0.0, False, "same polarity")
    score = round(min(1.0, (similarity - RELATED) / (1 - RELATED) * 0.5 + 0.5), 4)
    negated, cues = ("first", cues_a) if negative_a else ("second", cues_b)
    reason = f"Close in meaning ({similarity:.2f}), but the {negated} statement negates it (“{cues[0]}”)."
    return Assessment(score, True, reason)
