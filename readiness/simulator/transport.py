"""Serve the simulator in-process through httpx (no sockets): fast unit tests."""
from __future__ import annotations

import asyncio

import httpx

from .app import SimRequest, Simulator


class SimTransport(httpx.AsyncBaseTransport):
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        req = SimRequest(request.method, str(request.url), {k.lower(): v for k, v in request.headers.items()}, body)
        resp = self.sim.handle(req)
        if self.sim.faults.latency:
            await asyncio.sleep(self.sim.faults.latency)
        if resp.drop:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        self.sim.answered(resp)
        return httpx.Response(resp.status, headers=resp.headers, content=resp.body, request=request)
