"""verify: read back every change a run made as a whole, not only that an object with its name exists."""
from __future__ import annotations

from typing import Any

from ..errors import GraphError
from ..i18n import Message
from .applier import Engine
from .contract import Lost
from .query import url
from .runs import Run
from .steps import spec


async def verify_run(client: Any, run: Run) -> list[tuple[Any, Message]]:
    """(target, what is wrong) for every change of ``run`` that is not in effect as planned."""
    the_plan, state = run.plan(), run.state()
    engine = Engine(client, run)
    problems: list[tuple[Any, Message]] = []
    for c in the_plan.changes:
        st = state.get(c.id)
        if not st:
            continue  # never started: the re-plan shows it
        if st.get("phase") != "done":
            problems.append((c.target, Message("steps.verify.not_confirmed", {"phase": str(st.get("phase"))})))
            continue
        a = spec(c.action)
        values = dict(st.get("result") or {})
        try:
            if a.check(c) is not None:
                done, body = await engine.find_one(c)
                if not done:
                    problems.append((c.target, Message("steps.verify.not_in_effect")))
                    continue
                found = a.found_id(body, c)
                if found:
                    values["id"] = found
            reads = a.verify_reads(c, values)
            if reads:
                bodies = [await client.collect(url(r.path, r.query, values)) for r in reads]
                problems.extend((c.target, m) for m in a.missing(c, values, bodies))
        except (GraphError, Lost) as exc:
            problems.append((c.target, Message("steps.verify.unreadable", {"error": str(exc)})))
    return problems


__all__ = ["verify_run"]
