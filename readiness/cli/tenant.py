"""`readiness tenant ...`: named tenant profiles for IT providers with many clients (clients of readiness.*_tenant)."""
from __future__ import annotations

import sys

import click

import readiness
from ..render.safe import terminal
from .announce import announce, default_change
from ..i18n import has, labels, when as said_when
from .context import AppContext, say, terminal_lang
from .helptext import HelpGroup
from .options import complete_profiles, connection_options, emit, output_options


@click.group(cls=HelpGroup, name="tenant")
def tenant() -> None:
    pass  # help text: catalogue help.*


def _secret_reader(secret_stdin: bool):  # noqa: ANN202
    """Where the client secret comes from: one line of stdin, or a hidden prompt (never an argument)."""
    if secret_stdin:
        return lambda: sys.stdin.readline().strip()
    return lambda: click.prompt(say("cli.tenant.secret_prompt"), hide_input=True, err=True)


@tenant.command(name="add")
@click.argument("name")
@click.option("--tenant-id", "tenant_id", required=True)
@click.option("--auth", type=click.Choice(readiness.AUTH_METHODS), default="device-code", show_default=True)
@click.option("--client-id", default="")
@click.option("--cloud", type=click.Choice(readiness.CLOUD_NAMES), default="global", show_default=True)
@click.option("--graph-url", default="")
@click.option("--usage-location", default="")
@click.option("--cert-path", default="")
@click.option("--secret-stdin", is_flag=True)
@click.option("--default", "make_default", is_flag=True)
@click.option("--tag", "tags", multiple=True)
def tenant_add(name: str, tenant_id: str, auth: str, client_id: str, cloud: str, graph_url: str,
               usage_location: str, cert_path: str, secret_stdin: bool, make_default: bool, tags: tuple[str, ...]) -> None:
    added = readiness.add_tenant(name, tenant_id, auth=auth, client_id=client_id, cloud=cloud, graph_url=graph_url,
                                 usage_location=usage_location, cert_path=cert_path, tags=tags, make_default=make_default,
                                 secret=_secret_reader(secret_stdin), secret_from_env=not secret_stdin)
    if added.certificate:
        subject, thumbprint, kind = added.certificate
        click.echo(say("cli.tenant.certificate", subject=terminal(subject), thumbprint=thumbprint, kind=kind), err=True)
    if added.secret_from == "environment":
        click.echo(say("cli.tenant.secret_from_env", variable=added.secret_env), err=True)
    click.echo(say("cli.tenant.saved", name=name, tenant=added.profile.tenant, auth=auth), err=True)
    if added.became_default:
        click.echo(default_change(name, added.previous_default), err=True)
    elif added.no_default:
        click.echo(say("cli.tenant.no_default_add", name=name), err=True)
    if added.needs_login:
        click.echo(say("cli.tenant.login_hint", name=name), err=True)


@tenant.command(name="list")
@output_options(formats=("table", "json", "csv"))
def tenant_list(output: str, out=None) -> None:  # noqa: ANN001
    from tabulate import tabulate

    found = readiness.list_tenants()
    profiles, default = found.profiles, found.default
    if not profiles:
        click.echo(say("cli.tenant.none"), err=True)
    elif default is None:
        click.echo(say("cli.tenant.no_default"), err=True)
    if output == "json":
        from ..render.envelope import envelope

        emit(envelope("tenant list", [{**readiness.tenant_record(p), "default": p.name == default} for p in profiles]), out)
        return
    columns = ["name", "tenant", "auth", "cloud", "graph_url", "usage_location", "tags"]
    if output == "csv":
        import csv
        import io

        from ..render.safe import csv_cell

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["default", *columns])
        for p in profiles:
            w.writerow([csv_cell("yes" if p.name == default else "")] + [csv_cell(";".join(v) if isinstance(v, list) else str(v or ""))
                                                                        for v in (getattr(p, c, "") for c in columns)])
        emit(buf.getvalue(), out)
        return
    if not profiles:
        return
    rows = [[("*" if p.name == default else ""), terminal(p.name), terminal(p.tenant), p.auth, terminal(p.graph_url or p.cloud),
             terminal(p.usage_location or "-")] for p in profiles]
    C = labels(terminal_lang())["cli"]["tenant"]["columns"]["list"]
    emit(tabulate(rows, headers=["", C["name"], C["tenant"], C["auth"], C["cloud"], C["usage"]], disable_numparse=True) + "\n", out)


@tenant.command(name="show")
@click.argument("name", shell_complete=complete_profiles)
@output_options(formats=("table", "json"))
def tenant_show(name: str, output: str, out=None) -> None:  # noqa: ANN001
    doc = readiness.tenant_record(readiness.get_tenant(name))
    if output == "json":
        from ..render.envelope import envelope

        emit(envelope("tenant show", doc), out)
        return
    from tabulate import tabulate

    rows = [[k, terminal(", ".join(map(str, v)) if isinstance(v, list) else str(v))] for k, v in doc.items()]
    emit(tabulate(rows, tablefmt="plain", disable_numparse=True) + "\n", out)


