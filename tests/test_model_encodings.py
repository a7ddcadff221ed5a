"""Model -> encoding comes from the price table alone (count --model, estimate -m agree)."""

from __future__ import annotations

import pytest
import tiktoken

from distillcost.errors import UnknownModelError
from distillcost.prices import encoding_for_model, load_prices


@pytest.fixture(scope="module")
def table():
    return load_prices(plugins=False, user_dir=False)


def test_shipped_openai_encodings_agree_with_tiktoken(table):
    # tiktoken's own model map is an independent source for OpenAI's encodings
    checked = 0
    for record in table:
        if record.provider != "openai" or record.tokenizer_approximate:
            continue
        for name in (record.id, *record.aliases):
            try:
                expected = tiktoken.encoding_name_for_model(name)
            except KeyError:
                continue  # a model newer than this tiktoken
            if expected == "gpt2":  # tiktoken's gpt2 has exactly r50k_base's ranks
                expected = "r50k_base"
            assert record.encoding == expected, name
            checked += 1
    assert checked >= 20


def test_every_model_an_estimate_accepts_has_an_encoding(table):
    for record in table:
        for name in (record.id, *record.aliases):
            encoding, note = encoding_for_model(name, table)
            assert encoding == record.encoding
            assert bool(note) == record.tokenizer_approximate


def test_fine_tunes_and_router_names_count_as_their_base_model(table):
    assert encoding_for_model("ft:gpt-4o-mini-2024-07-18:org:name:abc123", table)[0] == (
        table.get("gpt-4o-mini-2024-07-18").encoding
    )
    assert encoding_for_model("openai/gpt-4.1", table)[0] == table.get("gpt-4.1").encoding


def test_a_non_openai_model_is_counted_approximately_and_says_so(table):
    encoding, note = encoding_for_model("claude-3-5-sonnet-20241022", table)
    assert encoding == table.get("claude-3-5-sonnet-20241022").encoding
    assert "stands in for" in note and "approximate" in note


def test_unknown_model_suggests_close_matches(table):
    with pytest.raises(UnknownModelError) as err:
        encoding_for_model("gpt-4oo", table)
    assert "gpt-4o" in err.value.suggestions
    with pytest.raises(UnknownModelError, match="prices list"):
        encoding_for_model("llama-3-70b", table)


def test_count_model_accepts_what_estimate_accepts(runner, cli, tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("hello world", encoding="utf-8")
    result = runner.invoke(cli, ["count", str(path), "--model", "claude-3-5-sonnet-20241022"])
    assert result.exit_code == 0, result.output
    assert "APPROXIMATE" in result.output and "stands in for" in result.output
    exact = runner.invoke(cli, ["count", str(path), "--model", "gpt-4o", "-f", "json"])
    assert exact.exit_code == 0, exact.output
    assert '"encoding": "o200k_base"' in exact.output
