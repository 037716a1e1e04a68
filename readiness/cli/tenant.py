"""`readiness tenant ...`: named tenant profiles for IT providers with many clients."""
from __future__ import annotations

import sys

import click

from ..errors import UsageError
from ..graph.auth import AUTH_METHODS
from ..graph.clouds import CLOUDS
from ..render.safe import terminal
from .announce import announce, default_change
from .context import AppContext, run_async, say
from .helptext import HelpGroup
from .options import complete_profiles, connection_options, emit, output_options


@click.group(cls=HelpGroup, name="tenant")
def tenant() -> None:
    pass  # help text: catalogue help.*


@tenant.command(name="add")
@click.argument("name")
@click.option("--tenant-id", "tenant_id", required=True)
@click.option("--auth", type=click.Choice(AUTH_METHODS), default="device-code", show_default=True)
@click.option("--client-id", default="")
@click.option("--cloud", type=click.Choice(sorted(CLOUDS)), default="global", show_default=True)
@click.option("--graph-url", default="")
@click.option("--usage-location", default="")
@click.option("--cert-path", default="")
@click.option("--secret-stdin", is_flag=True)
@click.option("--default", "make_default", is_flag=True)
@click.option("--tag", "tags", multiple=True)
def tenant_add(name: str, tenant_id: str, auth: str, client_id: str, cloud: str, graph_url: str,
               usage_location: str, cert_path: str, secret_stdin: bool, make_default: bool, tags: tuple[str, ...]) -> None:
    from ..config.profiles import ProfileStore, TenantProfile

    profile = TenantProfile(name, tenant_id, auth, client_id, cloud, graph_url, usage_location.upper(), cert_path,
                            tags=list(dict.fromkeys(tags)))
    profile.validate()
    if auth == "certificate":
        from ..config.certificates import check_certificate

        cert = check_certificate(cert_path)
        profile.cert_path = str(cert.path)
        click.echo(say("cli.tenant.certificate", subject=terminal(cert.subject), thumbprint=cert.thumbprint, kind=cert.kind), err=True)
    store = ProfileStore()
    if name in {p.name for p in store.list()[0]}:
        raise UsageError(say("cli.tenant.exists", name=name), say("cli.tenant.exists_fix"))
    if auth == "client-secret":
        from ..config.keystore import env_name, require_keyring, secret_from_env, store_secret

        if secret_from_env(name) and not secret_stdin:
            click.echo(say("cli.tenant.secret_from_env", variable=env_name(name)), err=True)
        else:
            require_keyring(name)  # before anyone types a secret: say at once when it could not be kept
            secret = sys.stdin.readline().strip() if secret_stdin else click.prompt(say("cli.tenant.secret_prompt"), hide_input=True, err=True)
            store_secret(name, secret)  # before the profile is written: nothing half-done if the keyring fails
    became_default, previous = store.add(profile, make_default=make_default)
    click.echo(say("cli.tenant.saved", name=name, tenant=profile.tenant, auth=auth), err=True)
    if became_default:
        click.echo(default_change(name, previous), err=True)
    elif store.list()[1] is None:
        click.echo(say("cli.tenant.no_default_add", name=name), err=True)
    if auth in ("device-code", "browser"):
        click.echo(say("cli.tenant.login_hint", name=name), err=True)


def _profile_doc(profile) -> dict:  # noqa: ANN001
    """A profile as data, without secrets: only where a secret would be."""
    from dataclasses import asdict

    doc = asdict(profile)
    doc.pop("extra", None)
    if profile.auth == "client-secret":
        from ..config.keystore import env_name

        doc["secret"] = f"in the OS keyring (or {env_name(profile.name)})"
    return doc


