"""Capability scores as data: the shipped tables, score files, layers, and scores filed by model.

The shipped figures checked here are typed from their publications (the GPT-4 Technical
Report's Table 2, the LMSYS blog's 2023-05-10 table), not read back from the data files.
"""

from __future__ import annotations

import csv
import io
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from test_plugins import install_dist

from distillcost.capability import (
    RowFilter,
    ScoreTable,
    load_scores,
    merge_score_layers,
)
from distillcost.capability.files import ScoreFile, parse_score_file, parse_score_text
from distillcost.capability.model import AppliesTo, Benchmark, Score, score_number
from distillcost.errors import FieldError, ScoreDataError, UnknownNameError
from distillcost.prices import ModelRecord, PriceEntry, PriceTable, load_prices

D = Decimal

HEADER = """
[[benchmarks]]
name = "quiz"
meaning = "a test quiz"
unit = "%"
scale = "absolute"
source = "made up for the tests"
"""


def _score(model: str, value: str, day: str, **kw) -> Score:
    values = {
        "benchmark": "quiz",
        "reported_by": "maker",
        "source": "a test",
        "setting": "",
    }
    values.update(kw)
    return Score(model=model, value=D(value), as_of=date.fromisoformat(day), **values)


QUIZ = Benchmark("quiz", "a test quiz", "%", "absolute", "made up")


@pytest.fixture(scope="module")
def shipped():
    return load_scores(plugins=False, user_dir=False)


@pytest.fixture(scope="module")
def shipped_prices():
    return load_prices(plugins=False, user_dir=False, fallback=False)


# ------------------------------------------------------------------------- the shipped tables


def test_shipped_scores_declare_every_benchmark_and_how_it_compares(shipped):
    assert set(shipped.benchmarks) == {"mmlu", "mmlu-pro", "gpqa-diamond", "gpqa", "lmarena-elo"}
    assert {b.name for b in shipped.benchmarks.values() if b.per_snapshot} == {"lmarena-elo"}
    assert {s.benchmark for s in shipped.scores} <= set(shipped.benchmarks)
    assert len(shipped.scores) > 2000


def test_shipped_scores_carry_dates_and_sources_never_local_paths(shipped):
    for score in shipped.scores:
        assert score.source.strip(), score
        assert "/work/" not in score.source and "/tmp/" not in score.source, score
        assert date(2020, 1, 1) <= score.as_of <= date(2026, 11, 27), score
    percent = [s for s in shipped.scores if shipped.benchmarks[s.benchmark].unit == "%"]
    assert all(D(0) <= s.value <= D(100) for s in percent)


def test_shipped_scores_hold_the_gpt4_report_figures(shipped):
    # GPT-4 Technical Report, Table 2: MMLU 86.4% (GPT-4), 70.0% (GPT-3.5), 5-shot; 2023-03-14
    found = {
        (s.model, s.value)
        for s in shipped.scores
        if s.benchmark == "mmlu" and s.as_of == date(2023, 3, 14) and s.reported_by == "maker"
    }
    assert ("gpt-4-0314", D("86.4")) in found
    assert ("gpt-3.5-turbo-0301", D("70.0")) in found


def test_shipped_arena_rows_of_one_day_are_one_snapshot(shipped):
    # LMSYS blog 2023-05-10, Table 1: GPT-4 1274, Claude-v1 1224 (online Elo)
    day = date(2023, 5, 10)
    rows = {
        s.model: s.value for s in shipped.scores if s.benchmark == "lmarena-elo" and s.as_of == day
    }
    assert rows["gpt-4-0314"] == D(1274)
    assert rows["claude-1"] == D(1224)


def test_every_crosswalk_target_is_a_shipped_price_id(shipped, shipped_prices):
    names = set(shipped_prices.names())
    for entry in shipped.applies_to.values():
        missing = [m for m in entry.models if m not in names]
        assert missing == [], entry.scores_of
        assert entry.source


def test_shipped_score_files_validate_clean():
    from importlib import resources

    root = resources.files("distillcost.scores")
    files = sorted(p.name for p in root.iterdir() if p.name.endswith(".toml"))
    assert {"mmlu.toml", "gpqa.toml", "lmarena-elo.toml", "crosswalk.toml"} <= set(files)
    for name in files:
        result = parse_score_text((root / name).read_text("utf-8"), name, name, ".toml")
        assert result.problems == [], name


