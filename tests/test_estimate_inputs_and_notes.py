"""QA regressions for the estimator (issue 4), each found by using the tool as a new user."""

from __future__ import annotations

from decimal import Decimal as D
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


def test_requests_volume_billed_per_sample_counts_requests_sent(runner, cli):
    # --requests is the number of (successful) requests. With
    # --input-billed-per-sample each of the n samples IS a request, so 1,000
    # requests + 5% retries = 1,050 sent, not 1,000 x 3 x 1.05 = 3,150.
    # By hand (gpt-4o-mini 2025-01-01: $0.15 in, $0.075 cached, $0.60 out):
    #   each request: prompt s + p = 500 + 1,000; output k x c = 2 x 200 = 400
    #   unique      1,050 x 1,000        = 1,050,000 x 0.15  / 1M = $0.1575
    #   cached      1,050 x 0.4 x 500    =   210,000 x 0.075 / 1M = $0.01575
    #   missed      1,050 x 0.6 x 500    =   315,000 x 0.15  / 1M = $0.04725
    #   output      1,050 x 400          =   420,000 x 0.60  / 1M = $0.252
    #   per request 1,050 x $0.001                                = $1.05
    #   total $1.5225; generated examples 1,000 samples x 2 = 2,000
    import json

    args = ["estimate", "-m", "gpt-4o-mini", "--as-of", "2025-01-01", "--requests", "1000"]
    args += ["--samples-per-prompt", "3", "--input-billed-per-sample", "--retry-rate", "0.05"]
    args += ["--prompt-tokens", "1000", "--completion-tokens", "200"]
    args += ["--examples-per-request", "2", "--per-request-usd", "0.001"]
    args += ["--shared-prefix-tokens", "500", "--cache-hit-rate", "0.4", "-f", "json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert d["requests"] == 1050
    assert d["total_usd"] == "1.5225"
    assert d["generated_examples"] == "2000"
    # without per-sample billing, 1,000 requests each ask for n = 3 samples
    args2 = [a for a in args if a != "--input-billed-per-sample"]
    d2 = json.loads(runner.invoke(cli, args2).output)
    assert d2["requests"] == 1050 and d2["generated_examples"] == "6000"


def test_implausibly_small_numbers_are_errors(runner, cli, tmp_path):
    # rpm = 1e-300 passed "must be above 0" and printed a 300-digit wall clock
    path = tmp_path / "s.toml"
    path.write_text(
        'teacher = "gpt-4o-mini"\nexamples = 10\nprompt_tokens = 1\ncompletion_tokens = 1\n'
        "[limits]\nrpm = 1e-300\n"
    )
    result = runner.invoke(cli, ["estimate", str(path)])
    assert result.exit_code == 1
    assert "rpm: 1e-300 is implausibly small" in result.output
    assert len(result.output.strip().splitlines()) == 1
    flag = runner.invoke(cli, ["estimate", *BASE, "--per-request-usd", "1e-20"])
    assert flag.exit_code in (1, 2) and "implausibly small" in flag.output
    assert "Traceback" not in flag.output
    # zero stays valid where zero is allowed, and ordinary small values too
    ok = runner.invoke(cli, ["estimate", *BASE, "--retry-rate", "0", "--rpm", "0.001"])
    assert ok.exit_code == 0, ok.output


def test_alpaca_comment_figures():
    # examples/alpaca.toml's comment quotes these; they mixed range corners before.
    # acceptance 1, 110 tokens: 52,002 / 16 = 3,250.125 requests
    #   3,250.125 x 771 x $20/1M = $50.12; 52,002 x 110 x $20/1M = $114.40 -> $164.52
    # acceptance 0.33: 157,581.8 generated / 16 = 9,848.86 requests
    #   9,848.86 x 771 x 20/1M = $151.87; 157,581.8 x 110 x 20/1M = $346.68 -> $498.55
    from decimal import Decimal as D

    from distillcost.estimator import estimate
    from distillcost.prices import load_prices
    from distillcost.scenario import load_scenario

    table = load_prices(plugins=False, user_dir=False)
    sc = load_scenario(EXAMPLES / "alpaca.toml")
    text = (EXAMPLES / "alpaca.toml").read_text()
    all_kept = estimate(sc.with_values(acceptance_rate=1), table)
    third = estimate(sc.with_values(acceptance_rate=D("0.33")), table)
    assert round(all_kept.api_usd, 2) == D("164.52") and "$165 if all survive" in text
    assert round(third.api_usd, 2) == D("498.55") and "$499 if only a third" in text


def test_markdown_total_and_range_on_one_line(runner, cli):
    # "**Total: $425.04**" then "\n (low ..." split the sentence when pasted as text
    result = runner.invoke(cli, ["estimate", str(EXAMPLES / "alpaca.toml"), "-f", "md"])
    assert result.exit_code == 0, result.output
    assert "**$425.04** (range $244.92 to $667.04): $329.04 for" in result.output


def test_a_bad_flag_value_is_not_blamed_on_the_file(runner, cli, tmp_path):
    # "gpt4all.toml: acceptance_rate: must be ..., got 1.5" when 1.5 came from the flag
    gpt4all = str(EXAMPLES / "gpt4all.toml")
    result = runner.invoke(cli, ["estimate", gpt4all, "--acceptance-rate", "1.5"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: acceptance_rate: must be between 0 and 1, got 1.5 (from --acceptance-rate)\n"
    )
    # a bad value in the file is still named with the file
    path = tmp_path / "s.toml"
    path.write_text(
        'teacher = "gpt-4o-mini"\nexamples = 1\nprompt_tokens = 1\ncompletion_tokens = 1\n'
        "acceptance_rate = 2\n"
    )
    result = runner.invoke(cli, ["estimate", str(path)])
    assert result.output == f"Error: {path}: acceptance_rate: must be between 0 and 1, got 2\n"


def test_markdown_names_cannot_inject_images_or_links(runner, cli):
    # a shared scenario's name became a remote image (a tracking pixel) and a link
    name = "![x](http://evil.example/t.png) [c](javascript:alert(1)) <img src=x>"
    result = runner.invoke(
        cli, ["estimate", str(EXAMPLES / "gpt4all.toml"), "--name", name, "-f", "md"]
    )
    assert result.exit_code == 0, result.output
    title = result.output.splitlines()[0]
    assert title == (
        r"# !\[x\](http://evil.example/t.png) \[c\](javascript:alert(1)) \<img src=x>: "
        "cost of distilling from gpt-3.5-turbo-0301"
    )


def test_control_characters_in_names_never_reach_the_terminal(runner, cli, tmp_path):
    # a shared scenario named "\x1b[2J..." cleared the terminal of whoever ran it
    path = tmp_path / "s.toml"
    path.write_text(
        'name = "\\u001b[2JRED\\u0007"\nteacher = "gpt-4o-mini"\nexamples = 1\n'
        # a fixed date: gpt-4o-mini's shipped retirement (2027-01-14) must not break this
        "prompt_tokens = 1\ncompletion_tokens = 1\nas_of = 2025-06-01\n"
    )
    # shown as text: \x1b in the terminal text; Markdown escapes the backslash and
    # bracket so that it renders as the same visible text
    for fmt, shown in (("text", r"\x1b[2JRED\x07"), ("md", r"\\x1b\[2JRED\\x07")):
        out = runner.invoke(cli, ["estimate", str(path), "-f", fmt]).output
        assert "\x1b" not in out and "\x07" not in out, fmt
        assert shown in out, fmt
    report = runner.invoke(cli, ["report", str(path)])
    assert report.exit_code == 0, report.output
    assert "\x07" not in report.output and "\\x07" in report.output


def test_unknown_student_model_names_the_student_field(runner, cli):
    args = ["estimate", *BASE, "--student-method", "fine-tune", "--student-model", "gpt-4o-mni"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.output.startswith("Error: student_model: unknown model 'gpt-4o-mni'.")
    assert "gpt-4o-mini" in result.output  # did you mean


def test_a_future_as_of_date_says_todays_price_is_assumed(runner, cli):
    args = ["estimate", "-m", "deepseek-v4-pro", "--as-of", "2099-01-01", "--examples", "10"]
    args += ["--prompt-tokens", "1", "--completion-tokens", "1", "-f", "json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    import json

    notes = json.loads(result.output)["notes"]
    assert any("2099-01-01 is in the future" in n for n in notes)
    # today (the default) is not the future
    today = runner.invoke(cli, [a for a in args if a not in ("--as-of", "2099-01-01")])
    assert not any("in the future" in n for n in json.loads(today.output)["notes"])


def test_a_measure_flag_wins_over_numbers_in_the_file(runner, cli):
    # template.toml has prompt_tokens = 300 and completion_tokens = 300..500..800;
    # --chat-file on the command line was silently ignored (the file's numbers won)
    import json

    chat = str(EXAMPLES / "sample-chat.jsonl")
    common = ["-m", "gpt-4o-mini", "--as-of", "2025-06-01", "--chat-file", chat, "-f", "json"]
    with_file = runner.invoke(cli, ["estimate", str(EXAMPLES / "template.toml"), *common])
    alone = runner.invoke(cli, ["estimate", "--examples", "10000", *common])
    assert with_file.exit_code == 0 and alone.exit_code == 0, with_file.output + alone.output
    a, b = json.loads(with_file.output), json.loads(alone.output)
    origin = {r["name"]: r for r in a["assumptions"]}
    assert origin["prompt_tokens"]["origin"] == "measured"
    assert origin["completion_tokens"]["origin"] == "measured"
    # the same measurement as the chat file alone gives: equal output per request
    per_request = D(a["tokens"]["output"]) / D(a["requests_exact"])
    assert per_request > 0
    assert per_request == D(b["tokens"]["output"]) / D(b["requests_exact"])
    # a number given as a flag still wins over a measurement file
    flag = runner.invoke(cli, ["estimate", "--examples", "10", "--prompt-tokens", "7", *common])
    origin = {r["name"]: r for r in json.loads(flag.output)["assumptions"]}
    assert origin["prompt_tokens"]["origin"] == "flag"


def test_a_given_number_beside_a_measurement_file_is_noted(runner, cli):
    import json

    chat = str(EXAMPLES / "sample-chat.jsonl")
    args = ["estimate", "-m", "gpt-4o-mini", "--examples", "10", "--prompt-tokens", "7"]
    args += ["--as-of", "2025-06-01"]  # not today: gpt-4o-mini is retired 2027-01-14
    result = runner.invoke(cli, [*args, "--chat-file", chat, "-f", "json"])
    assert result.exit_code == 0, result.output
    notes = json.loads(result.output)["notes"]
    assert any(n.startswith("prompt_tokens = 7 was given") and chat in n for n in notes)
    assert not any(n.startswith("completion_tokens =") for n in notes)  # measured
