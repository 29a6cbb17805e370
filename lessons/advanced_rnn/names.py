"""An offline surname → country data set, built from the name lists that Faker ships.

The course downloads a ``names`` file; here nothing is downloaded. Each class is one
Faker locale, and its surnames are read straight from the locale's person provider
(``faker.providers.person.<locale>.Provider``), the attributes listed in
:data:`SOURCES`. Every name is folded to lower-case ASCII (:func:`fold`); names that
fold to the same string in two or more classes are dropped, since their label would
be a coin toss; each class is then capped at :data:`MAX_PER_CLASS` names by a
seeded draw.
"""

from __future__ import annotations

import importlib
import operator
import random
import unicodedata
from collections import Counter

import torch

from lessons.checks import check_float, check_int, checked
from lessons.printing import table
from lessons.seeds import offset_seed

# --8<-- [start:sources]
# class code -> (Faker locale, provider attributes holding its surnames)
SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "cs": ("cs_CZ", ("last_names_male", "last_names_female")),
    "de": ("de_DE", ("last_names",)),
    "en": ("en_US", ("last_names",)),
    "es": ("es_ES", ("last_names",)),
    "fi": ("fi_FI", ("last_names",)),
    "fr": ("fr_FR", ("last_names",)),
    "it": ("it_IT", ("last_names",)),
    "ja": ("ja_JP", ("last_romanized_names",)),
    "nl": ("nl_NL", ("last_names",)),
    "pl": ("pl_PL", ("male_last_names", "unisex_last_names")),
    "pt": ("pt_BR", ("last_names",)),
    "ru": ("ru_RU", ("last_names_male", "last_names_female")),
    "sv": ("sv_SE", ("last_names",)),
    "tr": ("tr_TR", ("last_names",)),
    "zh": ("zh_CN", ("last_romanized_names",)),
}
ALPHABET = "abcdefghijklmnopqrstuvwxyz' -"  # index 0 is kept for padding
MAX_PER_CLASS = 400
# --8<-- [end:sources]

# --8<-- [start:fold_tables]
# letters that Unicode does not decompose into "base letter + accent"
_SPECIAL = {"ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "đ": "d"}
# Russian: a plain letter-by-letter transliteration ("_" marks ъ and ь, which are dropped)
_LATIN = "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya"
_CYRILLIC = {
    c: t.strip("_")
    for c, t in zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _LATIN.split(), strict=True)
}
# --8<-- [end:fold_tables]


def _check_fold(name):
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")


@checked(_check_fold)
# --8<-- [start:fold]
def fold(name: str) -> str:
    """Fold a surname to lower-case ASCII: ``"Müller"`` → ``"muller"``, ``"Попов"`` → ``"popov"``.

    Cyrillic is transliterated letter by letter; other letters are decomposed (NFKD)
    and their accents dropped. Characters outside :data:`ALPHABET` are kept, so that
    :func:`load_names` can reject such names.

    Args:
        name: A surname in any script Faker uses for the chosen locales.

    Returns:
        The folded name.

    """
    out = []
    for ch in name.strip().lower():
        ch = _CYRILLIC.get(ch, _SPECIAL.get(ch, ch))
        decomposed = unicodedata.normalize("NFKD", ch)  # "ü" → "u" + a combining diaeresis
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out)


# --8<-- [end:fold]


# --8<-- [start:raw_names]
def raw_names(code: str) -> list[str]:
    """Return the surnames of class ``code``, as Faker stores them (sorted, unique).

    Args:
        code: A key of :data:`SOURCES`, e.g. ``"de"``.

    Returns:
        The names before folding.

    """
    locale, attributes = SOURCES[code]
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    return sorted({name for attr in attributes for name in getattr(provider, attr)})


# --8<-- [end:raw_names]


# --8<-- [start:candidates]
def candidates() -> dict[str, list[str]]:
    """Fold every class's names; keep those made of :data:`ALPHABET` and found in no other class.

    Returns:
        ``code → sorted folded names``, before any cap.

    """
    folded = {code: {fold(n) for n in raw_names(code)} for code in SOURCES}
    folded = {c: {n for n in names if n and set(n) <= set(ALPHABET)} for c, names in folded.items()}
    seen = Counter(n for names in folded.values() for n in names)  # in how many classes
    return {c: sorted(n for n in names if seen[n] == 1) for c, names in folded.items()}


# --8<-- [end:candidates]


