"""`readiness fleet demo`: the MSP experience end to end against a simulated fleet, in well under a minute.

A fleet simulator on 127.0.0.1 (varied clients, one without consent, one throttling hard), onboarded from
its CSV into a private, temporary profile store; audited; one client fixed; audited again to show the drift.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterator

Progress = Callable[[str], None]


@contextlib.contextmanager
def _scoped_env(values: dict[str, str]) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_demo(count: int, out_dir: Path | None, lang: str, progress: Progress) -> str:
    from ..errors import Phrase
    from ..i18n import text
    from ..graph.auth import token_env_name
    from ..render.fleet import render_fleet
    from ..simulator.fleet import generate_fleet
    from .simulated import onboarding
    from ..simulator.server import SimulatorServer
    from .audit import FleetOptions, audit_fleet
    from .onboard import import_profiles

    with tempfile.TemporaryDirectory(prefix="readiness-fleet-demo-") as tmp:
        root = Path(tmp)
        out = out_dir or root / "audits"
        progress(Phrase("cli.progress.fleet_demo_generating", n=count))
        sim = generate_fleet(count, max_size=300, throttle_retry_after=30)
        with SimulatorServer(sim) as srv:
            ob = onboarding(sim, srv.base_url)
            csv_path = root / "clients.csv"
            csv_path.write_text(ob.csv, "utf-8")
            env = {"READINESS_HOME": str(root / "home")}
            env.update({token_env_name(n): t for n, t in ob.tokens.items()})
            with _scoped_env(env):
                report = import_profiles(csv_path)
                progress(Phrase("cli.progress.fleet_demo_imported", n=len(report.added), file=csv_path.name))
                names = [r.name for r in report.added]
                opts = FleetOptions(out_dir=out, concurrency=6, max_wait=2.0, lang=lang)
                first = asyncio.run(audit_fleet(names, opts, progress))
                fixed_tenant = next(e["name"] for e in first if e["status"] != "failed" and
                                    (e.get("checks") or {}).get("sharing.anyone_links", {}).get("status") == "fail")
                progress(Phrase("cli.progress.fleet_demo_fix", tenant=fixed_tenant))
                with sim[fixed_tenant].sim.tenant.lock:
                    sim[fixed_tenant].sim.tenant.sharepoint_settings["sharingCapability"] = "externalUserSharingOnly"
                progress(Phrase("cli.progress.fleet_demo_again"))
                second = asyncio.run(audit_fleet(names, opts, progress))
        table = render_fleet(second, "table", lang, command="fleet demo")
        html_path = out / "fleet.html"
        if out_dir is not None:
            from .runner import write_private

            for e in second:
                if (e.get("files") or {}).get("report"):
                    e["report_href"] = f"{e['name']}/{e['files']['report']}"

            write_private(html_path, render_fleet(second, "html", lang))
        drift = next(e for e in second if e["name"] == fixed_tenant)
        titles = [", ".join((((drift.get("checks") or {}).get(c) or {}).get("title") or {}).get(lang, c) for c in drift[k] or [])
                  or "-" for k in ("fixed", "new_failing")]
        lines = [table, text("fleet.demo.drift", lang, tenant=fixed_tenant, fixed=titles[0], new_failing=titles[1])]
        if out_dir is not None:
            lines.append(text("fleet.demo.kept", lang, out=out, html=html_path))
        lines.append(text("fleet.demo.own_fleet", lang))
        return "\n".join(lines) + "\n"
