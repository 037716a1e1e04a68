"""Serve the simulator over real HTTP on 127.0.0.1 (an ephemeral port by default)."""
from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .app import SimRequest, Simulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # without it every answer waits ~40 ms for delayed ACKs
    wbufsize = 1 << 16
    server: "_Server"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        return

    def _serve(self) -> None:
        arrived = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_port}"
        req = SimRequest(self.command, f"http://{host}{self.path}", {k.lower(): v for k, v in self.headers.items()}, body)
        req.arrived = arrived
        sim = self.server.sim
        resp = sim.handle(req)
        if sim.faults.latency:
            time.sleep(sim.faults.latency)
        if resp.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(resp.status)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        if "Content-Length" not in resp.headers:
            self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if resp.body:
            self.wfile.write(resp.body)
        self.wfile.flush()
        sim.answered(resp)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, sim: Simulator, port: int) -> None:
        self.sim = sim
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return  # a client that stops waiting (a refused token cancels what is in flight) is not a server fault
        super().handle_error(request, client_address)


class SimulatorServer:
    """Run a Simulator on 127.0.0.1 in a background thread; use as a context manager."""

    def __init__(self, sim: Simulator, port: int = 0) -> None:
        self.sim = sim
        self._server = _Server(sim, port)
        self.port = self._server.server_port
        # report downloads redirect to another host name for the same server, as Graph's do
        sim.download_host = f"http://localhost:{self.port}"
        sim.grace = 0.15  # a handler thread can wait tens of ms for the GIL before it stamps a request's arrival
        # serve_forever looks for shutdown() every poll interval (0.5 s by default): every stop waited up to that long
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="graph-simulator", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1.0"

    def start(self) -> "SimulatorServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def __enter__(self) -> "SimulatorServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
