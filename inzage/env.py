"""Reading settings from the environment, failing loudly on values that make no sense."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


class ConfigurationError(RuntimeError):
    """A setting is missing or malformed."""


def env_str(name: str, default: str | None = None) -> str:
    """The variable's value, or the default; raises when neither is there."""
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigurationError(f"Set the environment variable {name}.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable: 1/true/yes/on or 0/false/no/off."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={value!r} is not a yes/no value (use 1 or 0).")


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def cache_settings(
    *, redis_url: str, var_dir: Path | None = None, key_prefix: str = "inzage"
) -> dict[str, dict[str, Any]]:
    """Django's CACHES: per-process local memory without a Redis URL, Django's own Redis backend with one.

    Aliases "default" and "sessions"; with Redis they share the server and differ in key prefix. With `var_dir`
    also "throttle" (sign-in failure counters, which every process must share): Redis with a Redis URL, otherwise a
    file cache under var_dir that the app server processes of one machine share and that survives a restart.
    """
    throttle_window = 15 * 60
    if redis_url:
        if not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigurationError(f"REDIS_URL={redis_url!r} is not a redis://, rediss:// or unix:// URL.")
        aliases = ("default", "sessions", "throttle") if var_dir is not None else ("default", "sessions")
        return {
            alias: {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": f"{key_prefix}-{alias}",
            }
            for alias in aliases
        }
    extra: dict[str, dict[str, Any]] = {}
    if var_dir is not None:
        extra["throttle"] = {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(var_dir / "cache" / "throttle"),
            # The file cache's incr() rewrites the entry with the default timeout: keep it the failure window.
            "TIMEOUT": throttle_window,
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    return {
        **extra,
        # MAX_ENTRIES: Django's default of 300 would cull sessions of a busy app server; entries are small.
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "inzage-default",
            "OPTIONS": {"MAX_ENTRIES": 5_000},
        },
        "sessions": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "inzage-sessions",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        },
    }
