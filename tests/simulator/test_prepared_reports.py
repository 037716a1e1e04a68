"""Usage reports are prepared once per tenant state: a retry or a second client gets the same bytes, a write makes the
next request build afresh, and a report being built holds up no other request.

Graph prepares the report and answers 302 Found to a pre-authenticated download URL, valid for a few minutes
(https://learn.microsoft.com/graph/api/reportroot-getteamsuseractivityuserdetail,
https://learn.microsoft.com/graph/api/reportroot-getoffice365activeuserdetail). Issue 15: a 400,000-person tenant's
report took longer than the client's read timeout, and the client's retry started the same build again.
"""
from __future__ import annotations

import csv
import io
import re
import threading

import pytest

from readiness.simulator import Simulator, reports
from readiness.simulator.app import SimRequest
from readiness.simulator.generate import generate_tenant

from .simcall import call

TEAMS = "/reports/getTeamsUserActivityUserDetail(period='D30')"
OFFICE = "/reports/getOffice365ActiveUserDetail(period='D90')"
PREMIUM = "O365_BUSINESS_PREMIUM"


def _download(sim: Simulator, path: str) -> bytes:
    a = call(sim, "GET", path)
    assert a.status == 302, a.body
    d = sim.handle(SimRequest("GET", a.headers["Location"], {}, b""))  # the download host wants no Authorization
    assert d.status == 200
    return d.body


def _rows(body: bytes, key: str) -> dict[str, dict]:
    return {r[key]: r for r in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))}


def _tenant():  # the SME tenant, its names shown in the reports (it conceals them as generated)
    t = generate_tenant()
    t.report_settings["displayConcealedNames"] = False
    return t


def _holder(t) -> dict:  # a member with a directly assigned Business Premium licence (the SME tenant has several)
    return next(u for u in t.users if u["licenseAssignmentStates"]
                and all(s["assignedByGroup"] is None for s in u["licenseAssignmentStates"])
                and t.skus_by_id[u["licenseAssignmentStates"][0]["skuId"]]["skuPartNumber"] == PREMIUM)


def test_a_retry_gets_the_prepared_bytes_without_building_again() -> None:
    sim = Simulator(generate_tenant())
    first = _download(sim, TEAMS)
    assert sim.prepared.builds == 1
    again = _download(sim, TEAMS)  # the client's retry, or a second client
    assert again == first and sim.prepared.builds == 1
    _download(sim, "/reports/getTeamsUserActivityUserDetail(period='D7')")  # another period is another report
    office = _download(sim, OFFICE)
    assert sim.prepared.builds == 3
    assert _download(sim, OFFICE) == office and _download(sim, TEAMS) == first and sim.prepared.builds == 3


def test_a_licence_removed_shows_in_the_next_report() -> None:
    t = _tenant()
    sim = Simulator(t)
    u = _holder(t)
    before = _rows(_download(sim, TEAMS), "User Principal Name")[u["userPrincipalName"]]
    assert before["Assigned Products"] == PREMIUM and before["Is Licensed"] == "Yes"
    office = _rows(_download(sim, OFFICE), "User Principal Name")[u["userPrincipalName"]]
    assert office["Assigned Products"] == PREMIUM and office["Has Teams License"] == "True"
    sku = u["assignedLicenses"][0]["skuId"]
    a = call(sim, "POST", f"/users/{u['id']}/assignLicense", {"addLicenses": [], "removeLicenses": [sku]})
    assert a.status == 200, a.body
    after = _rows(_download(sim, TEAMS), "User Principal Name")[u["userPrincipalName"]]
    assert after["Assigned Products"] == "" and after["Is Licensed"] == "No"
    office = _rows(_download(sim, OFFICE), "User Principal Name")[u["userPrincipalName"]]
    assert office["Assigned Products"] == "" and office["Has Teams License"] == "False"
    # the beta JSON rows are prepared per state as well
    page = call(sim, "GET", TEAMS + "?$format=application/json", version="beta").json()
    row = next(r for r in page["value"] if r["userPrincipalName"] == u["userPrincipalName"])
    assert row["assignedProducts"] == [] and row["isLicensed"] is False


