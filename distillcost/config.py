"""The user's configuration directory (price tables and report templates of their own)."""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    """``$DISTILLCOST_CONFIG_DIR``, else ``~/.config/distillcost`` (``$XDG_CONFIG_HOME``)."""
    env = os.environ.get("DISTILLCOST_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "distillcost"
