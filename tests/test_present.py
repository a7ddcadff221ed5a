"""How numbers are shown: the same number prints the same everywhere."""

from __future__ import annotations

from decimal import Decimal

from distillcost.present import assumption


def test_a_measured_mean_is_shown_rounded_and_marked_a_given_value_whole():
    # 3146 / 127 turns of a chat file: a 28-digit quotient, shown to 4 places, marked ≈
    assert assumption(Decimal(3146) / Decimal(127)) == "≈24.7717"
    assert assumption(Decimal("0.12345678")) == "0.12345678"  # given: every digit
    assert assumption(Decimal("52002")) == "52,002"
