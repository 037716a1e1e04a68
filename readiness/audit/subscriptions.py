"""Subscriptions as rows: SKU friendly name, bought, assigned, free (computed once by evaluate, shown by every format)."""
from __future__ import annotations

from ..collect.snapshot import Snapshot
from ..licensing import catalog


def licence_rows(snapshot: Snapshot) -> list[dict]:
    """One row per subscribed SKU that can be assigned to users (free/viral SKUs are marked)."""
    rows = []
    cat = catalog()
    for sku in snapshot.data("skus", []) or []:
        prepaid = sku.get("prepaidUnits") or {}
        enabled = int(prepaid.get("enabled") or 0)
        consumed = int(sku.get("consumedUnits") or 0)
        rows.append({
            "skuId": sku.get("skuId", ""),
            "skuPartNumber": sku.get("skuPartNumber", ""),
            "name": cat.friendly_name(sku.get("skuId", ""), sku.get("skuPartNumber", "")),
            "status": sku.get("capabilityStatus", ""),
            "enabled": enabled,
            "suspended": int(prepaid.get("suspended") or 0),
            "warning": int(prepaid.get("warning") or 0),
            "consumed": consumed,
            "free": enabled - consumed,
            "appliesTo": sku.get("appliesTo", ""),
            "viral": enabled >= 10000,
        })
    rows.sort(key=lambda r: (r["viral"], r["name"].lower()))
    return rows
