"""Call the simulator's request handler directly (no HTTP): fast checks of single answers."""
from __future__ import annotations

import json
from typing import Any

from readiness.simulator import Simulator
from readiness.simulator.app import SimRequest, SimResponse

ORIGIN = "http://127.0.0.1:9"


class Answer:
    def __init__(self, resp: SimResponse) -> None:
        self.status = resp.status
        self.headers = resp.headers
        self.body = resp.body

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def code(self) -> str:
        return ((self.json() or {}).get("error") or {}).get("code", "")


def call(sim: Simulator, method: str, path: str, body: Any = None, headers: dict | None = None,
         token: str | None = None, version: str = "v1.0") -> Answer:
    """``path`` is relative to the version (``/users?$top=5``) or absolute."""
    h = {"authorization": f"Bearer {token or sim.issue_token()}"}
    if body is not None:
        h["content-type"] = "application/json"
    h.update({k.lower(): v for k, v in (headers or {}).items()})
    url = path if path.startswith("http") else f"{ORIGIN}/{version}{path}"
    raw = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else (body or b"")
    return Answer(sim.handle(SimRequest(method, url, h, raw)))


EVENTUAL = {"ConsistencyLevel": "eventual"}
