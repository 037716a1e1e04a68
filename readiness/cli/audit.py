"""`readiness audit`: collect a tenant (or read a snapshot) and say who can work from home."""
from __future__ import annotations

from pathlib import Path

import click

import readiness
from ..errors import Phrase
from ..exitcodes import ExitCode
from ..i18n import has, text
from ..safe_io import check_distinct, check_output
from .context import AppContext, current_lang, said, say
from .helptext import HelpCommand
from .options import (aggregate_options, connection_options, csv_headers_option, emit, emit_audit, lang_option, limit_waiting, max_wait_option,
                      one_shot, OutPath, output_options, terminal_style)


@click.command(cls=HelpCommand, name="audit")
@connection_options
@click.option("--from-snapshot", "from_snapshot", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--snapshot-out", type=OutPath(stdout=False))
@click.option("--previous-snapshot", "previous_snapshot", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_options
@click.option("--people", is_flag=True)
@aggregate_options
@csv_headers_option
@lang_option()
@click.option("--report", "report_path", type=OutPath(stdout=False), default=None,
              callback=lambda _ctx, _param, value: _check_report(value))
@click.option("--fail-on", type=click.Choice([s.value for s in readiness.Severity]), default=None)
@click.option("--prices", "prices_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@max_wait_option
@click.pass_obj
def audit(app: AppContext, tenant: str | None, graph_url: str | None, concurrency: int, from_snapshot: Path | None,
          snapshot_out: Path | None, output: str, out: Path | None, people: bool, csv_headers: str, lang: str, report_path: Path | None,
          fail_on: str | None, max_wait: float, prices_path: Path | None, previous_snapshot: Path | None = None,
          aggregate_only: bool = False, min_group_size: int = 5) -> None:
    if from_snapshot and (tenant or graph_url):
        raise click.UsageError(said("cli.audit.snapshot_or_tenant"))
    if from_snapshot and previous_snapshot:
        raise click.UsageError(said("cli.audit.previous_with_from_snapshot"))
    for path in (snapshot_out, out, report_path):  # before collecting: an output that cannot be written fails at once
        if path is not None:
            check_output(path)
    check_distinct([("--snapshot-out", snapshot_out), ("--out", out), ("--report", report_path)],  # nor one that
                   [("--from-snapshot", from_snapshot), ("--previous-snapshot", previous_snapshot),  # would replace
                    ("--prices", prices_path)])  # another output or an input
    prices = readiness.load_prices(prices_path) if prices_path else None  # before collecting: a bad file fails at once
    saving = None
    if from_snapshot:
        snapshot = readiness.load_snapshot(from_snapshot, one_shot=one_shot())
    else:
        from .announce import announce

        conn = limit_waiting(readiness.connect(tenant, graph_url, concurrency=concurrency), max_wait, app)
        announce(conn, "audit")
        previous = readiness.load_snapshot(previous_snapshot) if previous_snapshot else None
        snapshot = app.collect(conn, previous=previous)
    if snapshot_out:  # written by a thread while evaluate runs (its compression lets go of the GIL; issue 15); with
        saving = readiness.start_saving(snapshot, snapshot_out)  # --from-snapshot, the file read, written again
    result = readiness.evaluate(snapshot, prices=prices, one_shot=one_shot())
    if saving is not None:  # before anything is emitted: a failed save stops the command as it did when it came first
        saving.wait()
        app.note(say("cli.audit.saved_snapshot", path=str(snapshot_out)))
    if not from_snapshot and conn.profile is not None:  # the tenant's measures register, if it keeps one
        tracked = readiness.track_measures(result, conn.label)
        if tracked is not None:
            app.note(say("cli.measures.after_audit", done=len(tracked.done_since_last), overdue=len(tracked.overdue)))
    tripped = result.worst_failing(fail_on) if fail_on else []
    code = ExitCode.FINDINGS if tripped else ExitCode.OK
    if tripped:  # name what tripped the gate, so the CI log says what to fix
        app.note(say("cli.audit.fail_on_tripped", severity=fail_on, n=len(tripped), checks=", ".join(c.id for c in tripped)))
    failed = snapshot.failed_sections()
    if failed:
        code = ExitCode.DATA_INCOMPLETE  # wins over 0 and over --fail-on: a gate never passes on unread data
    private = {"aggregate_only": aggregate_only, "min_group_size": min_group_size}
    if report_path:
        emit(readiness.render(result, readiness.format_for(report_path), lang, people=people, command="audit",
                              exit_code=int(code), csv_headers=csv_headers, **private), report_path, query=False)
    emit_audit(result, output, lang, out, people=people, command="audit", exit_code=int(code),
               csv_headers=csv_headers, **private, **terminal_style(app, output, out))
    if failed:
        app.note(incomplete_message(failed, snapshot))
    if code:
        raise SystemExit(int(code))


def incomplete_message(failed, snapshot) -> str:  # noqa: ANN001
    """One line on stderr, in the command's language: which sections could not be read, the first reason, and what to
    do: that reason's own advice where it has one (a page past its bound: check --graph-url), else to try again later
    or allow more waiting (throttling, an unavailable service)."""
    lang = current_lang()
    names = ", ".join(s.name for s in failed[:6])
    first = failed[0]
    keyed = isinstance(first.reason, Phrase)  # a reason said by key (Section rebuilds it from reason_key/params)
    reason = first.reason.text(lang) if keyed else str(first.reason)
    fix = first.reason.key[:-len(".what")] + ".fix" if keyed and first.reason.key.endswith(".what") else ""
    named = first.reason.params.get("fix_key") if keyed else None  # its advice is another entry's (errors.error_phrase)
    if isinstance(named, str) and named.startswith("graph."):  # from a file too: only a Graph error's advice is taken
        fix = f"errors.{named}.fix"
    try:
        advice = Phrase(fix, **first.reason.params).text(lang) if fix and has(fix) else ""
    except (KeyError, ValueError, IndexError, TypeError):  # an advice that needs what this reason does not hold
        advice = ""
    advice = advice or text("cli.audit.incomplete.advice", lang)
    if snapshot.completeness() == "failed":
        what = text("cli.audit.incomplete.nothing", lang)
    else:
        what = text("cli.audit.incomplete.some", lang, n=len(failed) - 6, count=len(failed), names=names) \
            if len(failed) > 6 else text("cli.audit.incomplete.sections", lang, n=len(failed), names=names)
    return text("cli.audit.incomplete.line", lang, what=what, reason=reason.rstrip("."), advice=advice.rstrip("."))


def _check_report(path: Path | None) -> Path | None:
    """Refuse an unknown report extension at once (exit 2), not after collecting."""
    from ..render.formats import FORMATS_BY_SUFFIX

    if path is not None and path.suffix.lower() not in FORMATS_BY_SUFFIX:
        raise click.BadParameter(text("errors.usage.report_extension.what", current_lang(), name=path.name,
                                      extensions=", ".join(sorted(FORMATS_BY_SUFFIX))), param_hint="--report")
    return path
