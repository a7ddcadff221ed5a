"""genai-prices as the layer under the curated tables: any model it knows can be priced,
marked as such; curated prices win; ambiguous names ask for ``provider/model``."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from genai_prices import Usage, calc_price

from distillcost.errors import AmbiguousModelError, UnknownModelError
from distillcost.prices import load_prices

ESTIMATE = ["estimate", "--requests", "1000", "--prompt-tokens", "500"]
ESTIMATE += ["--completion-tokens", "300", "-f", "json"]


def test_a_model_only_genai_prices_knows_is_priced_as_genai_prices_prices_it(runner, cli):
    # second method: genai-prices' own calculator for one request, times 1,000
    one = calc_price(
        Usage(input_tokens=500, output_tokens=300), "command-r-plus", provider_id="cohere"
    )
    result = runner.invoke(cli, [*ESTIMATE, "-m", "cohere/command-r-plus"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert Decimal(d["api_usd"]) == one.total_price * 1000
    assert any(
        n.startswith("price from genai-prices 0.2.3: ") and "not checked by distillcost" in n
        for n in d["notes"]
    )


def test_an_undated_fallback_price_says_it_is_todays_price_applied_to_the_date(runner, cli):
    result = runner.invoke(cli, [*ESTIMATE, "-m", "cohere/command-r-plus", "--as-of", "2024-03-01"])
    notes = json.loads(result.output)["notes"]
    assert "current price only, no history" in notes[0]
    assert any("no start date" in n and "2024-03-01" in n for n in notes)


def test_a_name_many_providers_sell_asks_for_provider_slash_model(runner, cli):
    with pytest.raises(AmbiguousModelError) as info:
        load_prices().get("command-r-plus")
    assert {"cohere/command-r-plus", "openrouter/command-r-plus"} <= set(info.value.suggestions)
    result = runner.invoke(cli, [*ESTIMATE, "-m", "command-r-plus"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: model 'command-r-plus' is sold by several providers")
    assert "cohere/command-r-plus" in result.output and "provider/model" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_curated_prices_win_over_genai_prices():
    table = load_prices()
    model = table.get("gpt-4o")
    assert model.origin == "built-in:openai.toml"
    # the curated table dates gpt-4o's 2024-10-01 price cut; genai-prices' is today's only
    assert model.price_on(date(2024, 6, 1)).input == Decimal("5")
    assert model.price_on(date(2024, 11, 1)).input == Decimal("2.5")


def test_a_name_nobody_knows_is_still_an_unknown_model():
    with pytest.raises(UnknownModelError):
        load_prices().get("no-such-model-anywhere-42")


def test_all_sources_lists_fallback_models_and_show_names_their_origin(runner, cli):
    plain = runner.invoke(cli, ["prices", "list", "-f", "csv"])
    every = runner.invoke(cli, ["prices", "list", "--all-sources", "-f", "csv"])
    assert plain.exit_code == every.exit_code == 0
    assert "cohere/command-r-plus" not in plain.output
    assert "cohere/command-r-plus" in every.output
    assert len(every.output.splitlines()) > len(plain.output.splitlines()) + 500
    show = runner.invoke(cli, ["prices", "show", "cohere/command-r-plus"])
    assert show.exit_code == 0, show.output
    assert "fallback:genai-prices 0.2.3" in show.output


def test_genai_prices_is_imported_only_when_the_curated_table_misses():
    code = (
        "import sys\n"
        "from distillcost.cli import main\n"
        "sys.argv = ['distillcost', 'estimate', '-m', 'gpt-4o', '--requests', '10',\n"
        "            '--prompt-tokens', '1', '--completion-tokens', '1', '-f', 'json']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('genai_prices' in sys.modules, file=sys.stderr)\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ran.stderr.strip().splitlines()[-1] == "False"
