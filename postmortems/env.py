"""Typed readers for configuration from the environment.

Each fails loudly on a value it cannot read, so a typo in a deployment's
environment stops the process instead of silently falling back to a default.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def env_list(name: str, default: list[str], *, sep: str = ",") -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(sep) if item.strip()]


def env_paths(name: str, default: list[Path]) -> list[Path]:
    """A list of absolute directories, separated like PATH (``:``)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    paths = [Path(item).expanduser() for item in raw.split(os.pathsep) if item.strip()]
    for path in paths:
        if not path.is_absolute():
            raise ImproperlyConfigured(f"{name} entry {str(path)!r} must be an absolute path.")
    return [path.resolve() for path in paths]
