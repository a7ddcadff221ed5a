"""Teachers as they behave (issue 10): hidden reasoning per teacher, usage-tier limits,
availability, and files that drive the scenario.

Expected figures are worked by hand in the comments from the published prices, the
published rate limits and the shipped reasoning profiles (``pricing/reasoning.toml``:
o4-mini measured at high, 77 / 543 / 3,832 reasoning tokens per completion; effort
scale low 0.3, medium 0.6, high 1), never read back from the estimator.
"""

from __future__ import annotations

import fnmatch
import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from distillcost.estimator import estimate
from distillcost.prices import load_prices
from distillcost.prices.teachers import TeacherBook, star_match
from distillcost.scenario import Scenario

TABLE = load_prices(fallback=False)
CHATS = str(Path(__file__).resolve().parent.parent / "examples" / "sample-chat.jsonl")
TODAY = "2026-11-27"  # the date the comparison was made on
PLAIN = ["--examples", "500k", "--prompt-tokens", "150", "--completion-tokens", "400"]
# gpt-4o-mini, 100k requests of 150 + 400 tokens, on the date
MINI = ["-m", "gpt-4o-mini", "--examples", "100k", "--prompt-tokens", "150"]
MINI += ["--completion-tokens", "400", "--as-of", TODAY]


def invoke(runner, cli, *args: str):
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def as_json(runner, cli, *args: str) -> dict:
    return json.loads(invoke(runner, cli, *args, "--format", "json").output)


def run(teacher: str, day: str, **values):
    return estimate(
        Scenario.from_values({"teacher": teacher, "as_of": date.fromisoformat(day), **values}),
        TABLE,
    )


def reasons(name: str) -> bool:
    return TABLE.get(name).reasoning in ("optional", "always")


# ---------------------------------------------------------------- compare --all, today


@pytest.fixture(scope="module")
def compared() -> dict:
    from click.testing import CliRunner

    from distillcost.cli import cli

    return as_json(CliRunner(), cli, "compare", *PLAIN, "--all", "--as-of", TODAY)


def test_compare_all_ranks_no_free_preview_or_experimental_model(compared):
    for row in compared["rows"]:
        model = TABLE.get(row["teacher"])
        price = model.price_on(date.fromisoformat(TODAY))
        assert model.status == "ga", row["teacher"]
        assert price.input + price.output > 0, row["teacher"]
        assert row["status"] == "ga"
    # the first-ranked model is listed apart, free and experimental
    unranked = {row["teacher"]: row for row in compared["unranked"]}
    assert unranked["gemini-2.0-flash-thinking-exp-01-21"]["rank"] is None
    assert "experimental, not ranked" in unranked["gemini-2.0-flash-thinking-exp-01-21"]["reason"]
    # its rate caps are noted where the presets publish them (Gemini 2.5 Pro's free tier)
    assert "rpm 5, rpd 25" in unranked["gemini-2.5-pro-exp-03-25"]["reason"]


def test_compare_all_prices_reasoning_teachers_with_a_stated_assumption(compared):
    assumptions = compared["assumptions"]
    checked = 0
    for row in compared["rows"]:
        reasoning = assumptions[row["teacher"]]["reasoning"]
        if not reasons(row["teacher"]):
            assert D(row["reasoning_tokens"]) == 0 and row["reasoning"] == "—"
            continue
        # every reasoning teacher states what it assumed, and calls it an assumption
        assert reasoning["reasons"] is True
        assert reasoning["basis"] == "profile"
        assert reasoning["assumption"]
        if reasoning["effort"] != "none":  # reasons by default: never priced at zero
            assert D(row["reasoning_tokens"]) > 0
            assert "an assumption" in reasoning["assumption"]
            assert row["reasoning"].endswith("*")
            checked += 1
        else:  # reasons only when asked (Claude, Flash-Lite, deepseek-chat …): said so
            assert "reasons only when asked" in reasoning["assumption"]
            assert row["reasoning"] == "off"
    assert checked > 40
    # the examples: o3 no longer ties gpt-4.1, deepseek-reasoner is not deepseek-chat
    rows = {row["teacher"]: row for row in compared["rows"]}
    # gpt-4.1: 500k x (150 x $2 + 400 x $8) / 1M = $1,750; o3 (same prices) adds medium
    # reasoning: 543 x 0.6 = 325.8 -> 326 tokens x 500k x $8 / 1M = $1,304
    assert D(rows["gpt-4.1"]["total_usd"]) == D(1750)
    assert D(rows["o3"]["total_usd"]) == D(1750) + D(1304)


def test_compare_text_marks_reasoning_and_lists_the_unranked(runner, cli):
    text = invoke(runner, cli, "compare", *PLAIN, "--all", "--as-of", TODAY).output
    ranked, _, rest = text.partition("Not ranked: preview, experimental or free")
    assert "gemini-2.0-flash-thinking-exp-01-21" not in ranked
    assert "gemini-2.0-flash-thinking-exp-01-21" in rest
    assert "medium 326*" in ranked  # o3, gpt-5 …: effort, tokens, * = assumption
    assert "* = an assumption from its reasoning profile" in ranked
    assert "Retiring within 90 days" in text and "claude-sonnet-4-5-20250929 (2026-11-30)" in text


