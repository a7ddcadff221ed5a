"""Usage-tier rate limits, one TOML file per provider (installed as distillcost.pricing.limits)."""
