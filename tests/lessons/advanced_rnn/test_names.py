from collections import Counter

import pytest
import torch

from lessons.advanced_rnn import names


@pytest.fixture(scope="module")
def pairs():
    return names.load_names()


def test_fold():
    assert names.fold("Müller") == "muller"
    assert names.fold("Wiśniewski") == "wisniewski"
    assert names.fold("Żółć") == "zolc"
    assert names.fold("Łukasz") == "lukasz"
    assert names.fold("Yılmaz") == "yilmaz"
    assert names.fold("Strauß") == "strauss"
    assert names.fold("Попов") == "popov"
    assert names.fold("Щукина") == "shchukina"
    assert names.fold("Соловьёв") == "solovev"  # ь is dropped, ё → e
    with pytest.raises(TypeError, match="name"):
        names.fold(3)


def test_raw_names_come_from_faker():
    from faker.providers.person.de_DE import Provider

    assert names.raw_names("de") == sorted(set(Provider.last_names))


def test_data_set(pairs):
    counts = Counter(code for _, code in pairs)
    assert sorted(counts) == sorted(names.SOURCES)
    assert max(counts.values()) == names.MAX_PER_CLASS
    assert len(pairs) == 4263 and counts["ja"] == 49 and counts["pt"] == 59
    assert all(n and set(n) <= set(names.ALPHABET) for n, _ in pairs)
    name_counts = Counter(n for n, _ in pairs)
    assert max(name_counts.values()) == 1  # every name has one label
    assert (
        pairs == sorted(pairs, key=lambda p: (p[1], p[0])) and pairs == names.load_names()
    )  # reproducible


def test_shared_names_are_dropped():
    cand = names.candidates()
    shared = {names.fold(n) for n in names.raw_names("es")} & {
        names.fold(n) for n in names.raw_names("pt")
    }
    assert "almeida" in shared or "abreu" in shared
    for n in shared:
        assert n not in cand["es"] and n not in cand["pt"]


def test_load_names_checks():
    with pytest.raises(ValueError, match="max_per_class"):
        names.load_names(max_per_class=0)
    with pytest.raises(TypeError, match="seed"):
        names.load_names(seed=0.5)
    small = names.load_names(max_per_class=10, seed=1)
    assert Counter(c for _, c in small) == Counter({c: 10 for c in names.SOURCES})


def test_count_table(pairs):
    lines = names.count_table(pairs).splitlines()
    assert len(lines) == len(names.SOURCES) + 2
    assert lines[-1].split()[-1] == str(len(pairs))


def test_stratified_split(pairs):
    train, test = names.stratified_split(pairs, test_fraction=0.2, seed=0)
    assert sorted(train + test) == sorted(pairs) and not set(train) & set(test)
    full, part = Counter(c for _, c in pairs), Counter(c for _, c in test)
    for code, n in full.items():
        assert part[code] == max(1, round(0.2 * n))
    assert names.stratified_split(pairs, seed=0) == (train, test)
    assert names.stratified_split(pairs, seed=1) != (train, test)
    for bad in (0.0, 1.0, -0.5):
        with pytest.raises(ValueError, match="test_fraction"):
            names.stratified_split(pairs, test_fraction=bad)
    with pytest.raises(TypeError, match="test_fraction"):
        names.stratified_split(pairs, test_fraction="0.2")


def test_encode():
    x, lengths = names.encode(["abc", "o'neil", "z"])
    assert x.shape == (3, 6) and x.dtype == torch.int64
    assert lengths.tolist() == [3, 6, 1]
    assert lengths.dtype == torch.int64 and lengths.device.type == "cpu"
    assert x[0].tolist() == [1, 2, 3, 0, 0, 0] and x[2, 0] == 26 and x[1, 1] == 27
    for bad in ([], ["ok", ""], ["Ab"], ["a1"]):
        with pytest.raises(ValueError, match="names"):
            names.encode(bad)


def test_page_claims_about_the_lists():
    """advanced-rnn: kim, patel in the US list, abbas, abdi in the Swedish one; garcia is shared."""
    cand = names.candidates()
    assert {"kim", "patel"} <= set(cand["en"]) and {"abbas", "abdi"} <= set(cand["sv"])
    folded = {c: {names.fold(n) for n in names.raw_names(c)} for c in ("en", "es")}
    assert "garcia" in folded["en"] & folded["es"]
    assert "garcia" not in cand["en"] and "garcia" not in cand["es"]