def test_include_preview_ranks_them(runner, cli):
    data = as_json(
        runner,
        cli,
        "compare",
        *PLAIN,
        "--as-of",
        TODAY,
        "--include-preview",
        "--models",
        "gemini-2.0-flash-thinking-exp-01-21,gpt-4o-mini",
    )
    assert [row["teacher"] for row in data["rows"]] == [
        "gemini-2.0-flash-thinking-exp-01-21",
        "gpt-4o-mini",
    ]
    assert data["unranked"] == []


# ---------------------------------------------------------------- reasoning effort and tokens


def totals(data: dict) -> dict[str, D]:
    return {row["teacher"]: D(row["total_usd"]) for row in data["rows"]}


def test_swapping_effort_moves_only_reasoning_models(runner, cli):
    models = "o3,gpt-5-nano,gpt-4.1,gpt-4o-mini,claude-haiku-4-5,deepseek-v3.2,mistral-large-2512"
    base = ["compare", *PLAIN, "--as-of", TODAY, "--models", models]
    low = totals(as_json(runner, cli, *base, "--reasoning-effort", "low"))
    high = totals(as_json(runner, cli, *base, "--reasoning-effort", "high"))
    moved = {name for name in low if low[name] != high[name]}
    assert moved, "no model moved"
    assert all(reasons(name) for name in moved)
    for name in ("gpt-4.1", "gpt-4o-mini", "mistral-large-2512"):  # no reasoning: unmoved
        assert low[name] == high[name]
    # o3 ($8 per 1M output): high 543, low 543 x 0.3 = 162.9 -> 163 tokens per completion;
    # 500k x (543 - 163) x $8 / 1M = $1,520
    assert high["o3"] - low["o3"] == D(1520)
    # claude-haiku-4-5 reasons only when asked: both efforts turn thinking on, and move it
    assert "claude-haiku-4-5-20251001" in moved


def test_reasoning_tokens_apply_to_reasoning_models_only(runner, cli):
    base = ["compare", *PLAIN, "--as-of", TODAY, "--models", "gpt-4o-mini,o3"]
    given = totals(as_json(runner, cli, *base, "--reasoning-tokens", "800"))
    plain = totals(as_json(runner, cli, *base))
    # gpt-4o-mini does not reason: 500k x (150 x $0.15 + 400 x $0.60) / 1M = $131.25 either way
    assert given["gpt-4o-mini"] == plain["gpt-4o-mini"] == D("131.25")
    # o3: 500k x (150 x $2 + 400 x $8 + 800 x $8) / 1M = $4,950
    assert given["o3"] == D(4950)
    text = invoke(
        runner,
        cli,
        "estimate",
        "-m",
        "gpt-4o-mini",
        *PLAIN,
        "--as-of",
        TODAY,
        "--reasoning-tokens",
        "800",
    ).output
    assert "not applied: gpt-4o-mini does not reason" in text


def test_deepseek_reasoner_is_priced_with_its_thinking():
    # both $0.28 / $0.42 from 2025-12-01; the reasoner thinks (R1-0528's 1,299 tokens,
    # no effort setting), the chat name does not: 10k x 1,299 x $0.42 / 1M = $5.4558
    common = {"examples": 10_000, "prompt_tokens": 150, "completion_tokens": 400}
    chat = run("deepseek-chat", "2026-01-15", **common)
    reasoner = run("deepseek-reasoner", "2026-01-15", **common)
    assert chat.tokens["reasoning"] == 0
    assert reasoner.tokens["reasoning"] == 10_000 * 1299
    assert reasoner.total_usd - chat.total_usd == D("5.4558")


def test_deepseek_v4_thinks_by_default_as_its_api_does_and_none_turns_it_off():
    # deepseek-v4-flash on 2026-09-01: $0.44 in / $1.32 out; thinking is the API default,
    # priced with R1-0528's 1,299 tokens (an assumption): 10k x 1,299 x $1.32 / 1M = $17.1468
    common = {"examples": 10_000, "prompt_tokens": 150, "completion_tokens": 400}
    thinking = run("deepseek-v4-flash", "2026-09-01", **common)
    off = run("deepseek-v4-flash", "2026-09-01", reasoning_effort="none", **common)
    assert thinking.tokens["reasoning"] == 10_000 * 1299
    assert off.tokens["reasoning"] == 0
    assert thinking.total_usd - off.total_usd == D("17.1468")
    assert thinking.reasoning.profile == "deepseek-v4"
    # deepseek-chat serves V4's non-thinking mode (DeepSeek pricing page, 2026-04-25)
    assert run("deepseek-chat", "2026-05-01", **common).tokens["reasoning"] == 0


def test_gpt_5_nano_batch_pays_for_its_default_reasoning():
    # the issue: gpt-5-nano came first with --batch, as if it did not reason. Batch $0.025 /
    # $0.20: 500k x (150 x 0.025 + (400 + 326) x 0.20) / 1M = $74.475
    result = run(
        "gpt-5-nano", TODAY, examples=500_000, prompt_tokens=150, completion_tokens=400, batch=True
    )
    assert result.total_usd == D("74.475")
    assert result.reasoning.effort == "medium" and result.reasoning.tokens.base == 326
    # the range: low end 77 x 0.6 = 46, high end 3,832 x 0.6 = 2,299 tokens
    assert (result.reasoning.tokens.low, result.reasoning.tokens.high) == (46, 2299)


