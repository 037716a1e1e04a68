"""The ReadinessError tree. Each class knows its exit code; the CLI translates them once.

A message reads ``<what happened>. <how to fix it>.``: ``what`` and ``fix`` are kept apart so that
JSON output can carry them separately.
"""
from __future__ import annotations

from .exitcodes import ExitCode


def _unstop(text: str) -> str:
    """Without its closing full stop; an ellipsis (``export X=...``) is part of the text and stays."""
    return text if text.endswith("...") else text.rstrip(".")


def _stop(text: str) -> str:
    return text if text.endswith("...") else f"{text}."


class ReadinessError(Exception):
    exit_code: ExitCode = ExitCode.RUNTIME_ERROR
    code: str = "error"

    def __init__(self, what: str, fix: str = "") -> None:
        super().__init__(what)
        self.what = _unstop(what)
        self.fix = _unstop(fix)

    def __str__(self) -> str:
        return f"{_stop(self.what)} {_stop(self.fix)}" if self.fix else _stop(self.what)


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


class TokenRejected(AuthError):
    """Graph answered 401: the token is expired, malformed, or for another audience or tenant.

    Raised by the graph layer itself, so that no collector can mistake it for a missing section.
    """

    code = "token_rejected"

    def __init__(self, what: str, fix: str = "", *, reason: str = "invalid", request_id: str = "") -> None:
        super().__init__(what, fix)
        self.reason = reason  # expired | invalid | wrong tenant
        self.request_id = request_id


class DataIncomplete(ReadinessError):
    """Some sections could not be read because of faults: a result built on them must not pass."""

    exit_code = ExitCode.DATA_INCOMPLETE
    code = "data_incomplete"


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


class GraphBadResponse(GraphError):
    """Graph (or whatever answers at its address) sent something that cannot be trusted or read:
    a body that is not JSON, a page of the wrong shape, a nextLink to another origin or in a loop,
    a redirect loop. The section that asked fails with this reason."""

    code = "bad_response"


class WaitCapReached(GraphError):
    """Graph asked to wait longer than the total wait cap (--max-wait) allows."""

    code = "wait_cap"


class SnapshotError(ReadinessError):
    code = "snapshot"
