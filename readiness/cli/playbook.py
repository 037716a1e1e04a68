"""`readiness playbook ...`: plan first, apply safely, resume, verify, undo."""
from __future__ import annotations

from typing import Any

from pathlib import Path

import click

from ..errors import UsageError
from ..exitcodes import ExitCode
from ..i18n import has, resolve as resolve_text, when
from .announce import announce
from ..i18n import ui_lang
from . import context
from .context import AppContext, said, say, terminal_lang
from ..render.safe import terminal as esc
from .helptext import HelpGroup
from .options import (complete_playbooks, complete_playbooks_and_files, complete_runs, connection_hint, connection_options,
                      emit, limit_waiting, max_wait_option, OutPath, output_options, params_option, require_yes_or_terminal,
                      yes_option)


def _envelope(command: str, data: Any, **kwargs: Any) -> str:
    from ..render.envelope import envelope

    return envelope(command, data, **kwargs)


def _confirmer(yes: bool):  # noqa: ANN202
    def confirm(plan) -> bool:  # noqa: ANN001
        if yes:
            return True
        if not context.interactive():
            raise UsageError(said("cli.playbook.no_terminal"), said("cli.playbook.no_terminal_fix"))
        return click.confirm(say("cli.playbook.confirm", n=len(plan.changes), tenant=plan.tenant), default=False, err=True)
    return confirm


@click.group(cls=HelpGroup, name="playbook")
def playbook() -> None:
    pass  # help text: catalogue help.*


@playbook.command(name="list")
@output_options(formats=("table", "json"))
def playbook_list(output: str, out: Path | None) -> None:
    import readiness

    books = []
    for name in readiness.list_playbooks():
        pb = readiness.load_playbook(name)
        key = f"steps.playbooks.{name}"
        books.append((name, say(key) if has(key) else pb.description, [s.id for s in pb.steps]))
    if output == "json":
        emit(_envelope("playbook list", [{"name": n, "description": d, "steps": st} for n, d, st in books]), out)
        return
    emit("".join(f"{n}\n    {esc(d)}\n    {say('steps.list.steps', steps=', '.join(st))}\n\n" for n, d, st in books), out)


@playbook.command(name="show")
@click.argument("name", shell_complete=complete_playbooks)
@output_options(formats=("yaml", "json"), default="yaml")
def playbook_show(name: str, output: str, out: Path | None) -> None:
    import readiness

    source = readiness.playbook_source(name)
    if output == "json":
        import yaml

        emit(_envelope("playbook show", {"name": name, "playbook": yaml.safe_load(source)}), out)
        return
    emit(source, out)


def _params_doc(model: Any) -> list[dict]:
    """A step model's parameters as data: name, type, required, default (for -o json)."""
    import typing

    out = []
    for name, f in model.model_fields.items():
        kind = f.annotation
        kind = getattr(kind, "__name__", None) if typing.get_origin(kind) is None else str(kind).replace("typing.", "")
        default = None if f.is_required() else (f.default_factory() if f.default_factory is not None else f.default)
        out.append({"name": name, "type": kind or str(f.annotation).replace("typing.", ""), "required": f.is_required(),
                    "default": default})
    return out


@playbook.command(name="actions")
@output_options(formats=("table", "json"))
def playbook_actions(output: str = "table", out: Path | None = None) -> None:
    import readiness

    from ..render.plan import param_lines

    actions = readiness.list_actions

    if output == "json":
        emit(_envelope("playbook actions", [{"name": a.name, "title": resolve_text(a.title, ui_lang()),
                                             "irreversible": a.irreversible, "permissions": list(a.permissions),
                                             "params": _params_doc(a.params)} for a in actions()]), out)
        return
    lines = []
    for a in actions():
        undo = say("steps.list.irreversible" if a.irreversible else "steps.list.undoable")
        lines.append(f"{a.name}: {esc(resolve_text(a.title, ui_lang()))} ({undo})\n"
                     f"    {say('steps.list.permissions', permissions=', '.join(a.permissions))}")
        lines += [f"    {line}" for line in param_lines(a.params, ui_lang())]
        lines.append("")
    emit("\n".join(lines) + "\n", out)