def test_an_effort_the_model_does_not_take_is_priced_at_the_nearest_and_said():
    common = {"examples": 1000, "prompt_tokens": 100, "completion_tokens": 100}
    # o3 takes low/medium/high: xhigh -> high (543)
    result = run("o3", TODAY, reasoning_effort="xhigh", **common)
    assert result.reasoning.effort == "high" and result.reasoning.tokens.base == 543
    assert any("does not take reasoning effort xhigh" in n for n in result.notes)
    # o3 always reasons: none cannot turn it off (its default, medium, is priced)
    result = run("o3", TODAY, reasoning_effort="none", **common)
    assert result.reasoning.tokens.base == 326
    assert any("cannot turn it off" in n for n in result.notes)
    # grok-4-0709 takes no effort setting: its one behaviour (948) whatever is asked
    result = run("grok-4-0709", "2025-09-01", reasoning_effort="low", **common)
    assert result.reasoning.tokens.base == 948
    assert any("takes no reasoning effort setting" in n for n in result.notes)


def test_none_on_a_model_whose_efforts_leave_it_out_is_priced_at_the_nearest_and_said():
    common = {"examples": 1000, "prompt_tokens": 100, "completion_tokens": 100}
    # gpt-5 takes minimal..high (no none): none -> minimal, as asking minimal prices it
    result = run("gpt-5", TODAY, reasoning_effort="none", **common)
    minimal = run("gpt-5", TODAY, reasoning_effort="minimal", **common)
    assert result.reasoning.effort == "minimal"
    assert result.reasoning.tokens == minimal.reasoning.tokens
    assert result.reasoning.tokens.base > 0
    assert any("does not take reasoning effort none" in n for n in result.notes)
    # gpt-6-sol takes low..max (the table: none not supported): none -> low
    result = run("gpt-6-sol", TODAY, reasoning_effort="none", **common)
    assert result.reasoning.effort == "low" and result.reasoning.tokens.base > 0
    assert any("it takes low, medium, high, xhigh, max" in n for n in result.notes)


def test_a_profile_in_a_user_file_wins_over_the_shipped_one(tmp_path, runner, cli, monkeypatch):
    profile = tmp_path / "mine.toml"
    profile.write_text(
        '[[profiles]]\nname = "measured-by-us"\nmodels = ["gpt-5-nano"]\n'
        'default_effort = "medium"\ndefault_source = "OpenAI API reference"\n'
        'measured_effort = "medium"\nlow = 100\nbase = 200\nhigh = 300\nbasis = "measured"\n'
        'source = "our own 1,000-request pilot"\n'
    )
    data = as_json(
        runner,
        cli,
        "estimate",
        "-m",
        "gpt-5-nano",
        *PLAIN,
        "--as-of",
        TODAY,
        "--prices",
        str(profile),
    )
    assert data["reasoning"]["profile"] == "measured-by-us"
    assert data["tokens"]["reasoning"] == str(500_000 * 200)
    # the user's config directory is a layer too (under the --prices files)
    config = tmp_path / "config"
    (config / "prices").mkdir(parents=True)
    (config / "prices" / "reasoning.toml").write_text(profile.read_text().replace("200", "250"))
    book = load_prices(fallback=False, plugins=False, user_dir=False).teachers
    assert book.profile_for(TABLE.get("gpt-5-nano")).name == "openai-gpt-5"
    monkeypatch.setenv("DISTILLCOST_CONFIG_DIR", str(config))
    user = load_prices(fallback=False, plugins=False).teachers.profile_for(TABLE.get("gpt-5-nano"))
    assert user is not None and user.base == 250


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'low = 300\nbase = 200\nhigh = 400\nbasis = "measured"\nsource = "x"',
            "low ≤ base ≤ high",
        ),
        ('low = 1\nbase = 2\nhigh = 3\nbasis = "assumption"', "an assumption must say why"),
        ('low = 1\nbase = 2\nhigh = 3\nbasis = "measured"', "must name its source"),
        ('low = 1\nbase = 2\nhigh = 3\nbasis = "guess"\nwhy = "x"', "basis"),
    ],
)
def test_a_bad_profile_is_an_error_naming_its_line(tmp_path, runner, cli, body, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[profiles]]\nname = "p"\nmodels = ["o3"]\ndefault_effort = "medium"\n'
        f'default_source = "x"\nmeasured_effort = "high"\n{body}\n'
    )
    result = runner.invoke(cli, ["prices", "validate", str(bad)])
    assert result.exit_code != 0
    assert message in result.output and "bad.toml:" in result.output


# ---------------------------------------------------------------- usage tiers


def time_of(runner, cli, *args: str) -> dict:
    data = as_json(runner, cli, "estimate", *args)
    return data