# ------------------------------------------------------------------------------- score files


def test_a_toml_file_reports_every_problem_with_line_and_field(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        HEADER
        + textwrap.dedent(
            """
            [[scores]]
            model = "m1"
            benchmark = "quiz"
            value = "eighty"
            as_of = 2024-01-01
            reported_by = "maker"
            source = "s"

            [[scores]]
            model = "m2"
            benchmark = "quiz"
            value = "80"
            as_of = 2024-01-01
            reported_by = "the maker"
            sourse = "s"
            """
        ),
        encoding="utf-8",
    )
    problems = parse_score_file(path).problems
    text = [str(p) for p in problems]
    # line numbers are the lines of the keys: 7 header lines, a blank, then [[scores]] on 9
    assert any(":12:" in t and "field 'value'" in t and "not a number" in t for t in text), text
    assert any("field 'reported_by'" in t for t in text), text
    assert any("field 'sourse'" in t and "Did you mean: source" in t for t in text), text
    assert any("field 'source'" in t and "missing required field" in t for t in text), text
    with pytest.raises(ScoreDataError, match="more problem"):
        parse_score_file(path).raise_problems(str(path))


def test_two_values_for_one_published_figure_are_refused():
    text = HEADER + "".join(
        f'\n[[scores]]\nmodel = "m"\nbenchmark = "quiz"\nvalue = "{v}"\nas_of = 2024-01-01\n'
        'reported_by = "maker"\nsource = "s"\n'
        for v in ("80", "81")
    )
    problems = parse_score_text(text, "x.toml", "x", ".toml").problems
    assert len(problems) == 1 and "two values for one published figure" in problems[0].message


def test_score_values_are_exact_and_never_floats():
    assert score_number("86.4") == D("86.4")
    assert score_number("86.4%") == D("86.4")
    assert score_number(1300) == D(1300)
    for bad in (86.4, True, "-1", "nan", "1e9"):
        with pytest.raises(FieldError):
            score_number(bad)


def test_a_csv_sheet_of_scores_reads_like_toml(tmp_path):
    sheet = tmp_path / "mine.csv"
    sheet.write_text(
        "model,benchmark,value,as_of,reported_by,source,setting\n"
        "gpt-4o-mini,mmlu,99.5,2025-01-02,third-party,my lab's run,5-shot\n",
        encoding="utf-8",
    )
    result = parse_score_file(sheet)
    assert result.problems == []
    (score,) = result.scores
    assert (score.model, score.value, score.as_of, score.setting) == (
        "gpt-4o-mini",
        D("99.5"),
        date(2025, 1, 2),
        "5-shot",
    )
    missing = tmp_path / "short.csv"
    missing.write_text("model,value\nx,1\n", encoding="utf-8")
    assert "missing column(s)" in str(parse_score_file(missing).problems[0])


def test_a_score_naming_an_undeclared_benchmark_is_an_error():
    layer = ScoreFile(scores=[_score("m", "50", "2024-01-01", benchmark="quizz")])
    with pytest.raises(ScoreDataError, match=r"no score file declares.*Did you mean: quiz"):
        merge_score_layers([("built-in", ScoreFile(benchmarks=[QUIZ])), ("file:x", layer)])


def test_a_percentage_above_100_is_an_error():
    layer = ScoreFile(benchmarks=[QUIZ], scores=[_score("m", "101", "2024-01-01")])
    with pytest.raises(ScoreDataError, match="above 100%"):
        merge_score_layers([("file:x", layer)])


# ----------------------------------------------------------------------------------- layers


def test_later_layers_replace_the_same_figure_and_add_the_rest():
    base = ScoreFile(
        benchmarks=[QUIZ],
        scores=[_score("m", "50", "2024-01-01"), _score("m", "60", "2024-06-01")],
    )
    user = ScoreFile(scores=[_score("m", "55", "2024-01-01"), _score("n", "70", "2024-01-01")])
    merged = merge_score_layers([("built-in", base), ("file:mine", user)])
    values = sorted((s.model, s.as_of.isoformat(), s.value) for s in merged.scores)
    assert values == [
        ("m", "2024-01-01", D(55)),
        ("m", "2024-06-01", D(60)),
        ("n", "2024-01-01", D(70)),
    ]
    assert merged.sources == [("built-in", 2), ("file:mine", 2)]


