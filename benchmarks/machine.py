"""The machine a benchmark ran on, with a reference figure to compare machines by.

Figures in seconds and microseconds depend on the machine as much as on the code: the same commit measured 1.35-1.55x
slower on one 2-core VM than on another (session 8's baseline against session 7's). ``reference_cpu_seconds`` is
the CPU time of a fixed workload that does not depend on this project's code (JSON parsing with orjson, then
dict and string work of the kind a collection and an evaluation do), best of five. Divide a figure by it to
compare runs from different machines: the ratio is what the code changed.
"""
from __future__ import annotations

import compileall
import os
import platform
import time
from pathlib import Path

import orjson

_ITEMS = 2000
_ROUNDS = 40


def _page() -> bytes:
    users = [{"id": f"{i:08x}-0000-4000-8000-{i:012x}", "displayName": f"Person {i}", "accountEnabled": i % 7 != 0,
              "userPrincipalName": f"person{i}@contoso.example", "department": f"Dept {i % 23}",
              "assignedLicenses": [{"skuId": f"sku-{i % 5}", "disabledPlans": []}],
              "signInActivity": {"lastSignInDateTime": f"2026-11-{1 + i % 28:02d}T08:00:00Z"}}
             for i in range(_ITEMS)]
    return orjson.dumps({"value": users})


def _work(page: bytes) -> int:
    n = 0
    for _ in range(_ROUNDS):
        items = orjson.loads(page)["value"]
        by_dept: dict[str, list] = {}
        for u in items:
            by_dept.setdefault(u["department"], []).append(u["id"])
            lic = tuple(sorted(x["skuId"] for x in u["assignedLicenses"]))
            if u["accountEnabled"] and lic and u["signInActivity"]["lastSignInDateTime"][:7] == "2026-11":
                n += len(u["userPrincipalName"].split("@", 1)[0])
        n += sum(map(len, by_dept.values()))
    return n


def reference_cpu_seconds() -> float:
    page = _page()
    best = float("inf")
    for _ in range(5):
        t = time.process_time()
        _work(page)
        best = min(best, time.process_time() - t)
    return round(best, 4)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def compile_bytecode() -> bool:
    """Compile readiness' modules to cached bytecode, as `pip install .` does for a user's copy.

    An editable checkout in an environment with PYTHONDONTWRITEBYTECODE set (this machine's) never caches it, so
    every command would compile about 200 modules from source first (about 0.1 s of CPU a process) that no
    installed copy pays. Bytecode is still read where that variable forbids writing it."""
    import readiness

    return compileall.compile_dir(str(Path(readiness.__file__).resolve().parent), quiet=1, workers=1)


def describe() -> dict:
    """Python, cores, platform, CPU model, load and the reference figure (measured now, about 0.5 s)."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "cpu_model": cpu_model(), "load_avg": [round(x, 2) for x in os.getloadavg()],
            "reference_cpu_seconds": reference_cpu_seconds(),
            "bytecode_compiled_before": compile_bytecode()}


if __name__ == "__main__":
    print(orjson.dumps(describe(), option=orjson.OPT_INDENT_2).decode())