def test_tier_1_and_tier_5_wall_clocks_follow_the_published_limits(runner, cli):
    # gpt-4o-mini, OpenAI's per-model table as published 2025-10-02 (the newest copy that
    # lists it): tier 1 rpm 500, tpm 200,000, rpd 10,000; tier 5 rpm 30,000, tpm 150M.
    # 100k requests of 150 + 400 tokens (55M tokens):
    #   tier 1: rpm 100k x 60 / 500 = 12,000 s; tpm 55M x 60 / 200k = 16,500 s;
    #           rpd 100k x 86,400 / 10,000 = 864,000 s  -> binding rpd, 10 days
    #   tier 5: rpm 100k x 60 / 30,000 = 200 s; tpm 55M x 60 / 150M = 22 s -> binding rpm
    campaign = MINI
    one = time_of(runner, cli, *campaign, "--tier", "openai:1")
    five = time_of(runner, cli, *campaign, "--tier", "openai:5")
    assert one["binding_limit"] == "rpd" and D(one["wall_clock_seconds"]) == 864_000
    assert five["binding_limit"] == "rpm" and D(five["wall_clock_seconds"]) == 200
    assert D(one["wall_clock_seconds"]) / D(five["wall_clock_seconds"]) == 4320
    assert one["limits_preset"]["tier"] == "openai:1"
    assert one["limits_preset"]["effective_from"] == "2025-10-02"
    # gpt-5 (it reasons: 150 + 400 + 326 = 876 tokens a request): tier 1 rpm 500, tpm 500k;
    # tier 5 rpm 15,000, tpm 40M. rpm binds at both (12,000 s vs 10,512 s for tpm; 400 s vs
    # 131.4 s), so the ratio is the published rpm ratio, 15,000 / 500 = 30
    gpt5 = [a if a != "gpt-4o-mini" else "gpt-5" for a in campaign]
    one = time_of(runner, cli, *gpt5, "--tier", "openai:1")
    five = time_of(runner, cli, *gpt5, "--tier", "openai:5")
    assert D(one["time"]["tpm"]) == D("10512")
    assert D(one["wall_clock_seconds"]) / D(five["wall_clock_seconds"]) == 30


def test_the_output_names_the_tier_and_the_binding_limit(runner, cli):
    text = invoke(
        runner,
        cli,
        "estimate",
        *MINI,
        "--tier",
        "openai:1",
    ).output
    assert "Time (usage tier openai:1)" in text
    assert "openai:1 limits for gpt-4o-mini as published 2025-10-02: rpm 500, rpd 10,000" in text
    assert "(binding limit: rpd)" in text


def test_a_tier_without_limits_for_the_model_says_so_in_the_time_section(runner, cli):
    # the usage-tier presets publish nothing for gpt-3.5-turbo-0301 in April 2023
    text = invoke(
        runner,
        cli,
        "estimate",
        *("-m", "gpt-3.5-turbo-0301", "--as-of", "2023-04-01", "--requests", "1000"),
        *("--prompt-tokens", "100", "--completion-tokens", "100", "--tier", "openai:1"),
    ).output
    time_section = text.split("\nTime", 1)[1].split("\n\n", 1)[0]
    assert "no limits given" not in time_section
    assert "--tier openai:1 was given, but it publishes no limits for gpt-3.5-turbo-0301" in (
        time_section
    )


def test_the_tier_in_force_on_the_campaign_date_applies():
    # gpt-3.5-turbo-0125, tier 1: tpm 60,000 in the mid-2024 copy, 200,000 from autumn 2024
    common = {"examples": 1000, "prompt_tokens": 100, "completion_tokens": 100, "tier": "openai:1"}
    june = run("gpt-3.5-turbo-0125", "2024-06-01", **common)
    november = run("gpt-3.5-turbo-0125", "2024-11-01", **common)
    assert june.scenario.tpm.base == 60_000
    assert june.limits_preset.effective_from == date(2024, 5, 13)
    assert november.scenario.tpm.base == 200_000
    assert june.scenario.origin("tpm") == "tier openai:1"


def test_a_tier_the_provider_withdrew_applies_nothing_and_says_so(runner, cli):
    # Anthropic replaced Tiers 1-4 with Start / Build / Scale on 2026-06-26
    common = {"examples": 1000, "prompt_tokens": 100, "completion_tokens": 100}
    before = run("claude-sonnet-4-5", "2026-06-25", tier="anthropic:1", **common)
    assert before.limits_preset is not None and before.scenario.rpm.base == 50
    after = run("claude-sonnet-4-5", "2026-06-26", tier="anthropic:1", **common)
    assert after.limits_preset is None and after.scenario.rpm is None
    assert any("withdrew this tier on 2026-06-26" in n for n in after.notes)
    assert any("build, scale, start" in n for n in after.notes)
    listed = invoke(runner, cli, "prices", "tiers", "anthropic", "--as-of", "2026-09-01").output
    assert "anthropic:start" in listed and "anthropic:1 " not in listed


def test_anthropic_itpm_and_otpm_set_the_wall_clock():
    # claude-sonnet-4-5, tier 2 as published 2025-11-24: rpm 1,000, ITPM 450,000, OTPM 90,000.
    # 20k requests of 200 in / 500 out (thinking off by default):
    #   rpm 20k x 60 / 1,000 = 1,200 s; itpm 4M x 60 / 450k = 533.33 s;
    #   otpm 10M x 60 / 90k = 6,666.667 s -> binding otpm
    result = run(
        "claude-sonnet-4-5",
        "2025-12-01",
        examples=20_000,
        prompt_tokens=200,
        completion_tokens=500,
        tier="anthropic:2",
    )
    assert result.binding_limit == "otpm"
    assert result.time == {"rpm": D(1200), "itpm": D("533.333"), "otpm": D("6666.667")}


