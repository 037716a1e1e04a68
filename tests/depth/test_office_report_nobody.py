"""A Microsoft 365 active user report that names none of the tenant's people says nothing about who is idle
(indep17 #3): before, a header-only report, a 0-byte answer or a report whose names do not match made every licensed
member older than 90 days "idle" (1,136 instead of 185), and with prices 37,259.90 EUR a month of "idle seats".

The report is documented as CSV that starts with its header row (Report Refresh Date, User Principal Name, ...:
https://learn.microsoft.com/graph/api/reportroot-getoffice365activeuserdetail, shared/graph-examples/
get-reports-office365activeuserdetail-csv.json); usage data lags about two days, so a new tenant's report may hold no rows.
"""
from __future__ import annotations

import pytest

import readiness
from readiness.simulator import reports as sim_reports
from readiness.simulator.generate import generate_tenant

HEADER = ("Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Has Exchange License,"
          "Has OneDrive License,Has SharePoint License,Has Skype For Business License,Has Yammer License,"
          "Has Teams License,Exchange Last Activity Date,OneDrive Last Activity Date,SharePoint Last Activity Date,"
          "Skype For Business Last Activity Date,Yammer Last Activity Date,Teams Last Activity Date,"
          "Exchange License Assign Date,OneDrive License Assign Date,SharePoint License Assign Date,"
          "Skype For Business License Assign Date,Yammer License Assign Date,Teams License Assign Date,Assigned Products\r\n")


def _audit(monkeypatch: pytest.MonkeyPatch, body: bytes | None):  # noqa: ANN202
    tenant = generate_tenant("unprepared-sme", seed=7)  # no Entra ID P1: idleness comes from this report
    tenant.report_settings["displayConcealedNames"] = False
    if body is not None:
        monkeypatch.setattr(sim_reports, "_office_csv", lambda *_a, **_k: body)
    with readiness.serve_simulator(tenant=tenant) as sim:
        snap = readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))
    return snap, readiness.evaluate(snap)


def _check(audit, check_id: str):  # noqa: ANN001, ANN202
    return next(c for c in audit.checks if c.spec.id == check_id)


@pytest.mark.parametrize("body", [HEADER.encode("utf-8-sig"),  # a report of nobody yet
                                  (HEADER + "2026-11-30,5f3a9c1e0b7d,5f3a9c1e0b7d,False,,True,True,True,False,False,True,"
                                   "2026-11-29,,,,,,,,,,,,\"OFFICE 365 E3\"\r\n").encode("utf-8-sig")])  # names hashed
def test_a_report_that_names_nobody_leaves_idleness_unknown(monkeypatch: pytest.MonkeyPatch, body: bytes) -> None:
    snap, audit = _audit(monkeypatch, body)
    assert snap.section("office_activity").status == "complete"
    idle = _check(audit, "licences.inactive_licensed")
    assert idle.status.value == "not_evaluable", idle.findings[0].message
    assert "names none of the tenant's people" in idle.findings[0].message.text("en")
    assert "nennt keine Person des Mandanten" in idle.findings[0].message.text("de")


def test_a_report_that_names_the_people_still_finds_the_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    _snap, audit = _audit(monkeypatch, None)
    idle = _check(audit, "licences.inactive_licensed")
    assert idle.status.value == "warn" and idle.findings[0].evidence["idle"]["count"] > 0


def test_an_empty_answer_is_no_report(monkeypatch: pytest.MonkeyPatch) -> None:
    snap, audit = _audit(monkeypatch, b"")
    sec = snap.section("office_activity")
    assert sec.status == "failed" and "is not the usage report (CSV)" in sec.reason, sec.reason
    assert _check(audit, "licences.inactive_licensed").status.value == "not_evaluable"


def test_idle_seat_cost_says_it_counts_disabled_accounts_only_when_idleness_is_unknown(monkeypatch: pytest.MonkeyPatch,
                                                                                      tmp_path) -> None:  # noqa: ANN001
    """verify17 #1: with idleness unknown, "54 idle seats cost 1,625.40 EUR" counted only disabled accounts, silently."""
    snap, _ = _audit(monkeypatch, HEADER.encode("utf-8-sig"))
    prices = tmp_path / "prices.csv"
    prices.write_text("sku,monthly_price,currency\nO365_BUSINESS_PREMIUM,19.60,EUR\nO365_BUSINESS_ESSENTIALS,5.60,EUR\n"
                      "O365_BUSINESS,10.00,EUR\n", "utf-8")
    audit = readiness.evaluate(snap, prices=readiness.load_prices(prices))
    check = _check(audit, "licences.idle_seat_cost")
    said = check.findings[0].message.text("en")
    assert check.status.value in ("warn", "not_evaluable") and "is not known" in said, said
    assert audit.summary["seat_costs"]["idle_unknown"] is True
    if check.status.value == "warn":
        assert "disabled account" in said and "Ungenutzte Plätze sind hier nur" in readiness.render(audit, "table", "de")
