"""Audits and reports, offline: evaluate a snapshot, render an Audit (or a plan, a run), the checks."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, BinaryIO

from ..audit.evaluate import evaluate as _evaluate
from ..audit.evaluate import private
from ..audit.model import Audit
from ..checks.model import CheckSpec
from ..collect.snapshot import Snapshot
from ..errors import UsageError
from . import arguments

if TYPE_CHECKING:
    from .results import Plan, Run


def evaluate(snap: Snapshot, previous: Snapshot | None = None, *, pseudonymize: bool = False,
             aggregate_only: bool = False, prices: dict[str, dict] | str | Any = None, min_group_size: int = 5,
             one_shot: bool = False) -> Audit:
    """Every check, the per-person matrix, scores, licences, seats to buy, what was not evaluated, top
    actions and (with ``previous``, an earlier snapshot of the same tenant) the trend. Finished and
    language-free: render it in any format and language.

    + prices: a prices CSV path (SKU part number, monthly price, currency) or its parsed dict: the seats
      summary and ``licences.idle_seat_cost`` show money; without it they do not (never invented).
    + aggregate_only, min_group_size: counts only; departments of fewer than ``min_group_size`` people merged
      into one "other" row.
    + one_shot: the process ends soon after (a CLI command): what is alive is then frozen out of the cyclic
      garbage collector's passes (``gc.freeze()``) instead of walked again, and rows with equal lists (reasons,
      licences) share one list: render the audit, change none of its rows; leave it False in a long-running process."""
    arguments.snapshot(snap, "evaluate")
    arguments.snapshot(previous, "evaluate", "previous", optional=True)
    if prices is not None and not isinstance(prices, dict):
        from ..audit.prices import load_prices

        prices = load_prices(prices)
    return _evaluate(snap, previous, pseudonymize=pseudonymize, aggregate_only=aggregate_only, prices=prices,
                     min_group_size=min_group_size, one_shot=one_shot)


def render(obj: Audit | Plan | Run, format: str = "html", lang: str = "en", pseudonymize: bool = False,  # noqa: A002
           aggregate_only: bool = False, *, people: bool = False, command: str = "report", exit_code: int = 0,
           csv_headers: str = "labels", color: bool = False, width: int | None = None, min_group_size: int = 5,
           stream: BinaryIO | None = None) -> str:
    """An Audit as table, json, csv, md or html in ``lang``; a plan, a run or an undo preview as table or json.

    + pseudonymize / aggregate_only: for readers outside the IT team (the audit is made private first);
      min_group_size: with aggregate_only, departments of fewer people are merged into one "other" row
      ("2 people, 1 not ready: no_mfa" would name the boss).
    + people: with csv, the per-person matrix instead of the findings.
    + color, width: with table, status in ANSI colour and lines wrapped to ``width`` columns (for a terminal).
    + csv_headers: "labels" (Excel: BOM, the language's separator, headers and words) or "ids" (stable, for scripts).
    + command, exit_code: recorded in the JSON envelope.
    + stream: with an Audit as json, a binary file the same text is written to (UTF-8) in pieces instead of
      returned (returns ""): 73 MB at 100,000 people, never held whole (render/json_stream.py).
    """
    if isinstance(obj, Audit):
        from ..render.formats import render_audit

        arguments.language(lang)
        audit = private(obj, pseudonymize=pseudonymize, aggregate_only=aggregate_only, min_group_size=min_group_size)
        if stream is not None and format == "json":
            from ..render.json_stream import write_audit_json

            write_audit_json(audit, stream, lang, command=command, exit_code=exit_code)
            return ""
        return render_audit(audit, format, lang, people=people, command=command, exit_code=exit_code,
                            csv_headers=csv_headers, color=color, width=width)
    from .results import Plan, Run  # the playbook's modules (yaml): not imported to render an audit (issue 15)

    if isinstance(obj, Plan):
        from ..render.plan import render_plan_json, render_plan_text

        if format == "json":
            return render_plan_json(obj.plan, obj.granted, exit_code=exit_code, lang=lang)
        if format == "table":
            return render_plan_text(obj.plan, obj.granted, lang)
        raise UsageError.keyed("api.plan_format", format=format)
    if isinstance(obj, Run):
        from ..render.run import render_run_json, render_run_text

        if format == "json":
            return render_run_json(obj, command=command, exit_code=exit_code, lang=lang)
        if format == "table":
            return render_run_text(obj, lang)
        raise UsageError.keyed("api.run_format", format=format)
    from ..playbook.service import UndoPreview

    if isinstance(obj, UndoPreview):
        from ..render.envelope import envelope
        from ..render.run import render_undo_preview_text, undo_preview_data

        if format == "json":
            return envelope("playbook undo", undo_preview_data(obj, lang), exit_code=exit_code)
        if format == "table":
            return render_undo_preview_text(obj, lang)
        raise UsageError.keyed("api.undo_preview_format", format=format)
    raise UsageError.keyed("api.cannot_render", error_type=type(obj).__name__)


def list_checks(area: str | None = None) -> list[CheckSpec]:
    """Every registered check (id, area, severity, title, rationale, remediation, playbook), by id."""
    from ..checks.registry import registry

    specs = list(registry().values())
    areas = sorted({s.area for s in specs})
    if area is not None and area not in areas:
        raise UsageError.keyed("api.unknown_area", area=area, items=', '.join(areas))
    return [s for s in specs if area is None or s.area == area]


def get_check(check_id: str) -> CheckSpec:
    from ..checks.registry import registry

    arguments.text(check_id, "get_check", "the check id", optional=False)
    specs = registry()
    spec = specs.get(check_id)
    if spec is None:
        close = [i for i in specs if check_id.split(".")[-1] in i] or list(specs)[:5]
        raise UsageError.keyed("api.unknown_check", check=check_id, similar=", ".join(close[:5]))
    return spec