@tenant.command(name="list")
@output_options(formats=("table", "json", "csv"))
def tenant_list(output: str, out=None) -> None:  # noqa: ANN001
    from tabulate import tabulate

    from ..config.profiles import ProfileStore

    profiles, default = ProfileStore().list()
    if not profiles:
        click.echo(say("cli.tenant.none"), err=True)
    elif default is None:
        click.echo(say("cli.tenant.no_default"), err=True)
    if output == "json":
        from ..render.envelope import envelope

        emit(envelope("tenant list", [{**_profile_doc(p), "default": p.name == default} for p in profiles]), out)
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
    emit(tabulate(rows, headers=["", "name", "tenant", "auth", "cloud / url", "usage loc."], disable_numparse=True) + "\n", out)


@tenant.command(name="show")
@click.argument("name", shell_complete=complete_profiles)
@output_options(formats=("table", "json"))
def tenant_show(name: str, output: str, out=None) -> None:  # noqa: ANN001
    from ..config.profiles import ProfileStore

    doc = _profile_doc(ProfileStore().get(name))
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
    from ..paths import data_dir
    from ..config.profiles import ProfileStore

    store = ProfileStore()
    store.get(name)
    if not yes and not click.confirm(say("cli.tenant.remove_prompt", name=name), err=True):
        raise click.exceptions.Abort()
    profile, was_default = store.remove(name)
    if profile.auth == "client-secret":
        from ..config.keystore import delete_secret

        delete_secret(name)
    record = data_dir() / "auth" / f"{name}.json"
    if record.exists():
        record.unlink()
    click.echo(say("cli.tenant.removed", name=name), err=True)
    if was_default:
        left = store.list()[0]
        click.echo(say("cli.tenant.was_default_others" if left else "cli.tenant.was_default", name=name), err=True)


@tenant.command(name="default")
@click.argument("name", shell_complete=complete_profiles)
def tenant_default(name: str) -> None:
    from ..config.profiles import ProfileStore

    previous = ProfileStore().set_default(name)
    if previous == name:
        click.echo(say("cli.tenant.already_default", name=name), err=True)
    else:
        click.echo(default_change(name, previous), err=True)


@tenant.command(name="secret")
@click.argument("name", shell_complete=complete_profiles)
@click.option("--secret-stdin", is_flag=True)
def tenant_secret(name: str, secret_stdin: bool) -> None:
    from ..config.keystore import require_keyring, store_secret
    from ..config.profiles import ProfileStore

    ProfileStore().get(name)
    require_keyring(name)  # before the prompt
    secret = sys.stdin.readline().strip() if secret_stdin else click.prompt(say("cli.tenant.secret_prompt"), hide_input=True, err=True)
    store_secret(name, secret)
    click.echo(say("cli.tenant.stored"), err=True)


@tenant.command(name="login")
@click.argument("name", shell_complete=complete_profiles)
def tenant_login(name: str) -> None:
    from ..config.connection import resolve
    from ..config.profiles import ProfileStore
    from ..graph.auth import credential_for_profile
    from ..paths import data_dir, write_private

    profile = ProfileStore().get(name)
    if profile.auth not in ("device-code", "browser"):
        raise UsageError(say("cli.tenant.no_interactive", name=name, auth=profile.auth), say("cli.tenant.no_interactive_fix"))
    conn = resolve(name, None)
    announce(conn, "login")
    endpoint = conn.endpoint
    cred = credential_for_profile(profile, endpoint, interactive=True, record_dir=data_dir() / "auth",
                                  prompt=lambda text: click.echo(text, err=True))
    try:
        record = cred._cred.authenticate(scopes=[endpoint.scope])
    except Exception as exc:
        from ..graph.auth import _auth_error

        raise _auth_error(exc) from exc
    write_private(data_dir() / "auth" / f"{name}.json", record.serialize())
    click.echo(say("cli.tenant.signed_in_as", user=record.username), err=True)


