"""QA regressions for the estimator (issue 4), each found by using the tool as a new user."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BASE = ["-m", "gpt-4o-mini", "--as-of", "2025-01-01", "--examples", "10"]
BASE += ["--prompt-tokens", "1", "--completion-tokens", "1"]


def test_no_token_billing_without_a_per_request_price_is_an_error(runner, cli):
    # Billing neither tokens nor requests priced the campaign at $0.00 without a word.
    result = runner.invoke(cli, ["estimate", *BASE, "--no-token-billing"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: token_billing: false")
    assert "per_request_usd" in result.output
    assert len(result.output.strip().splitlines()) == 1
    # with a per-request price it is the essay's per-query reading: 10 x $0.01
    ok = runner.invoke(
        cli, ["estimate", *BASE, "--no-token-billing", "--per-request-usd", "0.01", "-f", "json"]
    )
    assert ok.exit_code == 0, ok.output
    assert '"total_usd": "0.1"' in ok.output
