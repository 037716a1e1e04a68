"""`readiness history`: every kept audit of a tenant, oldest first (from the data folder and output folders)."""
from __future__ import annotations

from pathlib import Path

from . import runner, store


def collect_history(tenant: str | None, dirs: list[Path]) -> dict[str, list[dict]]:
    """Tenant name -> its audits over time: date, status, score, light, people, ready and the share ready."""
    folders: dict[str, list[Path]] = {}
    hist_root = runner.data_dir() / "history"
    for root in [hist_root, *dirs]:
        for name, fs in store.tenant_folders(root).items():
            folders.setdefault(name, []).extend(fs)
    if tenant:
        folders = {tenant: folders.get(tenant, [])}
    out = {}
    for name, fs in sorted(folders.items()):
        points = []
        for e in store.history(fs):
            people, ready = e.get("people"), e.get("ready")
            points.append({"audited_at": e.get("audited_at"), "status": e.get("status"), "score": e.get("score"),
                           "light": e.get("light"), "people": people, "ready": ready,
                           "share_ready": round(ready / people, 3) if people and ready is not None else None,
                           "new_failing": e.get("new_failing"), "fixed": e.get("fixed")})
        if points:
            out[name] = points
    return out
