"""`prices audit`: the curated tables compared with genai-prices and LiteLLM's map."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace

from distillcost.present import UNDATED
from distillcost.prices import ModelRecord, PriceEntry
from distillcost.prices.audit import audit, is_chat, missing
from distillcost.prices.formats.genai import genai_records, genai_version, sells_media
from distillcost.prices.model import Dispute, ServiceTier, TimeWindow

GENAI = "genai-prices 0.2.3"


def entry(day: date, **kw) -> PriceEntry:
    """An entry; prices given as strings become Decimals."""
    prices = {key: D(v) if isinstance(v, str) else v for key, v in kw.items()}
    return PriceEntry(effective_from=day, source="test", **prices)


def model(id_: str, *entries: PriceEntry, provider: str = "openai", **kw) -> ModelRecord:
    return ModelRecord(id_, provider, tuple(entries), **kw)


OURS = model(
    "m",
    entry(date(2025, 1, 1), input="2", output="8", cached_input="0.5"),
    entry(date(2025, 6, 1), input="1", output="4", cached_input="0.25", batch_input="0.5",
          batch_output="2"),
    aliases=("m-latest",),
)  # fmt: skip


def test_each_price_the_other_dataset_gives_differently_is_one_row():
    theirs = model(
        "m-latest",  # matched through our alias
        entry(UNDATED, input="2", output="9"),  # output differs before the cut
        entry(date(2025, 6, 1), input="1", output="4", cached_input="0.3"),
    )
    rows, compared = audit([OURS], [theirs], GENAI, date(2025, 7, 1))
    assert compared == 1
    found = {(r.field, r.ours, r.theirs, r.day) for r in rows}
    # compared on their dated change (2025-06-01) and on the audit date: the 0.3 cached
    # price disagrees on both, reported once, on the first day; their undated 9 is in
    # force on neither date (their 2025-06-01 entry replaces it), so it is not compared
    assert found == {("cached_input", D("0.25"), D("0.3"), date(2025, 6, 1))}
    assert rows[0].our_since == rows[0].their_since == date(2025, 6, 1)
    assert not rows[0].recorded


def test_a_price_only_the_curated_table_gives_is_not_a_disagreement():
    theirs = model("m", entry(UNDATED, input="1", output="4"))
    assert audit([OURS], [theirs], GENAI, date(2025, 7, 1))[0] == []


def test_a_price_the_curated_table_lacks_is_a_disagreement_with_ours_missing():
    theirs = model("m", entry(UNDATED, input="1", output="4", cache_write="1.25"))
    rows, _ = audit([OURS], [theirs], GENAI, date(2025, 7, 1))
    assert [(r.field, r.ours, r.theirs) for r in rows] == [("cache_write", None, D("1.25"))]


def test_a_dispute_records_a_disagreement_only_for_the_same_dataset_field_and_value():
    why = "genai-prices has 0.3; the provider's page of 2025-06-01 says 0.25"
    disputed = model(
        "m",
        entry(date(2025, 6, 1), input="1", output="4", cached_input="0.25",
              disputes=(Dispute("genai-prices", "cached_input", D("0.3"), why),)),
    )  # fmt: skip
    theirs = model("m", entry(UNDATED, input="1", output="4", cached_input="0.3"))
    rows, _ = audit([disputed], [theirs], GENAI, date(2025, 7, 1))
    assert [r.recorded for r in rows] == [why]
    # the dataset changed its value: the old record no longer covers it
    moved = model("m", entry(UNDATED, input="1", output="4", cached_input="0.31"))
    assert [r.recorded for r in audit([disputed], [moved], GENAI, date(2025, 7, 1))[0]] == [""]
    # another dataset's disagreement is not recorded by a genai-prices dispute
    other = audit([disputed], [theirs], "litellm (map.json)", date(2025, 7, 1))[0]
    assert [r.recorded for r in other] == [""]


def test_models_match_by_provider_and_exact_name_only():
    theirs = [
        model("m", entry(UNDATED, input="9", output="9"), provider="openrouter"),
        model("m-2", entry(UNDATED, input="9", output="9")),
    ]
    assert audit([OURS], theirs, GENAI, date(2025, 7, 1)) == ([], 0)
    # provider names as the other dataset spells them: our xai is genai-prices' x-ai
    grok = model("g", entry(date(2025, 1, 1), input="3", output="15"), provider="xai")
    theirs_grok = model("g", entry(UNDATED, input="3", output="16"), provider="x-ai")
    rows, compared = audit([grok], [theirs_grok], GENAI, date(2025, 7, 1))
    assert compared == 1 and [r.field for r in rows] == ["output"]
    # a host's model: our id carries the host, theirs does not
    hosted = model("together/x/y", entry(date(2025, 1, 1), input="1", output="1"),
                   provider="together")  # fmt: skip
    theirs_hosted = model("x/y", entry(UNDATED, input="1", output="2"), provider="together")
    assert [r.theirs for r in audit([hosted], [theirs_hosted], GENAI, date(2025, 7, 1))[0]] == [
        D(2)
    ]


def test_service_tier_kinds_the_tier_does_not_list_compare_at_the_rate_billed():
    # ours lists priority input/output at 2x; cached input moves by the input ratio:
    # 0.25 x 2 = 0.5, the figure the dataset lists
    ours = model(
        "m",
        entry(date(2025, 1, 1), input="1", output="4", cached_input="0.25",
              service_tiers=(ServiceTier("priority", D(2), D(8)),)),
    )  # fmt: skip

    def theirs(cached_priority: str) -> ModelRecord:
        tier = ServiceTier("priority", D(2), D(8), cached_input=D(cached_priority))
        return model("m", entry(UNDATED, input="1", output="4", cached_input="0.25",
                                service_tiers=(tier,)))  # fmt: skip

    assert audit([ours], [theirs("0.5")], GENAI, date(2025, 7, 1))[0] == []
    rows = audit([ours], [theirs("0.4")], GENAI, date(2025, 7, 1))[0]
    assert [(r.field, r.ours, r.theirs) for r in rows] == [
        ("priority cached_input", D("0.5"), D("0.4"))
    ]


def test_an_off_peak_price_listed_as_the_list_price_agrees_with_our_window():
    # genai-prices lists DeepSeek's off-peak price as the dated price
    ours = model(
        "d",
        entry(date(2026, 8, 16), input="0.44", output="1.32",
              windows=(TimeWindow("off-peak", "10:00-01:00", input=D("0.22"), output=D("0.66")),)),
        provider="deepseek",
    )  # fmt: skip
    theirs = model("d", entry(date(2026, 8, 17), input="0.22", output="0.66"), provider="deepseek")
    assert audit([ours], [theirs], GENAI, date(2026, 9, 1))[0] == []


def test_the_cli_lists_unrecorded_disagreements_and_exits_1(runner, cli, tmp_path: Path):
    litellm = tmp_path / "map.json"
    # gpt-4o on 2025-01-01 is $2.50 / $10 (OpenAI pricing, from 2024-10-01); this map says 11
    litellm.write_text(
        json.dumps(
            {
                "gpt-4o": {
                    "litellm_provider": "openai",
                    "mode": "chat",
                    "input_cost_per_token": "0.0000025",
                    "output_cost_per_token": "0.000011",
                }
            }
        ),
        encoding="utf-8",
    )
    args = ["prices", "audit", "--as-of", "2025-01-01", "--provider", "openai"]
    result = runner.invoke(cli, [*args, "--litellm", str(litellm), "-f", "json"])
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    mine = [r for r in rows if r["dataset"].startswith("litellm")]
    assert [(r["model"], r["field"], r["ours"], r["theirs"]) for r in mine] == [
        ("gpt-4o", "output", "10", "11")
    ]
    assert "not recorded in the tables" in result.stderr.splitlines()[-1]


def test_a_retired_model_is_compared_on_its_last_day_on_sale():
    # retired 2024-01-04: on the audit date it is no longer sold, but the dataset's undated
    # price (LiteLLM 1.14 listed text-davinci-003 at 2.0 instead of 20) is still its claim
    # for the days it was sold, so the last of them (2024-01-03) is compared
    retired = model("old", entry(date(2022, 11, 28), input="20", output="20"),
                    retired=date(2024, 1, 4))  # fmt: skip
    theirs = model("old", entry(UNDATED, input="2", output="20"))
    rows, _ = audit([retired], [theirs], "litellm (map.json)", date(2026, 11, 27))
    assert [(r.field, r.ours, r.theirs, r.day) for r in rows] == [
        ("input", D(20), D(2), date(2024, 1, 3))
    ]
    # retired after the audit date: only the audit date itself counts
    later = model("old", entry(date(2022, 11, 28), input="20", output="20"),
                  retired=date(2030, 1, 1))  # fmt: skip
    assert [r.day for r in audit([later], [theirs], GENAI, date(2026, 11, 27))[0]] == [
        date(2026, 11, 27)
    ]


def test_litellm_files_openai_completion_models_under_a_second_provider_name():
    ours = model("davinci-002", entry(date(2023, 8, 22), input="2", output="2"))
    theirs = model("davinci-002", entry(UNDATED, input="2", output="3"),
                   provider="text-completion-openai")  # fmt: skip
    rows, compared = audit([ours], [theirs], "litellm (map.json)", date(2025, 1, 1))
    assert compared == 1 and [(r.field, r.theirs) for r in rows] == [("output", D(3))]


# ---------------------------------------------------------------- --missing


def test_missing_lists_chat_models_of_covered_providers_the_tables_lack():
    theirs = [
        model("m-latest", entry(UNDATED, input="1", output="4")),  # our alias: known
        model(
            "new-model",
            entry(UNDATED, input="3", output="15", cached_input="0.3"),
            aliases=("new-model-2026-10-01",),
        ),
        model("known-elsewhere", entry(UNDATED, input="1", output="1")),  # ours under x
        model("gpt-image-9", entry(UNDATED, input="5", output="40")),  # media by its name
        model("text-embedding-9", entry(UNDATED, input="0.1", output="0")),
        model("not-yet", entry(date(2027, 1, 1), input="1", output="1")),  # priced later
        model("gone", entry(UNDATED, input="1", output="1"), retired=date(2026, 1, 1)),
        model("other-host-model", entry(UNDATED, input="1", output="1"), provider="openrouter"),
    ]
    ours = [OURS, model("known-elsewhere", entry(date(2025, 1, 1), input="1", output="1"),
                        provider="x")]  # fmt: skip
    rows = missing(ours, theirs, GENAI, date(2026, 11, 27))
    assert [(r.provider, r.model, r.input, r.output, r.cached_input, r.also) for r in rows] == [
        ("openai", "new-model", D(3), D(15), D("0.3"), ("new-model-2026-10-01",))
    ]
    assert rows[0].since is None  # the dataset gives the price no date


def test_missing_names_media_models_by_their_words():
    for name in ("gpt-4o-mini-tts", "gpt-realtime", "gemini-2.0-flash-live-001", "whisper-1",
                 "gpt-4o-transcribe", "imagen-4", "veo-3", "omni-moderation-latest"):  # fmt: skip
        assert not is_chat(model(name, entry(UNDATED, input="1", output="1"))), name
    for name in ("gpt-5.6-sol", "claude-opus-4-5", "gemini-3.8-flash", "kimi-k3", "deliver-x"):
        assert is_chat(model(name, entry(UNDATED, input="1", output="1"))), name


def test_genai_models_priced_for_media_output_are_not_chat_models():
    from genai_prices import types

    def info(**prices):
        return SimpleNamespace(prices=types.ModelPrice(**prices), price_variants=None)

    assert sells_media(info(input_mtok=D(1), output_mtok=D(5), output_image_mtok=D(30)))
    assert sells_media(info(input_audio_hours=D("0.24"), audio_hours=D("0.24")))
    assert not sells_media(info(input_mtok=D(1), output_mtok=D(5), cache_read_mtok=D("0.1")))


def test_the_cli_lists_missing_models_and_exits_0(runner, cli, tmp_path: Path):
    litellm = tmp_path / "map.json"
    litellm.write_text(
        json.dumps(
            {
                "gpt-4o": {
                    "litellm_provider": "openai",
                    "mode": "chat",
                    "input_cost_per_token": 2.5e-06,
                    "output_cost_per_token": 1e-05,
                },
                "gpt-99": {
                    "litellm_provider": "openai",
                    "mode": "chat",
                    "input_cost_per_token": 4e-06,
                    "output_cost_per_token": 2e-05,
                },
                "gpt-99-tts": {
                    "litellm_provider": "openai",
                    "mode": "chat",
                    "input_cost_per_token": 4e-06,
                    "output_cost_per_token": 2e-05,
                },
            }
        ),
        encoding="utf-8",
    )
    args = ["prices", "audit", "--missing", "--as-of", "2026-11-27", "--provider", "openai"]
    result = runner.invoke(cli, [*args, "--litellm", str(litellm), "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    mine = [(r["model"], r["input"], r["output"]) for r in rows if r["dataset"].startswith("lit")]
    # gpt-4o is curated; the tts model is no chat model; 4e-06 x 1e6 = 4, 2e-05 x 1e6 = 20
    assert mine == [("gpt-99", "4", "20")]
    assert all(r["provider"] == "openai" for r in rows)
    assert "chat models the curated tables lack (openai)" in result.stderr


# ---------------------------------------------------------------- the shipped tables


def test_the_shipped_tables_record_every_disagreement_with_the_pinned_genai_prices():
    """`prices audit` on the shipped tables and the pinned genai-prices: nothing open.

    After upgrading genai-prices, run `distillcost prices audit` and triage each row
    (fix the entry from the provider's page, or record a dispute with evidence).
    """
    from distillcost.prices import load_prices

    assert genai_version() == "0.2.3", "the test extra pins genai-prices; update this test with it"
    table = load_prices(plugins=False, user_dir=False, fallback=False)
    rows, compared = audit(list(table), genai_records(), GENAI, date(2026, 11, 27))
    unrecorded = [
        f"{r.model} {r.field}: ours {r.ours}, genai-prices {r.theirs} on {r.day}"
        for r in rows
        if not r.recorded
    ]
    assert unrecorded == [], "\n".join(unrecorded)
    assert compared > 150  # the match still finds the curated models in the dataset
    assert any(r.recorded for r in rows)  # and the recorded disputes still apply
