"""Measure how many words a second service.nlp.wordforms indexes: python bench/wordforms.py."""

import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.nlp import ukrainian  # noqa: E402
from service.nlp import wordforms  # noqa: E402

TEXTS = {
    "en": "Yevgeny Prigozhin complained of a lack of ammunition for his fighters, saying shells were running out.",
    "uk": "Пригожин поскаржився на брак боєприпасів для своїх бійців у Бахмуті, заявивши, що снаряди закінчуються.",
    "ru": "Пригожин пожаловался на нехватку боеприпасов для своих бойцов в Бахмуте, заявив, что снаряды заканчиваются.",
}
ROUNDS = 3000


def words_per_second(text, language, cold):
    """Return the words a second index_terms handles on one text repeated ROUNDS times."""
    words = len(wordforms.WORD.findall(text)) * ROUNDS
    started = time.perf_counter()
    for _ in range(ROUNDS):
        if cold:
            ukrainian.stem.cache_clear()
        wordforms.index_terms(text, language)
    return words / (time.perf_counter() - started)


def main():
    """Print words a second for each language, with and without a language hint, and with no word cached."""
    for language, text in TEXTS.items():
        print(f"{language}: {words_per_second(text, language, False):>10,.0f} words/s with the language given")
        print(f"{language}: {words_per_second(text, None, False):>10,.0f} words/s without it")
        print(f"{language}: {words_per_second(text, None, True):>10,.0f} words/s without it, Ukrainian stems uncached")
    query = "снаряд* боєприпаси shells"
    started = time.perf_counter()
    for _ in range(ROUNDS):
        wordforms.query_terms(query)
    print(f"query_terms: {(time.perf_counter() - started) / ROUNDS * 1e6:.1f} µs for {query!r}")


if __name__ == "__main__":
    main()
