"""Settings of the API server: read once, from arguments and the environment, then frozen."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field

__all__ = ["Settings"]

_PREFIX = "STACKGRAPH_"


def _bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """Everything the server can be told. Build one in `create_app` callers, never at import."""

    store: str | None = None
    graphiql: bool = True
    introspection: bool = True
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_cost: int = 50_000
    max_body_bytes: int = 64 * 1024
    request_timeout_s: float = 10.0
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    reload_interval_s: float = 0.25
    """How often the server looks for a new graph version (a directory listing of an on-disk
    store, or a cheap query); a committed version is served within about this long plus the
    projection's build time."""
    max_page_size: int = 100
    analysis_cache_size: int = 256
    analysis_cache_mib: int = 1024
    """What one worker's analysis cache may hold, in MiB (estimated from the results' arrays):
    one impact over 1M items keeps about 125 MiB."""
    parser_cache_size: int = 512
    response_cache_size: int = 1024

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from `STACKGRAPH_*` variables, then explicit overrides (None ignored)."""
        values: dict[str, object] = {}
        for name, f in cls.__dataclass_fields__.items():
            raw = os.environ.get(_PREFIX + name.upper())
            if raw is None:
                continue
            if f.type in ("bool",):
                values[name] = _bool(raw)
            elif f.type in ("int",):
                values[name] = int(raw)
            elif f.type in ("float",):
                values[name] = float(raw)
            elif name == "cors_origins":
                values[name] = tuple(o.strip() for o in raw.split(",") if o.strip())
            else:
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """The settings as `STACKGRAPH_*` variables (for worker processes)."""
        out = {}
        for name, value in asdict(self).items():
            if value is None:
                continue
            if isinstance(value, tuple):
                value = ",".join(value)
            out[_PREFIX + name.upper()] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
        return out
