"""What idle and missing seats cost per month, from the prices file (audit/prices.py); never invented.

Idle seats: licences held by disabled accounts or by accounts nobody signed in to for depth_facts.IDLE_DAYS
(facts.Person.idle), per SKU. Seats to buy: licences.seat_plan's count, priced at the cheapest priced SKU
that carries the whole remote-work kit. A SKU without a price is listed as unpriced, never guessed.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any


def seat_costs(f: Any, prices: dict[str, dict] | None) -> dict | None:
    """None when no prices were given; else rows per SKU, the purchase and totals per currency."""
    if prices is None:
        return None
    prices = {str(k).upper(): v for k, v in prices.items() if _valid(v)} if isinstance(prices, dict) else {}
    from ..checks.licences import seat_plan

    idle_by_sku: dict[str, list[str]] = {}
    for p in f.people:
        if p.user_type != "Member" or not p.skus:
            continue
        if not p.enabled or p.idle:
            for sku_id in p.skus:
                idle_by_sku.setdefault(sku_id, []).append(p.upn)
    rows, unpriced, totals = [], [], {}
    for sku_id, upns in sorted(idle_by_sku.items(), key=lambda kv: -len(kv[1])):
        part = str((f.sku_by_id.get(sku_id) or {}).get("skuPartNumber") or "")
        price = prices.get(part.upper())
        if price is None:
            unpriced.append(part or sku_id)
            rows.append({"sku": part, "name": f.sku_name(sku_id), "idle": len(upns), "monthly": None, "currency": None,
                         "idle_cost": None})
            continue
        cost = Decimal(price["monthly"]) * len(upns)
        totals[price["currency"]] = totals.get(price["currency"], Decimal(0)) + cost
        rows.append({"sku": part, "name": f.sku_name(sku_id), "idle": len(upns), "monthly": price["monthly"],
                     "currency": price["currency"], "idle_cost": str(cost)})
    plan = seat_plan(f)
    buy = {"seats": plan["to_buy"], "sku": None, "monthly": None, "currency": None, "cost": None}
    if plan["to_buy"]:
        priced = []
        for s in plan["skus"]:
            part = str((f.sku_by_id.get(s["skuId"]) or {}).get("skuPartNumber") or "")
            if part.upper() in prices:
                priced.append((Decimal(prices[part.upper()]["monthly"]), part, prices[part.upper()]["currency"]))
        if priced:
            monthly, part, cur = min(priced)
            buy.update(sku=part, monthly=str(monthly), currency=cur, cost=str(monthly * plan["to_buy"]))
    # without sign-in activity or an activity report that names people, whether an enabled member is idle is unknown
    # (Person.idle None): the idle seats are then only disabled accounts' and the figures say so (verify17 #1)
    unknown = any(p.idle is None for p in f.people if p.user_type == "Member" and p.skus and p.enabled)
    return {"idle": rows, "idle_total": {k: str(v) for k, v in sorted(totals.items())}, "unpriced": sorted(set(unpriced)),
            "buy": buy, "idle_unknown": unknown}


def _valid(price: Any) -> bool:
    """A prices entry as audit/prices.py writes it (a snapshot file may hold anything)."""
    from decimal import InvalidOperation

    if not isinstance(price, dict) or not isinstance(price.get("currency"), str):
        return False
    try:
        return Decimal(str(price.get("monthly"))).is_finite()
    except InvalidOperation:
        return False