def test_concealing_names_and_a_write_in_a_batch_show_in_the_next_report() -> None:
    t = _tenant()
    sim = Simulator(t)
    upn = t.users[0]["userPrincipalName"]
    assert upn in _rows(_download(sim, TEAMS), "User Principal Name")
    assert call(sim, "PATCH", "/admin/reportSettings", {"displayConcealedNames": True}).status == 204
    assert upn not in _rows(_download(sim, TEAMS), "User Principal Name")
    assert call(sim, "PATCH", "/admin/reportSettings", {"displayConcealedNames": False}).status == 204
    assert upn in _rows(_download(sim, TEAMS), "User Principal Name")
    u = _holder(t)
    sku = u["assignedLicenses"][0]["skuId"]
    batch = {"requests": [{"id": "1", "method": "POST", "url": f"/users/{u['id']}/assignLicense",
                           "body": {"addLicenses": [], "removeLicenses": [sku]}, "headers": {"Content-Type": "application/json"}}]}
    assert call(sim, "POST", "/$batch", batch).json()["responses"][0]["status"] == 200
    assert _rows(_download(sim, TEAMS), "User Principal Name")[u["userPrincipalName"]]["Is Licensed"] == "No"


def test_the_prepared_bytes_equal_a_build_through_the_csv_module_for_every_row(monkeypatch: pytest.MonkeyPatch) -> None:
    # names that need quoting (a comma, a quote, a line break) and an ordinary tenant's rows: the lines joined from
    # pieces are the lines the csv module writes for the whole row
    t = _tenant()
    odd = [u for u in t.users if u["userType"] == "Member"][:4]
    odd[0]["userPrincipalName"] = "mueller,anna@mueller-soehne.de"
    odd[1]["displayName"] = "Jörg\nYilmaz"
    odd[2]["displayName"] = 'Lea "Lee" Hartmann'
    odd[3]["userPrincipalName"] = "tab\tin@mueller-soehne.de"
    t.reindex()
    for concealed in (True, False):
        t.report_settings["displayConcealedNames"] = concealed
        for period in ("D7", "D30", "D90", "D180"):
            for name in ("getTeamsUserActivityUserDetail", "getOffice365ActiveUserDetail"):
                path = f"/reports/{name}(period='{period}')"
                joined = _download(Simulator(t), path)
                with monkeypatch.context() as m:
                    m.setattr(reports, "_SPECIAL", re.compile(""))  # every row through the csv module
                    whole = _download(Simulator(t), path)
                assert joined == whole, (name, period, concealed)
    sim = Simulator(t)
    people = _rows(_download(sim, OFFICE), "User Principal Name")
    assert people["mueller,anna@mueller-soehne.de"]["Display Name"] == odd[0]["displayName"]
    assert people[odd[1]["userPrincipalName"]]["Display Name"] == "Jörg\nYilmaz"
    assert people[odd[2]["userPrincipalName"]]["Display Name"] == 'Lea "Lee" Hartmann'
    assert people["tab\tin@mueller-soehne.de"]


def test_a_report_being_built_holds_up_no_other_request(monkeypatch: pytest.MonkeyPatch) -> None:
    sim = Simulator(generate_tenant())
    started, release = threading.Event(), threading.Event()
    build = reports._teams_csv

    def slow_build(*args):  # the build stops until the test lets it go
        started.set()
        release.wait(60)
        return build(*args)

    monkeypatch.setattr(reports, "_teams_csv", slow_build)
    got: dict[str, bytes] = {}
    first = threading.Thread(target=lambda: got.__setitem__("first", _download(sim, TEAMS)))
    first.start()
    try:
        assert started.wait(60)
        other = threading.Thread(target=lambda: got.__setitem__("users", call(sim, "GET", "/users?$select=id").body))
        other.start()
        other.join(60)  # a guard against a hang, not a measurement
        assert not other.is_alive() and b'"value"' in got["users"]  # answered while the report is being built
        second = threading.Thread(target=lambda: got.__setitem__("second", _download(sim, TEAMS)))
        second.start()
        for _ in range(6000):  # the second request waits for the first one's build
            if sim.prepared.waiting:
                break
            threading.Event().wait(0.01)
        assert sim.prepared.waiting == 1 and second.is_alive()
    finally:
        release.set()
        first.join(60)
    second.join(60)
    assert got["first"] == got["second"] and sim.prepared.builds == 1
