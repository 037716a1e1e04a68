"""`readiness audit`: collect a tenant (or read a snapshot) and say who can work from home."""
from __future__ import annotations

from pathlib import Path

import click

import readiness
from ..exitcodes import ExitCode
from ..i18n import text
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
            app.note(f"Measures: {len(tracked.done_since_last)} done since the last audit, {len(tracked.overdue)} overdue")
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
    """One line on stderr: which sections could not be read, the first reason, and what to do."""
    names = ", ".join(s.name for s in failed[:6]) + (f" and {len(failed) - 6} more" if len(failed) > 6 else "")
    nothing = snapshot.completeness() == "failed"
    what = "No data could be read" if nothing else f"{len(failed)} section(s) could not be read ({names})"
    return (f"Error: {what}: {failed[0].reason.rstrip('.')}. The result is incomplete (exit code 6); "
            "try again later or allow more waiting with --max-wait.")


def _check_report(path: Path | None) -> Path | None:
    """Refuse an unknown report extension at once (exit 2), not after collecting."""
    from ..render.formats import FORMATS_BY_SUFFIX

    if path is not None and path.suffix.lower() not in FORMATS_BY_SUFFIX:
        raise click.BadParameter(text("errors.usage.report_extension.what", current_lang(), name=path.name,
                                      extensions=", ".join(sorted(FORMATS_BY_SUFFIX))), param_hint="--report")
    return path