def test_config_dir_and_scores_files_stack_over_the_built_in_tables(tmp_path, monkeypatch):
    config = tmp_path / "config"
    (config / "scores").mkdir(parents=True)
    # the GPT-4 report's figure, restated by the user's config dir, then by a --scores file
    row = (
        'model = "gpt-4-0314"\nbenchmark = "mmlu"\nas_of = 2023-03-14\nsetting = "5-shot"\n'
        'reported_by = "maker"\nsource = "mine"\nlabel = "GPT-4"\n'
    )
    (config / "scores" / "a.toml").write_text(f'[[scores]]\nvalue = "90"\n{row}', "utf-8")
    extra = tmp_path / "b.toml"
    extra.write_text(f'[[scores]]\nvalue = "91"\n{row}', "utf-8")
    monkeypatch.setenv("DISTILLCOST_CONFIG_DIR", str(config))

    def gpt4(found):
        return [
            s.value
            for s in found.scores
            if s.key == ("gpt-4-0314", "mmlu", date(2023, 3, 14), "5-shot", "GPT-4")
        ]

    assert gpt4(load_scores(user_dir=False)) == [D("86.4")]
    assert gpt4(load_scores()) == [D(90)]
    assert gpt4(load_scores(extra=[extra])) == [D(91)]


def test_a_score_plugin_is_an_installed_entry_point(tmp_path, monkeypatch):
    package = tmp_path / "src" / "acme_scores"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "from pathlib import Path\n"
        "def register_scores(register):\n"
        "    register(Path(__file__).parent / 'quiz.toml')\n",
        "utf-8",
    )
    (package / "quiz.toml").write_text(
        HEADER + '[[scores]]\nmodel = "gpt-4o-mini"\nbenchmark = "quiz"\nvalue = "42"\n'
        'as_of = 2024-07-18\nreported_by = "third-party"\nsource = "acme"\n',
        "utf-8",
    )
    site = tmp_path / "site"
    site.mkdir()
    install_dist(
        site, "acme-scores", "1.0", {"distillcost.scores": {"acme": "acme_scores"}}, package
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("DISTILLCOST_PLUGINS")
    found = load_scores(builtin=False, user_dir=False)
    assert [(s.model, s.value, s.origin) for s in found.scores] == [
        ("gpt-4o-mini", D(42), "plugin:acme:quiz.toml")
    ]
    monkeypatch.setenv("DISTILLCOST_PLUGINS", "")
    assert load_scores(builtin=False, user_dir=False).scores == []


# ------------------------------------------------------------------- scores filed by model


def _prices() -> PriceTable:
    entry = PriceEntry(date(2024, 1, 1), D(1), D(2))
    return PriceTable(
        [
            ModelRecord("alpha", "acme", (entry,), aliases=("alpha-2024-01-01",)),
            ModelRecord("host/alpha-weights", "host", (entry,)),
            ModelRecord("beta", "acme", (entry,)),
        ]
    )


def _scores(*rows: Score, applies: tuple[AppliesTo, ...] = ()):
    return merge_score_layers(
        [("t", ScoreFile(benchmarks=[QUIZ], scores=list(rows), applies_to=list(applies)))]
    )


def test_scores_are_filed_under_ids_aliases_and_crosswalk_targets_only():
    scores = _scores(
        _score("alpha-2024-01-01", "70", "2024-02-01"),
        _score("alpha-weights", "71", "2024-03-01"),
        _score("alph", "99", "2024-03-01"),  # a near miss is never matched loosely
        applies=(AppliesTo("alpha-weights", ("host/alpha-weights",), "same weights"),),
    )
    table = ScoreTable(scores, _prices())
    assert [r.value for r in table.rows("alpha", "quiz")] == [D(70)]
    (hosted,) = table.rows("host/alpha-weights", "quiz")
    assert hosted.value == D(71) and hosted.via is not None
    assert "of alpha-weights" in hosted.describe()
    assert table.rows("beta", "quiz") == []
    assert table.unmatched == {"alph": 1}
    assert table.models_with("quiz") == {"alpha", "host/alpha-weights"}


def test_rows_published_by_a_date_and_the_row_filter():
    scores = _scores(
        _score("alpha", "70", "2024-02-01", setting="5-shot", verified=True),
        _score("alpha", "75", "2024-05-01", setting="0-shot CoT", reported_by="third-party"),
    )
    table = ScoreTable(scores, _prices())
    assert [r.value for r in table.rows("alpha", "quiz", until=date(2024, 4, 30))] == [D(70)]
    assert len(table.rows("alpha", "quiz", until=date(2024, 5, 1))) == 2
    five_shot = ScoreTable(scores, _prices(), RowFilter(setting="5-SHOT"))
    assert [r.value for r in five_shot.rows("alpha", "quiz")] == [D(70)]
    makers = ScoreTable(scores, _prices(), RowFilter(reported_by=("maker",)))
    assert [r.value for r in makers.rows("alpha", "quiz")] == [D(70)]
    verified = ScoreTable(scores, _prices(), RowFilter(verified_only=True))
    assert [r.value for r in verified.rows("alpha", "quiz")] == [D(70)]
    with pytest.raises(UnknownNameError):
        RowFilter(reported_by=("makers",))


def test_scores_list_csv_feeds_back_as_a_scores_file(runner, cli, tmp_path):
    out = tmp_path / "mini.csv"
    result = runner.invoke(
        cli, ["scores", "list", "--model", "gpt-4o-mini", "--benchmark", "mmlu", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert rows and {r["model"] for r in rows} == {"gpt-4o-mini"}
    # simple-evals README (OpenAI): gpt-4o-mini-2024-07-18 MMLU 82.0
    assert D("82.0") in {D(r["value"]) for r in rows}
    sheet = tmp_path / "sheet.csv"
    with sheet.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(
            f, ["model", "benchmark", "value", "as_of", "reported_by", "source", "setting"]
        )
        writer.writeheader()
        for r in rows:
            writer.writerow({k: r[k] for k in writer.fieldnames} | {"model": "gpt-4o-mini"})
    checked = runner.invoke(cli, ["scores", "validate", str(sheet)])
    assert checked.exit_code == 0, checked.output
    assert f"ok: {sheet}: {len(rows)} scores" in checked.output


def test_scores_validate_lists_every_problem_and_fails(runner, cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[scores]]\nmodel = "x"\nbenchmark = "nope"\nvalue = "1"\n', "utf-8")
    result = runner.invoke(cli, ["scores", "validate", str(bad)])
    assert result.exit_code == 1
    assert "field 'as_of': missing required field" in result.output
    assert "field 'source': missing required field" in result.output
    assert "Traceback" not in result.output


def test_scores_benchmarks_counts_rows_and_priced_models(runner, cli, shipped, shipped_prices):
    result = runner.invoke(cli, ["scores", "benchmarks", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(result.output))}
    mmlu = [s for s in shipped.scores if s.benchmark == "mmlu"]
    assert int(rows["mmlu"]["rows"]) == len(mmlu)
    assert rows["lmarena-elo"]["scale"] == "within a snapshot"
    filed = ScoreTable(shipped, shipped_prices)
    assert int(rows["mmlu"]["models"]) == len(filed.models_with("mmlu"))


def test_scores_package_ships_with_the_wheel():
    from importlib import resources

    root = resources.files("distillcost.scores")
    assert any(Path(p.name).suffix == ".toml" for p in root.iterdir())


# ------------------------------------------------------------------------- the README


def _readme() -> str:
    from importlib import resources

    return (resources.files("distillcost.scores") / "README.md").read_text(encoding="utf-8")


def test_the_score_file_format_is_documented_from_the_declarations():
    from distillcost.capability.reference import reference_markdown

    assert reference_markdown() in _readme()


def test_the_readme_counts_are_the_shipped_counts(shipped):
    import re

    for bench, rows, verified in re.findall(
        r"\| `([a-z-]+)` \| ([\d,]+) \| ([\d,]+) \|", _readme()
    ):
        mine = [s for s in shipped.scores if s.benchmark == bench]
        assert len(mine) == int(rows.replace(",", "")), bench
        assert sum(s.verified for s in mine) == int(verified.replace(",", "")), bench


def test_the_readme_example_is_a_valid_score_file(tmp_path):
    import re

    example = re.search(r"```toml\n(.*?)```", _readme(), re.S)
    assert example is not None
    path = tmp_path / "example.toml"
    path.write_text(example.group(1), encoding="utf-8")
    found = load_scores(extra=[path], builtin=False, plugins=False, user_dir=False)
    (only,) = found.scores
    assert (only.model, only.benchmark, only.value) == ("gpt-4o-mini", "our-eval", D("71.5"))