@pytest.mark.parametrize(
    ("teacher", "tier", "rpm", "tpm", "queue"),
    [
        # each model page's table (pricing/limits/openai.toml, 2026 copies)
        ("gpt-6-sol", "openai:3", 5_000, 2_000_000, 100_000_000),
        ("gpt-6-astra", "openai:1", 500, 500_000, 1_500_000),
        ("gpt-5.6-sol", "openai:5", 15_000, 40_000_000, 15_000_000_000),
        ("gpt-5.6-terra", "openai:2", 5_000, 1_000_000, 3_000_000),
        ("gpt-5.4-pro", "openai:1", 50, 50_000, 900_000),
        ("gpt-5.4-mini", "openai:4", 10_000, 10_000_000, 1_000_000_000),
        ("gpt-5.4-nano", "openai:1", 500, 200_000, 2_000_000),
    ],
)
def test_current_openai_models_have_their_published_tier_limits(teacher, tier, rpm, tpm, queue):
    # 100k requests of 150 in + 400 out, hidden reasoning fixed at 0 so a request is 550
    # tokens: rpm time = 100k x 60 / rpm, tpm time = 55M x 60 / tpm; the wall clock is the
    # larger; the tier's batch queue is the page's 'Batch queue limit'.
    result = run(
        teacher,
        TODAY,
        examples=100_000,
        prompt_tokens=150,
        completion_tokens=400,
        reasoning_tokens=0,
        tier=tier,
    )
    by_rpm = D(100_000 * 60) / rpm
    by_tpm = D(55_000_000 * 60) / tpm
    assert result.time["rpm"] == by_rpm.quantize(D("0.001"))
    assert result.time["tpm"] == by_tpm.quantize(D("0.001"))
    assert result.binding_limit == ("rpm" if by_rpm >= by_tpm else "tpm")
    assert result.scenario.batch_queue_tokens.base == queue


def test_gpt_6_sol_at_tier_3_by_hand():
    # gpt-6-sol, openai:3 as printed on its model page: rpm 5,000, tpm 2,000,000.
    # 100k requests x 550 tokens = 55M tokens: rpm 100k x 60 / 5,000 = 1,200 s;
    # tpm 55M x 60 / 2M = 1,650 s -> binding tpm, 27.5 minutes
    result = run(
        "gpt-6-sol",
        TODAY,
        examples=100_000,
        prompt_tokens=150,
        completion_tokens=400,
        reasoning_tokens=0,
        tier="openai:3",
    )
    assert result.binding_limit == "tpm"
    assert result.time == {"rpm": D(1200), "tpm": D(1650)}
    assert result.limits_preset.effective_from == date(2026, 9, 22)


@pytest.mark.parametrize(
    ("teacher", "tier", "rpm", "itpm", "otpm"),
    [
        # Start / Build / Scale as read 2026-08-28 (pricing/limits/anthropic.toml)
        ("claude-sonnet-5", "anthropic:start", 1_000, 2_000_000, 400_000),
        ("claude-opus-5", "anthropic:build", 5_000, 5_000_000, 1_000_000),
        ("claude-fable-5", "anthropic:start", 1_000, 500_000, 100_000),
        ("claude-sonnet-4-6", "anthropic:scale", 10_000, 10_000_000, 2_000_000),
    ],
)
def test_anthropic_start_build_scale_tiers_set_the_wall_clock(teacher, tier, rpm, itpm, otpm):
    # 20k requests of 200 in / 500 out, no hidden reasoning:
    #   rpm 20k x 60 / rpm; itpm 4M x 60 / itpm; otpm 10M x 60 / otpm
    result = run(
        teacher,
        TODAY,
        examples=20_000,
        prompt_tokens=200,
        completion_tokens=500,
        reasoning_tokens=0,
        tier=tier,
    )
    expected = {
        "rpm": (D(20_000 * 60) / rpm).quantize(D("0.001")),
        "itpm": (D(4_000_000 * 60) / itpm).quantize(D("0.001")),
        "otpm": (D(10_000_000 * 60) / otpm).quantize(D("0.001")),
    }
    assert result.time == expected
    assert result.binding_limit == max(expected, key=lambda k: expected[k])
    assert result.limits_preset.effective_from == date(2026, 8, 28)


def test_claude_sonnet_5_at_the_start_tier_by_hand():
    # Start tier, Claude Sonnet 5: rpm 1,000, ITPM 2,000,000, OTPM 400,000.
    # 20k requests of 200 in / 500 out: rpm 20k x 60 / 1,000 = 1,200 s;
    # itpm 4M x 60 / 2M = 120 s; otpm 10M x 60 / 400k = 1,500 s -> binding otpm, 25 minutes
    result = run(
        "claude-sonnet-5",
        TODAY,
        examples=20_000,
        prompt_tokens=200,
        completion_tokens=500,
        reasoning_tokens=0,
        tier="anthropic:start",
    )
    assert result.binding_limit == "otpm"
    assert result.time == {"rpm": D(1200), "itpm": D(120), "otpm": D(1500)}


def test_models_without_published_tier_limits_stay_unknown():
    # no model page copy was found for gpt-5.2; Sonnet 5.5 is newer than the Start/Build/Scale copy
    for teacher, tier in (("gpt-5.2", "openai:3"), ("claude-sonnet-5-5", "anthropic:build")):
        result = run(
            teacher, TODAY, examples=1000, prompt_tokens=10, completion_tokens=10, tier=tier
        )
        assert result.limits_preset is None
        assert result.time == {}