@playbook.command(name="validate")
@click.argument("file")
@output_options(formats=("table", "json"))
def playbook_validate(file: str, output: str, out: Path | None) -> None:
    import readiness

    pb = readiness.load_playbook(file)
    if output == "json":
        emit(_envelope("playbook validate", {"source": str(pb.source), "valid": True, "steps": [
            {"id": s.id, "action": s.action} for s in pb.steps]}), out)
        return
    emit(say("cli.playbook.valid", source=str(pb.source), n=len(pb.steps), actions=", ".join(s.action for s in pb.steps)) + "\n", out)


@playbook.command(name="plan")
@click.argument("playbook_ref", metavar="NAME|FILE", shell_complete=complete_playbooks)
@connection_options
@click.option("--from-snapshot", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@params_option()
@click.option("--usage-location", default="")
@output_options(formats=("table", "json"), out=False)
@click.option("--out", type=OutPath(stdout=False), metavar="FILE")
@click.option("--detailed-exitcode", is_flag=True)
@max_wait_option
@click.pass_obj
def playbook_plan(app: AppContext, playbook_ref: str, tenant: str | None, graph_url: str | None, concurrency: int,
                  from_snapshot: Path | None, params: dict[str, str], usage_location: str, output: str, out: Path | None,
                  detailed_exitcode: bool, max_wait: float) -> None:
    import readiness

    from ..render.plan import render_plan_json, render_plan_text

    if from_snapshot:
        source = readiness.load_snapshot(from_snapshot)
    else:
        source = limit_waiting(readiness.connect(tenant, graph_url, concurrency=concurrency), max_wait, app)
        announce(source, "plan")
    planned = readiness.plan(playbook_ref, source, params=params, usage_location=usage_location, progress=app.progress)
    plan = planned.plan
    code = ExitCode.CHANGES_PENDING if (detailed_exitcode and plan.changes) else ExitCode.OK
    if out:
        readiness.save_plan(planned, out)
        app.note(say("cli.playbook.saved_plan", path=str(out), connection=connection_hint(tenant, graph_url)))
    emit(render_plan_json(plan, planned.granted, exit_code=int(code), lang=ui_lang()) if output == "json" else render_plan_text(plan, planned.granted, ui_lang()), None)
    if code:
        raise SystemExit(int(code))


@playbook.command(name="apply")
@click.argument("ref", metavar="PLAN|NAME|FILE", shell_complete=complete_playbooks_and_files)
@connection_options
@params_option()
@yes_option
@max_wait_option
@output_options(formats=("table", "json"))
@click.pass_obj
def playbook_apply(app: AppContext, ref: str, tenant: str | None, graph_url: str | None, concurrency: int,
                   params: dict[str, str], yes: bool, max_wait: float, output: str = "table", out: Path | None = None) -> None:
    import readiness

    conn = limit_waiting(readiness.connect(tenant, graph_url, concurrency=concurrency, writes=True), max_wait, app)
    require_yes_or_terminal(yes)  # before any request: nobody can be asked, and nobody said yes
    announce(conn, "apply")
    # a saved plan is told from a playbook by its content (readiness.apply refuses --param with a plan)
    _finish(readiness.apply(ref, conn, confirm=_confirmer(yes), progress=app.progress, params=params),
            output, out, "playbook apply", connection_hint(tenant, graph_url))


def _finish(run: Any, output: str = "table", out: Path | None = None, command: str = "playbook apply",
            connection: str = "--tenant ...") -> None:
    """A readiness.Run said on stdout (table or JSON), its failures on stderr; exit 5 when it is incomplete."""
    code = int(ExitCode.APPLY_INCOMPLETE) if run.run_id is not None and not run.complete else 0
    if output == "json":
        data = {"run": None, "nothing_to_do": True} if run.run_id is None else {
            "run": run.run_id, "nothing_to_do": False, "done": run.done, "adopted": run.adopted, "complete": run.complete,
            "failed": [{"change": c, "error": str(e)} for c, e in run.failed],
            "unknown": [{"change": c, "why": str(w)} for c, w in run.unknown], "skipped_steps": list(run.skipped_steps)}
        emit(_envelope(command, data, exit_code=code, status="success" if not code else "partial"), out)
    elif run.run_id is None:
        emit(say("run.nothing_to_do") + "\n", out)
        return
    else:
        lines = [say("run.result", run=run.run_id, n=run.done, adopted=run.adopted, failed=len(run.failed))]
        if run.unknown:
            lines.append(say("run.unknown_count", n=len(run.unknown)))
        emit("\n".join(lines) + "\n", out)
    if run.run_id is None:
        return
    for cid, error in run.failed[:10]:
        click.echo("  " + say("run.failed", change=esc(cid), error=esc(str(error))), err=True)
    for cid, why in run.unknown[:10]:
        click.echo("  " + say("run.unknown", change=esc(cid), why=esc(why)), err=True)
    if not run.complete:
        click.echo(say("cli.playbook.incomplete", run=run.run_id, connection=connection), err=True)
        raise SystemExit(int(ExitCode.APPLY_INCOMPLETE))


@playbook.command(name="resume")
@click.argument("run_id", shell_complete=complete_runs)
@connection_options
@yes_option
@output_options(formats=("table", "json"))
@click.pass_obj
def playbook_resume(app: AppContext, run_id: str, tenant: str | None, graph_url: str | None, concurrency: int,
                    yes: bool, output: str = "table", out: Path | None = None) -> None:
    import readiness

    conn = readiness.connect(tenant, graph_url, concurrency=concurrency, writes=True)
    require_yes_or_terminal(yes)  # resume changes the tenant: not without a yes, before any request
    announce(conn, "resume")
    if not yes:  # resume changes the tenant like apply does: the same question first
        info = readiness.run_info(run_id)
        if not click.confirm(say("cli.playbook.confirm_resume", run=run_id, n=info.total, tenant=info.tenant),
                             default=False, err=True):
            raise click.Abort()
    _finish(readiness.resume(run_id, conn, progress=app.progress), output, out, "playbook resume",
            connection_hint(tenant, graph_url))


@playbook.command(name="verify")
@click.argument("run_id", shell_complete=complete_runs)
@connection_options
@max_wait_option
@output_options(formats=("table", "json"))
@click.pass_obj
def playbook_verify(app: AppContext, run_id: str, tenant: str | None, graph_url: str | None, concurrency: int,
                    max_wait: float, output: str = "table", out: Path | None = None) -> None:
    import readiness

    from ..render.plan import render_plan_text

    conn = limit_waiting(readiness.connect(tenant, graph_url, concurrency=concurrency), max_wait, app)
    announce(conn, "verify")
    v = readiness.verify(run_id, conn, progress=app.progress)
    code = 0 if v.verified else int(ExitCode.CHANGES_PENDING)
    if output == "json":
        import json

        from ..render.plan import render_plan_json

        lang = ui_lang()
        emit(_envelope("playbook verify", {
            "run": run_id, "playbook": v.plan.playbook, "verified": v.verified,
            "problems": [{"target": resolve_text(t, lang), "problem": resolve_text(p, lang)} for t, p in v.problems],
            "plan": json.loads(render_plan_json(v.plan)).get("data")}, exit_code=code,
            status="success" if v.verified else "partial"), out)
    elif not v.verified:
        text = render_plan_text(v.plan, lang=ui_lang()) if (v.plan.changes or v.plan.blocked) else ""
        lines = [say("cli.playbook.not_whole", n=len(v.problems))] if v.problems else []
        lines += [f"  {esc(resolve_text(target, ui_lang()))}: {esc(resolve_text(problem, ui_lang()))}" for target, problem in v.problems]
        lines.append(say("cli.playbook.not_verified", n=len(v.plan.changes)))
        emit(text + "\n".join(lines) + "\n", out)
    else:
        emit(say("cli.playbook.verified", playbook=esc(v.plan.playbook)) + "\n", out)
    if code:
        raise SystemExit(code)


@playbook.command(name="undo")
@click.argument("run_id", shell_complete=complete_runs)
@connection_options
@yes_option
@output_options(formats=("table", "json"))
@click.pass_obj
def playbook_undo(app: AppContext, run_id: str, tenant: str | None, graph_url: str | None, concurrency: int, yes: bool,
                  output: str = "table", out: Path | None = None) -> None:
    import readiness

    from ..render.plan import render_plan_text
    from ..render.run import render_undo_preview_text

    conn = readiness.connect(tenant, graph_url, concurrency=concurrency, writes=True)
    require_yes_or_terminal(yes)  # undo changes the tenant: not without a yes, before any request
    announce(conn, "undo")
    to_stderr = output != "table" or out is not None  # the result alone goes where the user asked for it

    def show(preview) -> None:  # noqa: ANN001 - readiness.UndoPreview
        click.echo(render_plan_text(preview.plan, lang=ui_lang()), nl=False, err=to_stderr)
        click.echo(render_undo_preview_text(preview, ui_lang()), nl=False, err=to_stderr)
        if not preview.plan.changes:
            click.echo(say("cli.playbook.nothing_to_undo"), err=to_stderr)

    def confirm(undo) -> bool:  # noqa: ANN001  (asked like resume: after the warnings above)
        return yes or click.confirm(say("run.confirm_undo", n=len(undo.changes), tenant=undo.tenant), default=False, err=True)

    run = readiness.undo(run_id, conn, confirm=confirm, progress=app.progress, preview=show)
    if run.run_id is not None or output == "json":
        _finish(run, output, out, "playbook undo", connection_hint(tenant, graph_url))


@playbook.command(name="runs")
@output_options(formats=("table", "json", "csv"))
def playbook_runs(output: str, out: Path | None) -> None:
    import readiness
    from tabulate import tabulate

    runs = readiness.runs()
    label = {r.run_id: f"undo {r.undo_of}" if r.undo_of else r.playbook for r in runs}
    fields = ("run", "started", "playbook", "tenant", "done", "status")
    if output == "json":
        emit(_envelope("playbook runs", [{"run": r.run_id, "started": r.created, "playbook": label[r.run_id],
                                          "tenant": r.tenant, "done": r.done, "total": r.total, "status": r.status}
                                         for r in runs]), out)
        return
    if output == "csv":
        import csv
        import io

        from ..render.safe import csv_cell

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([*fields, "total"])
        for r in runs:
            w.writerow([csv_cell(str(v)) for v in (r.run_id, r.created, label[r.run_id], r.tenant, r.done, r.status, r.total)])
        emit(buf.getvalue(), out)
        return
    lang = terminal_lang()

    def status(value: str) -> str:
        key = f"cli.playbook.run_statuses.{value}"
        return say(key) if has(key, lang) else esc(value)

    rows = [[r.run_id, when(r.created, lang) if r.created else "-", esc(label[r.run_id]), esc(r.tenant), f"{r.done}/{r.total}",
             status(r.status)] for r in runs]
    headers = [say(f"cli.playbook.runs_headers.{h}") for h in fields]
    emit((tabulate(rows, headers=headers, disable_numparse=True) if rows else say("cli.playbook.no_runs")) + "\n", out)


@playbook.command(name="timeline")
@click.argument("run_id", shell_complete=complete_runs)
@output_options(formats=("table", "json"))
def playbook_timeline(run_id: str, output: str, out: Path | None) -> None:
    import readiness

    t = readiness.timeline(run_id)
    if output == "json":
        emit(_envelope("playbook timeline", {"run": t.run_id, "meta": t.meta, "entries": t.entries}), out)
        return
    meta = t.meta
    lines = [say("cli.playbook.timeline_head", run=t.run_id, playbook=esc(t.playbook), tenant=esc(str(meta.get("tenant"))),
                   endpoint=esc(str(meta.get("endpoint"))), started=str(meta.get("created")))]
    for e in t.entries:
        what = e.get("phase", "")
        if what == "summary":
            r = e.get("requests") or {}
            lines.append(f"{e['ts']}  summary  " + say("cli.playbook.timeline_summary", requests=r.get("requests", 0),
                                                          retries=r.get("retries", 0), throttled=r.get("throttled", 0),
                                                          waited=r.get("throttled_seconds", 0)))
            continue
        extra = e.get("error") or e.get("how") or e.get("confirmed") or (f"part {e['part']}" if "part" in e else "") or (f"HTTP {e['status']}" if e.get("status") else "")
        lines.append(f"{e['ts']}  {what:<8} {esc(str(e.get('change', '')))}  {esc(str(extra))}")
    emit("\n".join(lines) + "\n", out)
