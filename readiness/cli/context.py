"""AppContext: what every command gets; builds Graph clients lazily (tests inject a factory)."""
from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

from ..i18n import text, ui_lang


@dataclass
class AppContext:
    verbose: int = 0
    color: bool = False
    # tests inject the in-process simulator here: (connection) -> GraphClient
    client_factory: Callable[..., Any] | None = None
    extra: dict = field(default_factory=dict)

    def progress(self, message: str) -> None:
        """Progress and logs go to stderr; results go to stdout."""
        print(message, file=sys.stderr, flush=True)

    def debug(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr, flush=True)

    def collect(self, conn: Any, previous: Any = None, lang: str | None = None) -> Any:
        """readiness.collect with progress on stderr: a start line, sections with -v, the request counts.

        ``previous``: a snapshot of the same tenant for a delta re-audit. ``lang``: a command whose own --lang
        governs its progress lines too (demo); else READINESS_LANG.
        """
        import readiness

        def say(key: str, **params: Any) -> str:
            return text(key, lang or ui_lang(), **params)

        self.progress(say("cli.audit.collecting", tenant=conn.label, url=conn.endpoint.base_url))
        snapshot = readiness.collect(conn, progress=self.progress if self.verbose else None, previous=previous)
        r = snapshot.requests
        self.progress(say("cli.audit.collected", seconds=round(float(r.get("seconds", 0)), 1), requests=r.get("requests", 0),
                          retries=r.get("retries", 0), throttled=r.get("throttled", 0),
                          waited=round(float(r.get("waited_seconds", r.get("throttled_seconds", 0))), 1)))
        return snapshot

    def open_client(self, connection: Any, **kwargs: Any) -> Any:
        if self.client_factory is not None:
            return self.client_factory(connection, **kwargs)
        return connection.open(**kwargs)


def run_async(coro: Any) -> Any:
    """One asyncio.run per command (never share a client across loops)."""
    return asyncio.run(coro)