def test_anthropic_batch_queue_counts_requests():
    # tier 2's batch queue holds 200,000 requests: 500k requests take 3 rounds of 24 h
    result = run(
        "claude-sonnet-4-5",
        "2025-12-01",
        examples=500_000,
        prompt_tokens=200,
        completion_tokens=500,
        tier="anthropic:2",
        batch=True,
    )
    assert result.time == {"batch": D(3 * 24 * 3600)}


def test_explicit_limits_win_over_the_tier(runner, cli):
    data = as_json(
        runner,
        cli,
        "estimate",
        *MINI,
        "--tier",
        "openai:5",
        "--rpm",
        "100",
    )
    # rpm 100 (yours): 100k x 60 / 100 = 60,000 s; the tier's tpm still applies
    assert D(data["wall_clock_seconds"]) == 60_000 and data["binding_limit"] == "rpm"
    assert data["limits_preset"]["overridden"] == {"rpm": 30000}
    assert data["limits_preset"]["applied"]["tpm"] == 150_000_000


def test_a_tier_per_provider_in_one_comparison(runner, cli):
    data = as_json(
        runner,
        cli,
        "compare",
        *PLAIN,
        "--as-of",
        "2025-12-01",
        "--tier",
        "openai:3",
        "--tier",
        "anthropic:2",
        "--models",
        "gpt-4o-mini,claude-sonnet-4-5,gemini-2.5-flash",
    )
    limits = {row["teacher"]: row["limits"] for row in data["rows"]}
    assert limits == {
        "gpt-4o-mini": "openai:3",
        "claude-sonnet-4-5-20250929": "anthropic:2",
        "gemini-2.5-flash": None,
    }


@pytest.mark.parametrize(
    ("tier", "message"),
    [
        ("openai:7", "openai has no tier '7' (openai's tiers: 1, 2, 3, 4, 5, free)"),
        ("opneai:3", "no usage tiers for provider 'opneai'"),
        ("9", "no provider has a tier '9'"),
    ],
)
def test_an_unknown_tier_is_one_error(runner, cli, tier, message):
    result = runner.invoke(cli, ["estimate", "-m", "gpt-4o-mini", *PLAIN, "--tier", tier])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output


def test_a_tier_file_of_ones_own_wins(tmp_path):
    mine = tmp_path / "enterprise.toml"
    mine.write_text(
        '[meta]\nprovider = "openai"\n\n[[tiers]]\nname = "5"\neffective_from = 2026-01-01\n'
        'source = "our enterprise contract"\n  [[tiers.limits]]\n  models = ["gpt-4o-mini"]\n'
        "  rpm = 100000\n"
    )
    table = load_prices([mine], fallback=False, plugins=False, user_dir=False)
    scenario = Scenario.from_values(
        teacher="gpt-4o-mini",
        examples=1000,
        prompt_tokens=10,
        completion_tokens=10,
        tier="openai:5",
        as_of=date(2026, 6, 1),
    )
    result = estimate(scenario, table)
    assert result.limits_preset.source == "our enterprise contract"
    assert result.scenario.rpm.base == 100_000 and result.scenario.tpm is None


# ---------------------------------------------------------------- availability


def test_a_model_retiring_within_the_wall_clock_warns_with_the_date():
    # claude-sonnet-4-5 retires 2026-11-30. With OTPM 8,000 (its old Tier 1 figure):
    # 200k x 500 output tokens x 60 / 8,000 = 750,000 s = 8.7 days: from 2026-11-27 the
    # campaign's last day is 2026-12-05, after the retirement
    result = run(
        "claude-sonnet-4-5",
        TODAY,
        examples=200_000,
        prompt_tokens=200,
        completion_tokens=500,
        otpm=8000,
    )
    assert result.availability.finishes is False
    assert result.availability.ends == date(2026, 12, 5)
    warning = next(n for n in result.notes if "cannot finish" in n)
    assert "retires on 2026-11-30" in warning and "2026-12-05" in warning


def test_compare_does_not_rank_a_teacher_that_retires_before_the_campaign_ends(runner, cli):
    data = as_json(
        runner,
        cli,
        "compare",
        "--examples",
        "200k",
        "--prompt-tokens",
        "200",
        "--completion-tokens",
        "500",
        "--as-of",
        TODAY,
        "--otpm",
        "8000",  # 8.7 days for either teacher (see the test above)
        "--models",
        "claude-sonnet-4-5,claude-haiku-4-5",
    )
    assert [row["teacher"] for row in data["rows"]] == ["claude-haiku-4-5-20251001"]
    gone = {u["teacher"]: u for u in data["unavailable"]}
    assert gone["claude-sonnet-4-5-20250929"]["kind"] == "retires first"
    assert "retires on 2026-11-30" in gone["claude-sonnet-4-5-20250929"]["reason"]