@tenant.command(name="remove")
@click.argument("name", shell_complete=complete_profiles)
@click.option("-y", "--yes", is_flag=True)
def tenant_remove(name: str, yes: bool) -> None:
    readiness.get_tenant(name)
    if not yes and not click.confirm(say("cli.tenant.remove_prompt", name=name), err=True):
        raise click.exceptions.Abort()
    removed = readiness.remove_tenant(name)
    click.echo(say("cli.tenant.removed", name=name), err=True)
    if removed.was_default:
        click.echo(say("cli.tenant.was_default_others" if removed.others_left else "cli.tenant.was_default", name=name), err=True)


@tenant.command(name="default")
@click.argument("name", shell_complete=complete_profiles)
def tenant_default(name: str) -> None:
    previous = readiness.set_default_tenant(name)
    if previous == name:
        click.echo(say("cli.tenant.already_default", name=name), err=True)
    else:
        click.echo(default_change(name, previous), err=True)


@tenant.command(name="secret")
@click.argument("name", shell_complete=complete_profiles)
@click.option("--secret-stdin", is_flag=True)
def tenant_secret(name: str, secret_stdin: bool) -> None:
    readiness.store_secret(name, _secret_reader(secret_stdin))
    click.echo(say("cli.tenant.stored"), err=True)


@tenant.command(name="login")
@click.argument("name", shell_complete=complete_profiles)
def tenant_login(name: str) -> None:
    user = readiness.login(name, prompt=lambda text: click.echo(text, err=True),
                           starting=lambda conn: announce(conn, "login"))
    click.echo(say("cli.tenant.signed_in_as", user=user), err=True)


@tenant.command(name="test")
@click.argument("name", required=False, shell_complete=complete_profiles)
@connection_options
@output_options(formats=("table", "json"))
@click.pass_obj
def tenant_test(app: AppContext, name: str | None, tenant: str | None, graph_url: str | None, concurrency: int,
                output: str, out=None) -> None:  # noqa: ANN001
    from tabulate import tabulate

    conn = readiness.connect(name or tenant, graph_url, concurrency=concurrency)
    announce(conn, "test")
    result = readiness.check_tenant(conn)  # a 401 raises TokenRejected: the token is refused, not "signed in"
    if output == "json":  # never the token itself: its expiry and what it grants
        from ..render.envelope import envelope

        emit(envelope("tenant test", {
            "tenant": result.tenant, "url": result.url, "status": result.status, "subscriptions": result.subscriptions,
            "token_expires": result.token_expires, "permissions_readable": result.permissions_readable,
            "missing": result.missing,
            "features": {feature: [{"permission": r.permission, "granted": r.granted, "via": r.via,
                                    "purpose": r.purpose} for r in rows] for feature, rows in result.features.items()},
        }), out)
    else:
        at = "" if result.by_profile else "_at"  # --graph-url: the URL is the tenant's name; said once
        status = str(result.status)
        head = (say(f"cli.tenant.tested_skus{at}", tenant=result.tenant, url=result.url, status=status, n=result.subscriptions)
                if result.status == 200 else say(f"cli.tenant.tested{at}", tenant=result.tenant, url=result.url, status=status))
        lines = [terminal(head), token_expiry_line(result.expires_at)]
        if not result.permissions_readable:
            lines.append(say("cli.tenant.opaque_token"))
        for feature, rows in result.features.items():
            table = [[say("plan.granted") if r.granted else say("plan.missing"),
                      r.permission + (" " + say("cli.tenant.via", permission=r.via) if r.granted and r.via != r.permission else ""),
                      _purpose(feature, r.permission, r.purpose)] for r in rows]
            lines += ["", f"{_purpose('headings', feature, feature)}:", tabulate(table, headers=["", say("cli.tenant.permission"), say("cli.tenant.needed_for")],
                                                 disable_numparse=True)]
        emit("\n".join(lines) + "\n", out)
    if result.missing:
        click.echo("\n" + say("cli.tenant.missing_permissions", n=result.missing), err=True)


def _purpose(feature: str, permission: str, english: str) -> str:
    """What a permission is needed for, in the terminal's language (the catalogue's permission_purposes)."""
    key = f"permission_purposes.{feature}.{permission.replace('.', '_')}"
    return say(key) if has(key, terminal_lang()) else english


def token_expiry_line(token_or_exp: str | float | None, now: float | None = None) -> str:
    """When the token expires (its ``exp`` claim, or the claim itself; the signature is not verified: display only)."""
    import time
    from datetime import datetime, timezone

    exp = readiness.token_expires_at(token_or_exp) if isinstance(token_or_exp, str) else token_or_exp
    if exp is None:
        return say("cli.tenant.expiry_unknown")
    left = exp - (time.time() if now is None else now)
    when = said_when(datetime.fromtimestamp(exp, timezone.utc).isoformat(), terminal_lang())  # 02.12.2026, 21:42 UTC
    if left <= 0:
        return say("cli.tenant.expired", when=when)
    return say("cli.tenant.expires", when=when, hours=int(left // 3600), minutes=int(left % 3600 // 60))
