"""The first page's money and recovery lines: idle seats and seats to buy per month (only with a prices file),
and how many people can get back in from home when locked out. Shared by the text, Markdown and HTML reports."""
from __future__ import annotations

from typing import Any

from ..i18n import money, text


def first_page_lines(summary: dict[str, Any], lang: str) -> list[str]:
    """Plain-text lines (no tenant strings but SKU part numbers, which callers escape with the rest)."""
    out = []
    if summary.get("can_recover") is not None:
        line = text("can_recover", lang, n=summary["can_recover"], people=summary.get("people", 0))
        if summary.get("recover_unknown"):  # neither SSPR registration nor the TAP policy says it for them
            line += text("can_recover_unknown", lang, n=summary["recover_unknown"])
        out.append(line)
    costs = summary.get("seat_costs")
    if not costs:
        return out
    for row in costs.get("idle") or []:
        if row.get("idle_cost") is not None:
            out.append(text("seat_money.idle", lang, n=row["idle"], sku=row["sku"], price=money(row["monthly"], row["currency"], lang),
                            cost=money(row["idle_cost"], row["currency"], lang)))
    if costs.get("idle_unknown") is True and any(row.get("idle") for row in costs.get("idle") or []):
        out.append(text("seat_money.idle_unknown", lang))
    buy = costs.get("buy") or {}
    if buy.get("cost") is not None:
        out.append(text("seat_money.buy", lang, n=buy["seats"], sku=buy["sku"], price=money(buy["monthly"], buy["currency"], lang),
                        cost=money(buy["cost"], buy["currency"], lang)))
    if costs.get("unpriced"):
        out.append(text("seat_money.unpriced", lang, skus=", ".join(costs["unpriced"])))
    return out