def _check_load_names(seed, max_per_class):
    check_int("seed", seed, minimum=0)
    check_int("max_per_class", max_per_class, minimum=1)


@checked(_check_load_names)
# --8<-- [start:load_names]
def load_names(seed: int = 0, max_per_class: int = MAX_PER_CLASS) -> list[tuple[str, str]]:
    """Build the data set: ``(folded surname, class code)`` pairs, capped per class.

    Args:
        seed: Seed of the draw that caps a class at ``max_per_class`` names.
        max_per_class: Largest number of names kept per class.

    Returns:
        The pairs, sorted by code then name.

    """
    rng, pairs = random.Random(offset_seed(seed)), []
    for code, names in candidates().items():
        if len(names) > max_per_class:
            names = sorted(rng.sample(names, max_per_class))  # a seeded draw, no bias to "a…"
        pairs += [(n, code) for n in names]
    return pairs


# --8<-- [end:load_names]


def count_table(pairs: list[tuple[str, str]]) -> str:
    """Tabulate, per class: Faker's count, unique after folding, kept in ``pairs``, an example.

    Args:
        pairs: The output of :func:`load_names`.

    Returns:
        A fixed-width text table.

    """
    kept, unique = Counter(code for _, code in pairs), candidates()
    rows = []
    for code in sorted(kept):
        example = next(n for n, c in pairs if c == code)
        raw, loc = len(raw_names(code)), SOURCES[code][0]
        rows.append([code, loc, raw, len(unique[code]), kept[code], "", example])
    total = sum(len(raw_names(c)) for c in kept), sum(len(unique[c]) for c in kept), len(pairs)
    rows.append(["all", "", *total, "", ""])
    columns = [("code", "<5"), ("locale", "<7"), ("faker", ">6"), ("unique", ">7"), ("kept", ">6")]
    columns += [("", "<2"), ("example", "<")]  # two spaces before the example
    return table(rows, columns, sep="")


def _check_stratified_split(test_fraction, **_):
    check_float("test_fraction", test_fraction, minimum=0.0, strict=True)
    if test_fraction >= 1:
        raise ValueError(f"test_fraction must be < 1, got {test_fraction}")


@checked(_check_stratified_split)
# --8<-- [start:split]
def stratified_split(
    pairs: list[tuple[str, str]], test_fraction: float = 0.2, seed: int = 0
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Split the pairs into training and test sets, the same fraction from every class.

    Args:
        pairs: ``(name, code)`` pairs.
        test_fraction: Share of each class that goes to the test set, in (0, 1).
        seed: Seed of the shuffle.

    Returns:
        ``(train, test)``, each sorted by code, then name.

    """
    rng = random.Random(offset_seed(seed))
    train, test = [], []
    for code in sorted({c for _, c in pairs}):
        group = sorted(p for p in pairs if p[1] == code)
        rng.shuffle(group)
        k = max(1, round(test_fraction * len(group)))  # at least one test name per class
        test += group[:k]
        train += group[k:]
    by_code = operator.itemgetter(1, 0)  # sort by code, then name
    return sorted(train, key=by_code), sorted(test, key=by_code)


# --8<-- [end:split]


def _check_encode(names):
    if not names or any(not isinstance(n, str) or not n for n in names):
        raise ValueError("names must be a non-empty list of non-empty strings")
    bad = sorted({ch for n in names for ch in n} - set(ALPHABET))
    if bad:
        raise ValueError(f"names contain characters outside ALPHABET: {bad}")


@checked(_check_encode)
# --8<-- [start:encode]
def encode(names: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Turn names into a padded index tensor and a length tensor.

    Character ``ALPHABET[i]`` becomes index ``i + 1``; index 0 pads short names.

    Args:
        names: Folded names, non-empty, characters from :data:`ALPHABET`.

    Returns:
        ``(x, lengths)``: ``x`` of shape ``(N, T_max)`` (int64) and ``lengths`` of
        shape ``(N,)``: a CPU int64 tensor, as ``pack_padded_sequence`` requires.

    """
    lengths = torch.tensor([len(n) for n in names], dtype=torch.int64)  # on the CPU
    flat = torch.tensor([ALPHABET.index(ch) + 1 for n in names for ch in n])  # every character
    x = torch.zeros(len(names), int(lengths.max()), dtype=torch.int64)  # 0 = padding
    x[torch.arange(x.shape[1]) < lengths[:, None]] = flat  # row i gets its first lengths[i] slots
    return x, lengths


# --8<-- [end:encode]
