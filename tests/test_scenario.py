"""Scenarios: ranges, TOML loading, flag overrides, provenance and validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from distillcost.errors import ScenarioError
from distillcost.ranges import Range, RangeError, parse_number
from distillcost.scenario import NUMERIC_PARAMETERS, VOLUME_FIELDS, Scenario, load_scenario

# -- ranges -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500", D(500)),
        ("52k", D(52_000)),
        ("1M", D(1_000_000)),
        ("1B", D(1_000_000_000)),
        ("1_000_000", D(1_000_000)),
        ("1e9", D(1_000_000_000)),
        ("0.44", D("0.44")),
        ("1.5k", D(1500)),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


def test_parse_number_never_goes_through_binary_floats():
    assert parse_number(0.1) == D("0.1")
    for bad in ("abc", "nan", "inf", "", True):
        with pytest.raises(RangeError):
            parse_number(bad)


def test_range_forms():
    assert Range.parse("300..500..800") == Range(D(300), D(500), D(800))
    assert Range.parse("300..800") == Range(D(300), D(550), D(800))  # base = midpoint
    assert Range.of(7) == Range(D(7), D(7), D(7))
    assert not Range.of(7).is_range and Range.parse("1..2..3").is_range
    assert Range.of([1, 2, 3]) == Range(D(1), D(2), D(3))
    assert Range.of({"low": 1, "base": 2, "high": 3}) == Range(D(1), D(2), D(3))
    assert Range.of({"base": 2}) == Range(D(2), D(2), D(2))
    assert str(Range.parse("0.10..0.5..1")) == "0.1..0.5..1"


@pytest.mark.parametrize(
    "bad",
    ["800..500..900", "1..2..3..4", "5..1", [3, 2, 1], {"low": 1, "mid": 2}, {"low": 1}],
)
def test_bad_ranges(bad):
    with pytest.raises(RangeError):
        Range.of(bad)


# -- TOML ------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


FULL = """
name = "test"
teacher = "gpt-4o-mini"
as_of = 2024-10-01
examples = 10_000
prompt_tokens = 200
completion_tokens = { low = 300, base = 500, high = 800 }
acceptance_rate = [0.6, 0.8, 0.9]
batch = true

[limits]
rpm = 500
tpm = "2M"

