"""Benchmark delta re-audits: requests (and wall time) of a full audit against a re-audit after 1% changes.

Run by hand:  python benchmarks/delta.py [--sizes 2000,20000] [--percent 1]
Writes benchmarks/results/delta.json.

- The simulator (enterprise profile) is served over real HTTP on 127.0.0.1, without latency or faults.
- full: an audit without a previous snapshot (it also asks each delta collection for a deltaLink).
- delta: an audit with that snapshot as ``previous`` after --percent of users and of devices changed
  (department: PATCH /users/{id} in $batch over HTTP, as an admin would; isCompliant: changed in the served
  tenant, as Intune does, since no admin writes it over Graph). Request counts come from the client's accounting; wall times are
  this machine's and only for orientation.
- "delta collections" counts the reads of users, devices (the listing and its 16 owner chains), group members and
  the three delta functions (the licence-error groups on /groups are read in full both times and left out);
  "whole audit" counts every request, including the sources Graph offers no delta or exact incremental read
  for (docs/design-notes.md, "Delta re-audits"): "read_in_full" lists those requests of the re-audit, and
  "ratio_floor" is their share of a full audit, the least any re-audit of this tenant can need.
- Each re-audit's data is compared with a full audit made right after it: "same_data" must be true.
- Requests are counted two ways. Graph requests (the goal's figure): every request Graph answers, each item of a
  $batch counted on its own (Graph throttles each request in a batch individually,
  https://learn.microsoft.com/graph/json-batching); the device owners' pages, read in $batch rounds, count as the
  pages they are, and a re-audit's owners of changed devices (/devices/{id}/registeredOwners in $batch) count in
  "delta collections". HTTP requests ("*_http"): every request on the wire once, a $batch once; batching shrinks
  these without reading less, so they would make the ratio look better than Graph sees it.
Goal (issue 15): a re-audit after 1% changes needs at most 5% of a full audit's requests (Graph requests).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import readiness  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
DELTA_ENDPOINTS = ("/users", "/devices", "/groups/{id}/members", "/users/delta", "/groups/delta", "/devices/delta")
IN_BATCH = DELTA_ENDPOINTS + ("/devices/{id}/registeredOwners",)  # the devices' owners, read in $batch


def _audit(sim, previous=None):  # noqa: ANN001, ANN202
    conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)
    started = time.perf_counter()
    snap = readiness.collect(conn, previous=previous)
    return snap, round(time.perf_counter() - started, 3)


def _patch_users(sim, ids: list[str], body: dict) -> None:  # noqa: ANN001
    """PATCH /users/{id} for each id, 20 to a $batch, as an admin's script would over Graph."""
    import httpx

    with httpx.Client(base_url=sim.graph_url, headers={"Authorization": f"Bearer {sim.token}"}, timeout=60) as http:
        for i in range(0, len(ids), 20):
            items = [{"id": str(n), "method": "PATCH", "url": f"/users/{uid}", "body": body,
                      "headers": {"Content-Type": "application/json"}} for n, uid in enumerate(ids[i:i + 20])]
            answer = http.post("/$batch", json={"requests": items})
            answer.raise_for_status()
            bad = [r for r in answer.json()["responses"] if r["status"] >= 300]
            if bad:
                raise SystemExit(f"a PATCH was refused: {bad[0]}")


def _counts(snap) -> dict:  # noqa: ANN001
    """Graph requests (each $batch item on its own) and HTTP requests (a $batch once), whole audit and delta collections."""
    req = snap.requests
    by, items = req["by_endpoint"], req.get("batch_items_by_endpoint") or {}
    http_delta = sum(n for e, n in by.items() if e in DELTA_ENDPOINTS)
    return {"whole_audit": req["requests"] - by.get("/$batch", 0) + req.get("batch_items", 0),
            "delta_collections": http_delta + sum(n for e, n in items.items() if e in IN_BATCH),
            "whole_audit_http": req["requests"], "delta_collections_http": http_delta}


def _graph_by_endpoint(snap) -> dict:  # noqa: ANN001
    """Graph requests per endpoint: the HTTP requests without the $batch envelopes, plus each $batch item."""
    out = dict(snap.requests["by_endpoint"])
    out.pop("/$batch", None)
    for e, n in (snap.requests.get("batch_items_by_endpoint") or {}).items():
        out[e] = out.get(e, 0) + n
    return out


def _same(a, b) -> bool:  # noqa: ANN001
    for name in set(a.sections) | set(b.sections):
        sa, sb = a.sections.get(name), b.sections.get(name)
        if sa is None or sb is None or sa.status != sb.status:
            return False
        if name == "group_members":
            if {k: sorted(v) for k, v in (sa.data or {}).items()} != {k: sorted(v) for k, v in (sb.data or {}).items()}:
                return False
        elif sa.data != sb.data:
            return False
    return True


def measure(size: int, percent: float) -> dict:
    def flip_compliance(t, n: int) -> None:  # noqa: ANN001 - Intune's verdict: no admin writes it over Graph
        for d in t.devices[:n]:
            d["isCompliant"] = not d.get("isCompliant")

    with readiness.serve_simulator(tenant=readiness.generate_tenant("enterprise", seed=5, size=size), page_jitter=False) as sim:
        t = sim.tenant
        first, full_wall = _audit(sim)
        n_users, n_devices = int(len(t.users) * percent / 100), int(len(t.devices) * percent / 100)
        _patch_users(sim, [u["id"] for u in t.users[:n_users]], {"department": "Changed"})
        sim.change(lambda tenant: flip_compliance(tenant, n_devices))
        again, delta_wall = _audit(sim, previous=first)
        check, _ = _audit(sim)
    full, delta = _counts(first), _counts(again)
    in_full = {e: n for e, n in sorted(_graph_by_endpoint(again).items(), key=lambda kv: -kv[1])
               if e not in IN_BATCH and not e.endswith("/delta")}
    return {"users": len(t.users), "devices": len(t.devices), "groups": len(t.groups),
            "changed_users": n_users, "changed_devices": n_devices,
            "full": dict(full, wall_s=full_wall), "delta": dict(delta, wall_s=delta_wall),
            "ratio_delta_collections": round(delta["delta_collections"] / max(1, full["delta_collections"]), 4),
            "ratio_whole_audit": round(delta["whole_audit"] / max(1, full["whole_audit"]), 4),
            "ratio_delta_collections_http": round(delta["delta_collections_http"] / max(1, full["delta_collections_http"]), 4),
            "ratio_whole_audit_http": round(delta["whole_audit_http"] / max(1, full["whole_audit_http"]), 4),
            "ratios_count": "Graph requests (each $batch item on its own), the goal's figure; *_http: HTTP requests",
            "read_in_full": in_full, "ratio_floor": round(sum(in_full.values()) / max(1, full["whole_audit"]), 4),
            "delta_by_endpoint": _graph_by_endpoint(again), "delta_http_by_endpoint": again.requests["by_endpoint"],
            "same_data": _same(again, check)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,20000")
    ap.add_argument("--percent", type=float, default=1.0)
    ap.add_argument("--out", type=Path, default=RESULTS / "delta.json")
    args = ap.parse_args()
    runs = [measure(int(s), args.percent) for s in args.sizes.split(",")]
    doc = {"benchmark": "delta re-audit", "percent_changed": args.percent, "goal": "re-audit <= 5% of a full audit's requests",
           "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                       "load_avg": [round(x, 2) for x in os.getloadavg()]},
           "when_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