def test_a_retirement_within_90_days_is_warned_even_without_limits():
    result = run(
        "claude-sonnet-4-5", "2026-09-15", examples=10, prompt_tokens=10, completion_tokens=10
    )
    # 2026-09-15 -> 2026-11-30 is 76 days
    assert any("retires on 2026-11-30, 76 days after 2026-09-15" in n for n in result.notes)
    assert result.availability.finishes is None
    far = run(
        "claude-sonnet-4-5", "2026-06-01", examples=10, prompt_tokens=10, completion_tokens=10
    )
    assert not any("retires" in n for n in far.notes)


# ---------------------------------------------------------------- files drive the scenario

SHAREGPT = [
    [
        ("human", "What is the capital of France?"),
        ("gpt", "Paris."),
        ("human", "And its population?"),
        ("gpt", "About 2.1 million in the city proper."),
        ("human", "Thanks!"),
        ("gpt", "You're welcome."),
    ],
    [("system", "Answer briefly."), ("human", "2+2?"), ("gpt", "4")],
    [("human", "Name a prime."), ("gpt", "7"), ("human", "Another?"), ("gpt", "11")],
]
ROLE = {"human": "user", "gpt": "assistant", "system": "system"}


def hand_turns() -> tuple[int, int, int, int]:
    """(requests, input tokens, prompt tokens kept, output tokens) by OpenAI's recipe,
    counted with tiktoken's own encoder: a request sends 3 + every earlier message's
    3 + tokens(role) + tokens(text); it returns the assistant text."""
    from distillcost.tokens import get_encoding  # tiktoken's Encoding, vocabulary local

    enc = get_encoding("o200k_base")
    n = lambda text: len(enc.encode_ordinary(text))  # noqa: E731
    requests = inputs = kept = outputs = 0
    for conversation in SHAREGPT:
        history = prompt_side = 0
        for speaker, text in conversation:
            message = 3 + n(ROLE[speaker]) + n(text)
            if speaker == "gpt":
                requests += 1
                inputs += 3 + history
                outputs += n(text)
            else:
                prompt_side += message
            history += message
        kept += 3 + prompt_side
    return requests, inputs, kept, outputs