[student]
method = "gpu"
parameters = 7e9
gpu = "h100"
usd_per_gpu_hour = 2.5
"""


def test_load_full_scenario(tmp_path):
    sc = load_scenario(write(tmp_path, FULL))
    assert sc.teacher == "gpt-4o-mini" and sc.as_of == date(2024, 10, 1)
    assert sc.examples == Range.of(10_000)
    assert sc.completion_tokens == Range(D(300), D(500), D(800))
    assert sc.acceptance_rate == Range(D("0.6"), D("0.8"), D("0.9"))
    assert sc.batch is True
    assert sc.rpm == Range.of(500) and sc.tpm == Range.of(2_000_000)
    assert sc.student_method == "gpu" and sc.student_parameters == Range.of(7_000_000_000)
    assert sc.limits["rpm"] == Range.of(500)
    assert sc.student["gpu"] == "h100"
    assert set(sc.ranged) == {"completion_tokens", "acceptance_rate"}
    assert sc.provenance["rpm"] == "file" and sc.provenance["retry_rate"] == "default"


def test_flags_override_the_file(tmp_path):
    path = write(tmp_path, FULL)
    sc = load_scenario(path, {"completion_tokens": "100", "rpm": None, "teacher": "gpt-4o"})
    assert sc.completion_tokens == Range.of(100)
    assert sc.rpm == Range.of(500)  # None = flag not given
    assert sc.teacher == "gpt-4o"
    assert sc.provenance["completion_tokens"] == "flag"
    assert sc.provenance["rpm"] == "file"
    # a volume flag replaces the file's volume kind
    sc = load_scenario(path, {"output_tokens": "1M"})
    assert sc.examples is None and sc.output_tokens == Range.of(1_000_000)
    assert sc.volume == ("output_tokens", Range.of(1_000_000))


def test_two_volume_flags_clash():
    with pytest.raises(ScenarioError, match="examples and output_tokens both given"):
        load_scenario(None, {"examples": 1, "output_tokens": 2})


def test_relative_files_resolve_against_the_scenario(tmp_path):
    path = write(tmp_path, 'prices = ["my.toml"]\nprompt_file = "p.jsonl"\n')
    sc = load_scenario(path, measure=False)
    assert sc.prices == (str(tmp_path / "my.toml"),)
    assert sc.prompt_file == (str(tmp_path / "p.jsonl"),)


def test_unknown_field_suggests(tmp_path):
    with pytest.raises(ScenarioError, match=r"unknown field 'acceptance'.*Did you mean"):
        load_scenario(write(tmp_path, "acceptance = 0.5\n"))
    with pytest.raises(ScenarioError, match=r"unknown field 'limits.rmp'.*Did you mean: rpm"):
        load_scenario(write(tmp_path, "[limits]\nrmp = 5\n"))
    with pytest.raises(ScenarioError, match="unknown field 'bogus'"):
        load_scenario(None, {"bogus": 1})


def test_malformed_toml_names_file_and_line(tmp_path):
    path = write(tmp_path, 'teacher = "x"\nexamples = = 3\n')
    with pytest.raises(ScenarioError, match=r"s\.toml: invalid TOML: .*line 2"):
        load_scenario(path)


def test_non_utf8_and_directory(tmp_path):
    path = tmp_path / "bin.toml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)


def test_field_errors_in_files_name_the_file(tmp_path):
    with pytest.raises(ScenarioError, match=r"s\.toml: acceptance_rate: must be above 0"):
        load_scenario(write(tmp_path, "acceptance_rate = 0\n"))
    with pytest.raises(ScenarioError, match=r"s\.toml: completion_tokens: range must satisfy"):
        load_scenario(write(tmp_path, "completion_tokens = [5, 3, 9]\n"))
    with pytest.raises(ScenarioError, match=r"as_of: .* is not a date"):
        load_scenario(write(tmp_path, 'as_of = "yesterday"\n'))
    with pytest.raises(ScenarioError, match="batch: expected true or false"):
        load_scenario(write(tmp_path, "batch = 3\n"))


# -- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"acceptance_rate": 0}, "acceptance_rate: must be above 0"),
        ({"acceptance_rate": "1.01"}, "acceptance_rate: must be between 0 and 1"),
        ({"acceptance_rate": "0.1..0.5..1.5"}, "acceptance_rate: must be between"),
        ({"retry_rate": "-0.1"}, "retry_rate: must not be negative"),
        ({"retry_rate": 2}, "retry_rate: must be between"),
        ({"cache_hit_rate": "1.5"}, "cache_hit_rate: must be between"),
        ({"utilisation": 0}, "utilisation: must be above 0"),
        ({"examples": -1}, "examples: must not be negative"),
        ({"prompt_tokens": -5}, "prompt_tokens: must not be negative"),
        ({"completion_tokens": "-1..2..3"}, "completion_tokens: must not be negative"),
        ({"samples_per_prompt": 0}, "samples_per_prompt: must not be below 1"),
        ({"samples_per_prompt": "1.5"}, "samples_per_prompt: must be a whole number"),
        ({"turns": "2.5"}, "turns: must be a whole number"),
        ({"examples_per_request": 0}, "examples_per_request: must be above 0"),
        ({"keys": 0}, "keys: must not be below 1"),
        ({"rpm": 0}, "rpm: must be above 0"),
        ({"examples": 1, "requests": 2}, "examples and requests both given"),
        ({"student_method": "lora"}, "student_method: unknown method"),
        ({"turns": 3, "examples_per_request": 2}, "turns: multi-turn"),
    ],
)
def test_invalid_values_name_the_field(values, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(".", r"\.")):
        Scenario.from_values(values)


def test_with_values_validates_and_marks_the_origin():
    sc = Scenario.from_values(teacher="x", examples=10, prompt_tokens=1, completion_tokens=1)
    changed = sc.with_values(completion_tokens="2..3..4", requests=5)
    assert changed.completion_tokens == Range(D(2), D(3), D(4))
    assert changed.examples is None and changed.requests == Range.of(5)  # volume replaced
    assert changed.provenance["completion_tokens"] == "override"
    assert sc.completion_tokens == Range.of(1)  # frozen original untouched
    with pytest.raises(ScenarioError, match="acceptance_rate"):
        sc.with_values(acceptance_rate=0)
    with pytest.raises(ScenarioError, match="unknown field 'acceptence'"):
        sc.with_values(acceptence=1)


def test_numeric_parameters_cover_the_contract_names():
    for name in (
        "prompt_tokens",
        "completion_tokens",
        "shared_prefix_tokens",
        "examples_per_request",
        "reasoning_tokens",
        "samples_per_prompt",
        "turns",
        "acceptance_rate",
        "retry_rate",
        "cache_hit_rate",
        "per_request_usd",
        "rpm",
        "tpm",
        "tpd",
        "keys",
        "concurrency",
        "latency_seconds",
        "batch_queue_tokens",
        "epochs",
        "utilisation",
        "usd_per_gpu_hour",
        "gpu_hours",
        *VOLUME_FIELDS,
    ):
        assert name in NUMERIC_PARAMETERS, name


def test_to_dict_round_trips_through_from_values():
    sc = Scenario.from_values(
        teacher="x", examples=10, prompt_tokens=1, completion_tokens="1..2..3", batch=True
    )
    d = sc.to_dict()
    assert d["completion_tokens"] == {"low": D(1), "base": D(2), "high": D(3)}
    again = Scenario.from_values({k: v for k, v in d.items() if v is not None})
    assert again == sc


def test_toml_datetimes_sections_and_huge_numbers(tmp_path):
    sc = load_scenario(write(tmp_path, "as_of = 2023-03-13T10:00:00\n"))
    assert sc.as_of == date(2023, 3, 13)
    with pytest.raises(ScenarioError, match=r"limits: must be a table"):
        load_scenario(write(tmp_path, "limits = 5\n"))
    with pytest.raises(ScenarioError, match="examples: 1e\\+20 is implausibly large"):
        load_scenario(write(tmp_path, "examples = 1e20\n"))
    with pytest.raises(ScenarioError, match="examples: 'NaN' is not a finite number"):
        load_scenario(write(tmp_path, "examples = nan\n"))
    with pytest.raises(ScenarioError, match="teacher: expected text"):
        load_scenario(write(tmp_path, "teacher = 5\n"))


def test_measured_from_two_fields_of_one_file(tmp_path):
    import json

    from distillcost.tokens import count_tokens  # the tokenizer itself, independently

    rows = [("What is 2+2?", "4"), ("Name a colour.", "Blue, like the sky."), ("Hi", "Hello!")]
    path = tmp_path / "qa.jsonl"
    path.write_text("".join(json.dumps({"q": q, "a": a}) + "\n" for q, a in rows))
    sc = load_scenario(
        None,
        {
            "prompt_file": [str(path)],
            "field": "q",
            "completion_file": [str(path)],
            "completion_field": "a",
            "encoding": "cl100k_base",
        },
    )
    q_counts = [count_tokens(q, "cl100k_base") for q, _ in rows]
    a_counts = [count_tokens(a, "cl100k_base") for _, a in rows]
    assert sc.prompt_tokens == Range.of(D(sum(q_counts)) / 3)
    assert sc.completion_tokens == Range.of(D(sum(a_counts)) / 3)
    assert sc.prompt_lengths == tuple(sorted(q_counts))
    assert sc.measured_encoding == "cl100k_base"
    assert sc.provenance["prompt_tokens"] == sc.provenance["completion_tokens"] == "measured"
    # an explicit number wins over the measurement
    sc = load_scenario(None, {"prompt_file": [str(path)], "field": "q", "prompt_tokens": 7})
    assert sc.prompt_tokens == Range.of(7) and sc.provenance["prompt_tokens"] == "flag"
    # a sample of 2 documents per file
    sc = load_scenario(None, {"prompt_file": [str(path)], "field": "q", "sample": 2})
    assert len(sc.prompt_lengths) == 2
    with pytest.raises(ScenarioError, match="sample: a fraction between 0 and 1"):
        load_scenario(None, {"sample": "2.5"})


def test_turns_are_capped():
    # each turn is a request shape; a typo like 1e15 turns must not exhaust memory
    with pytest.raises(ScenarioError, match="turns: must be between 1 and 10000"):
        Scenario.from_values(turns="1e15")


def test_a_byte_order_mark_is_skipped(tmp_path):
    # Notepad's UTF-8 files start with EF BB BF; tomllib called that an invalid statement
    from distillcost.scenario import load_scenario

    path = tmp_path / "bom.toml"
    path.write_bytes(b'\xef\xbb\xbfteacher = "gpt-4o-mini"\nexamples = 10\n')
    sc = load_scenario(path)
    assert sc.teacher == "gpt-4o-mini"
