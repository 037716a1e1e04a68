"""The ReadinessError tree. Each class knows its exit code; the CLI translates them once.

A message reads ``<what happened>. <how to fix it>.``: ``what`` and ``fix`` are kept apart so that
JSON output can carry them separately.
"""
from __future__ import annotations

from .exitcodes import ExitCode


class ReadinessError(Exception):
    exit_code: ExitCode = ExitCode.RUNTIME_ERROR
    code: str = "error"

    def __init__(self, what: str, fix: str = "") -> None:
        super().__init__(what)
        self.what = what.rstrip(".")
        self.fix = fix.rstrip(".")

    def __str__(self) -> str:
        return f"{self.what}. {self.fix}." if self.fix else f"{self.what}."


class UsageError(ReadinessError):
    exit_code = ExitCode.USAGE
    code = "usage"


class ConfigError(ReadinessError):
    """A profile, a config file or a local setting is missing or wrong."""

    code = "config"


class SecretStoreError(ConfigError):
    """No usable OS keyring, or the keyring refused."""

    code = "keyring"


class AuthError(ReadinessError):
    """Signing in failed or needs the user."""

    code = "auth"


class GraphError(ReadinessError):
    """Graph answered with an error status (after retries)."""

    code = "graph"

    def __init__(
        self,
        what: str,
        fix: str = "",
        *,
        status: int = 0,
        graph_code: str = "",
        request_id: str = "",
        path: str = "",
    ) -> None:
        super().__init__(what, fix)
        self.status = status
        self.graph_code = graph_code
        self.request_id = request_id
        self.path = path

    @property
    def is_forbidden(self) -> bool:
        return self.status == 403 or self.graph_code == "Authorization_RequestDenied"


class GraphUnavailable(GraphError):
    """Could not reach Graph at all (connection refused, DNS, TLS) after retries."""

    code = "network"


class SnapshotError(ReadinessError):
    code = "snapshot"
