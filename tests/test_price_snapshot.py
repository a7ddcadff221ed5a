"""The start-up cache of the shipped tables: the same records, or none at all."""

from __future__ import annotations

import marshal

import pytest

from distillcost import cache
from distillcost.prices import sources
from distillcost.prices.model import ModelRecord
from distillcost.snapshot import from_plain, to_plain


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty user cache and no table in memory."""
    monkeypatch.setenv("DISTILLCOST_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(sources, "_BUILTIN_CACHE", None)
    return tmp_path / "cache"


def test_every_shipped_record_survives_the_plain_round_trip():
    for _, records in sources.builtin_layers():
        for record in records:
            plain = marshal.loads(marshal.dumps(to_plain(record)))
            again = from_plain(ModelRecord, plain)
            assert again == record
            assert again.history == record.history  # nested entries, tiers, windows…
            assert again.origin == record.origin and again.overrides == record.overrides


def test_the_second_start_reads_the_snapshot_instead_of_parsing(fresh, monkeypatch):
    parsed = sources.builtin_layers()
    assert [p.name[:7] for p in fresh.iterdir()] == ["prices-"]

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed the shipped tables again")

    monkeypatch.setattr(sources, "_BUILTIN_CACHE", None)
    monkeypatch.setattr(sources.PriceRegistry, "text", no_parsing)
    assert sources.builtin_layers() == parsed


def test_a_corrupt_snapshot_is_parsed_again(fresh, monkeypatch):
    parsed = sources.builtin_layers()
    (snapshot,) = fresh.iterdir()
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 2] ^= 0xFF
    snapshot.write_bytes(bytes(data))
    monkeypatch.setattr(sources, "_BUILTIN_CACHE", None)
    assert sources.builtin_layers() == parsed
    assert cache.read(snapshot.name) is not None  # rewritten, checksum good


def test_a_snapshot_of_another_shape_is_ignored(fresh, monkeypatch):
    parsed = sources.builtin_layers()
    (snapshot,) = fresh.iterdir()
    cache.write(snapshot.name, marshal.dumps([("built-in:x.toml", [["too", "short"]])]))
    monkeypatch.setattr(sources, "_BUILTIN_CACHE", None)
    assert sources.builtin_layers() == parsed


def test_shipped_scores_are_kept_parsed_too(tmp_path, monkeypatch):
    from distillcost.capability import sources as scores

    monkeypatch.setenv("DISTILLCOST_CACHE_DIR", str(tmp_path / "cache"))
    scores._builtin.cache_clear()
    parsed = scores.builtin_score_layers()
    assert [p.name[:7] for p in (tmp_path / "cache").iterdir()] == ["scores-"]

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed the shipped scores again")

    scores._builtin.cache_clear()
    monkeypatch.setattr(scores.ScoreRegistry, "text", no_parsing)
    again = scores.builtin_score_layers()
    scores._builtin.cache_clear()
    assert again == parsed