@tenant.command(name="test")
@click.argument("name", required=False, shell_complete=complete_profiles)
@connection_options
@output_options(formats=("table", "json"))
@click.pass_obj
def tenant_test(app: AppContext, name: str | None, tenant: str | None, graph_url: str | None, concurrency: int,
                output: str, out=None) -> None:  # noqa: ANN001
    from tabulate import tabulate

    from ..config.connection import resolve
    from ..graph.permissions import FEATURES, check, granted_permissions

    conn = resolve(name or tenant, graph_url)
    announce(conn, "test")

    async def probe() -> tuple[str, int, int]:
        client = app.open_client(conn, concurrency=concurrency)
        try:
            token = await client.access_token()
            resp = await client.request("GET", "/subscribedSkus", check=False)
            page = resp.json() if resp.ok else None
            value = page.get("value") if isinstance(page, dict) else None
            return token, resp.status, len(value) if isinstance(value, list) else 0
        finally:
            await client.aclose()

    token, status, skus = run_async(probe())  # a 401 raises TokenRejected: the token is refused, not "signed in"
    granted = granted_permissions(token)
    checked = {feature: [(need, ok, via) for need, ok, via in check(granted, needs)] for feature, needs in FEATURES.items()} \
        if granted is not None else {}
    missing_total = sum(not ok for rows in checked.values() for _n, ok, _v in rows)
    if output == "json":  # never the token itself: its expiry and what it grants
        from ..render.envelope import envelope

        emit(envelope("tenant test", {
            "tenant": conn.label, "url": conn.endpoint.base_url, "status": status, "subscriptions": skus,
            "token_expires": token_expiry(token), "permissions_readable": granted is not None, "missing": missing_total,
            "features": {feature: [{"permission": need.permission, "granted": ok, "via": via if ok else None,
                                    "purpose": need.purpose} for need, ok, via in rows] for feature, rows in checked.items()},
        }), out)
    else:
        at = "" if conn.profile is not None else "_at"  # --graph-url: the URL is the tenant's name; said once
        head = (say(f"cli.tenant.tested_skus{at}", tenant=conn.label, url=conn.endpoint.base_url, status=str(status), n=skus)
                if status == 200 else say(f"cli.tenant.tested{at}", tenant=conn.label, url=conn.endpoint.base_url, status=str(status)))
        lines = [terminal(head), token_expiry_line(token)]
        if granted is None:
            lines.append(say("cli.tenant.opaque_token"))
        for feature, rows in checked.items():
            table = [[say("plan.granted") if ok else say("plan.missing"),
                      need.permission + (" " + say("cli.tenant.via", permission=via) if ok and via != need.permission else ""),
                      need.purpose] for need, ok, via in rows]
            lines += ["", f"{feature}:", tabulate(table, headers=["", say("cli.tenant.permission"), say("cli.tenant.needed_for")],
                                                 disable_numparse=True)]
        emit("\n".join(lines) + "\n", out)
    if missing_total:
        click.echo("\n" + say("cli.tenant.missing_permissions", n=missing_total), err=True)


def token_expiry(token: str) -> str | None:
    """The token's ``exp`` claim as an ISO time (UTC), or None (not a JWT; display only, not verified)."""
    from datetime import datetime, timezone

    from ..graph.auth import token_claims

    exp = token_claims(token).get("exp")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        return None
    return datetime.fromtimestamp(exp, timezone.utc).isoformat().replace("+00:00", "Z")


def token_expiry_line(token: str, now: float | None = None) -> str:
    """When the token expires, read from its JWT ``exp`` claim (the signature is not verified: display only)."""
    import time
    from datetime import datetime, timezone

    from ..graph.auth import token_claims

    exp = token_claims(token).get("exp")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        return say("cli.tenant.expiry_unknown")
    left = exp - (time.time() if now is None else now)
    when = datetime.fromtimestamp(exp, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if left <= 0:
        return say("cli.tenant.expired", when=when)
    return say("cli.tenant.expires", when=when, hours=int(left // 3600), minutes=int(left % 3600 // 60))