@pytest.fixture
def sharegpt(tmp_path: Path) -> Path:
    path = tmp_path / "chats.jsonl"
    lines = [
        json.dumps({"conversations": [{"from": s, "value": v} for s, v in conv]})
        for conv in SHAREGPT
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def one_price(tmp_path: Path) -> Path:
    table = tmp_path / "m1.csv"
    table.write_text(
        "id,provider,effective_from,input,output,source,encoding\n"
        "m1,openai,2024-01-01,1,2,s,o200k_base\n"
    )
    return table


@pytest.fixture
def priced_chats(runner, cli, sharegpt, one_price):
    """The estimate of the ShareGPT file by m1 ($1 / $2 per 1M), with more flags."""

    def estimate_file(*flags: str) -> dict:
        common = ["-m", "m1", "--prices", str(one_price), "--as-of", "2025-01-01"]
        return as_json(runner, cli, "estimate", *common, "--chat-file", str(sharegpt), *flags)

    return estimate_file


def test_a_multi_turn_sharegpt_file_alone_is_priced_per_turn(priced_chats):
    requests, inputs, kept, outputs = hand_turns()
    assert (requests, len(SHAREGPT)) == (6, 3)  # 3 + 1 + 2 assistant turns
    data = priced_chats()
    # no volume given: every assistant turn of the file's 3 conversations, once
    assert data["requests"] == requests
    assert D(data["accepted_examples"]) == 3
    assert D(data["tokens"]["input_uncached"]) == inputs
    assert D(data["tokens"]["output"]) == outputs
    # $1 per 1M input, $2 per 1M output
    assert D(data["total_usd"]) == (D(inputs) + 2 * D(outputs)) / 1_000_000
    # the dataset keeps each conversation once: prompt side + replies
    assert D(data["dataset_tokens"]) == kept + outputs
    assert any("priced one request per assistant turn" in n for n in data["notes"])
    assert any("no volume given" in n for n in data["notes"])


def test_one_shot_regenerates_each_conversation_in_one_request(priced_chats):
    _, _, kept, outputs = hand_turns()
    data = priced_chats("--one-shot")
    assert data["requests"] == 3
    assert D(data["tokens"]["input_uncached"]) == kept  # the prompt side, sent once
    assert D(data["tokens"]["output"]) == outputs


def test_a_multi_turn_file_and_a_volume_scale_the_measured_turns(priced_chats):
    requests, inputs, _, outputs = hand_turns()
    data = priced_chats("--examples", "300")
    # 300 conversations like the file's 3: 100x its turns and tokens
    assert data["requests"] == 100 * requests
    assert D(data["tokens"]["input_uncached"]) == 100 * inputs
    assert D(data["tokens"]["output"]) == 100 * outputs
    # the assumptions say the turns were measured (6 / 3 = 2), not "turns 1 default"
    turns = next(a for a in data["assumptions"] if a["name"] == "turns")
    assert (D(turns["value"]), turns["origin"]) == (D(requests) / len(SHAREGPT), "measured")


def test_a_chat_file_without_volume_is_the_volume(runner, cli):
    # the issue: estimate -m claude-sonnet-4-5 --chat-file chats.jsonl --batch failed with
    # "no volume". sample-chat.jsonl holds 20 conversations, one of them with two turns
    text = invoke(
        runner,
        cli,
        "estimate",
        "-m",
        "claude-sonnet-4-5",
        "--chat-file",
        CHATS,
        "--batch",
        "--as-of",
        "2025-12-01",
    ).output
    assert "requests = 22: no volume given" in text
    assert "every assistant turn of its 20 conversations" in text


def test_count_and_estimate_accept_the_same_models(runner, cli):
    names = ["claude-sonnet-4-5", "gpt-4o", "gemini-2.5-flash", "groq/llama-3.3-70b-versatile"]
    for name in names:
        counted = runner.invoke(cli, ["count", "--model", name, CHATS])
        assert counted.exit_code == 0, counted.output
        for flag in ("-m", "--teacher", "--model"):
            estimated = runner.invoke(
                cli, ["estimate", flag, name, *PLAIN, "--as-of", "2025-12-01", "-f", "json"]
            )
            assert estimated.exit_code == 0, estimated.output
            assert json.loads(estimated.output)["teacher"] == TABLE.get(name).id


@pytest.mark.parametrize("command", ["estimate", "history", "sweep", "report"])
def test_model_is_accepted_wherever_teacher_is(runner, cli, command, tmp_path):
    extra = {"sweep": ["--vary", "examples=1k..2k:2"], "report": ["-o", str(tmp_path / "r.md")]}
    result = runner.invoke(
        cli, [command, "--model", "gpt-4o-mini", *PLAIN, *extra.get(command, [])]
    )
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- the shipped teacher data


def test_every_shipped_teacher_file_validates():
    from importlib import resources

    from distillcost.prices import validate_price_files

    files = [resources.files("distillcost.pricing").joinpath("reasoning.toml")]
    limits = resources.files("distillcost.pricing.limits")
    files += [p for p in limits.iterdir() if p.name.endswith(".toml")]
    assert len(files) == 7
    assert validate_price_files([str(f) for f in files]) == []
    for f in files:
        assert "/work/" not in f.read_text(encoding="utf-8")  # no local paths in sources


def test_every_reasoning_model_has_a_profile_of_its_own():
    book: TeacherBook = TABLE.teachers
    for model in TABLE:
        if model.reasoning in ("optional", "always"):
            profile = book.profile_for(model)
            assert profile is not None and profile.models != ("*",), model.id


def test_each_base_is_the_geometric_mean_the_file_says_it_is():
    # the file documents base = round(sqrt(low x high)) as its assumption
    from math import isqrt

    for profile in TABLE.teachers.profiles:
        if profile.high:
            product = profile.low * profile.high
            root = isqrt(product)
            nearest = root + 1 if (root + 1) ** 2 - product < product - root**2 else root
            assert profile.base == nearest, profile.name


def test_no_profile_presents_an_assumption_as_measured_without_saying_what_stands_in():
    for profile in TABLE.teachers.profiles:
        if profile.basis == "assumption":
            assert profile.why
        else:
            assert profile.source and profile.measured_model


# ---------------------------------------------------------------- prices tiers / reasoning


def test_prices_tiers_lists_what_tier_applies(runner, cli):
    data = as_json(runner, cli, "prices", "tiers", "openai:1", "--as-of", TODAY)
    rows = {row["model"]: row for row in data["rows"]}
    # the same figures an estimate with --tier openai:1 applies (2025-10-02 copy)
    assert (rows["gpt-4o-mini"]["rpm"], rows["gpt-4o-mini"]["tpm"]) == (500, 200_000)
    assert rows["gpt-4o-mini"]["effective_from"] == "2025-10-02"
    assert {row["tier"] for row in data["rows"]} == {"openai:1"}
    result = runner.invoke(cli, ["prices", "tiers", "nosuch:1"])
    assert result.exit_code == 1 and "no usage tiers for provider 'nosuch'" in result.output


def test_prices_reasoning_lists_what_estimates_assume(runner, cli):
    data = as_json(runner, cli, "prices", "reasoning", "o3", "gpt-4o", "--effort", "low")
    rows = {row["model"]: row for row in data["rows"]}
    # o4-mini's figures at high (77 / 543 / 3,832) x 0.3
    assert (rows["o3"]["low"], rows["o3"]["base"], rows["o3"]["high"]) == ("23", "163", "1150")
    assert rows["gpt-4o"]["reasoning"] == "none"


@given(
    name=st.text(alphabet="ab-./", max_size=8),
    pattern=st.text(alphabet="ab-./*", max_size=8),
)
def test_profile_patterns_match_as_shell_stars_do(name, pattern):
    # a second method: fnmatch, on names without its other syntax ([, ?)
    assert star_match(name, pattern) == fnmatch.fnmatchcase(name, pattern)


def test_the_teacher_files_are_kept_in_the_start_up_cache(tmp_path, monkeypatch):
    from distillcost.prices import shipped

    monkeypatch.setenv("DISTILLCOST_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(shipped, "_CACHE", None)
    parsed = shipped.shipped_teacher_layers()
    assert [p.name[:9] for p in tmp_path.iterdir()] == ["teachers-"]

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed the teacher files again")

    monkeypatch.setattr(shipped, "_CACHE", None)
    monkeypatch.setattr(shipped, "parse_text", no_parsing)
    again = shipped.shipped_teacher_layers()
    assert again == parsed  # every profile, scale, tier and row, read back whole
    assert [origin for origin, _ in again] == [origin for origin, _ in parsed]
