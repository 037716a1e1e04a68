"""``privacy.pseudonymize`` makes its copy column by column (issue 15: a deep copy of every row as dicts took 25 s of
CPU and 805 MB at 100,000 people). What it must keep doing whatever the form of a section (a Table, a list of dicts):

- give exactly what the plain row-by-row rules below give (``_by_rows``: each field of each row, removed fields
  removed, blanked ones None only where they held something, every join key mapped the same way);
- leave the original snapshot as it was, also when the caller goes on to evaluate it (sections it does not rewrite
  are shared, not copied);
- put no original name, sign-in name, mail address or device name into any output format;
- change no finding: a pseudonymised audit counts what the plain one counts (Cloud PCs joined to people by sign-in
  name and directory roles by id found nobody when only the users were rewritten)."""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest

import readiness
from readiness.audit import privacy
from readiness.collect.snapshot import COMPLETE, Section, Snapshot
from readiness.collect.table import Table
from readiness.simulator import generate_tenant

KEY = b"test-pseudonym-key"
TABLES = ("users", "mfa", "managed_devices", "devices", "teams_users")


def _by_rows(snapshot: Snapshot, key: bytes) -> dict:
    """The pseudonymised snapshot as a document, rewritten row by row (the rules as session 13 applied them, with
    directory roles and Cloud PCs joined too): the oracle the column-wise version must equal."""
    p = privacy.Pseudonymizer(key, snapshot.tenant_id)
    doc = copy.deepcopy(snapshot.to_dict())
    doc["sections"].pop("organization", None)

    def rows(name: str) -> list:
        sec = doc["sections"].get(name)
        return sec["data"] or [] if sec and sec["status"] in ("complete", "fallback") and sec["data"] is not None else []

    ids, aliases, by_upn = {}, {}, {}
    for u in rows("users"):
        alias = aliases[u["id"]] = p.person(u["id"])
        by_upn[(u.get("userPrincipalName") or "").lower()] = alias
        u["displayName"] = alias
        u["userPrincipalName"] = f"{alias.lower()}@pseudonym.invalid"
        for k in ("mail", "givenName", "surname", "jobTitle"):
            if u.get(k):
                u[k] = None
        ids[u["id"]] = p.token("id", u["id"])
        u["id"] = ids[u["id"]]

    def alias_of(upn: Any, uid: Any = None) -> str:
        alias = aliases.get(uid or "") or by_upn.get((upn or "").lower()) or p.person("upn:" + (upn or ""))
        return f"{alias.lower()}@pseudonym.invalid"

    for row in rows("mfa"):
        row["userPrincipalName"] = alias_of(row.get("userPrincipalName"), row.get("id"))
        row.pop("userDisplayName", None)
        row["id"] = ids.get(row.get("id")) or p.token("id", row.get("id", ""))
    for d in rows("managed_devices"):
        d["deviceName"] = p.device(d.get("id", ""))
        d["userPrincipalName"] = alias_of(d.get("userPrincipalName"), d.get("userId"))
        d["userId"] = ids.get(d.get("userId")) or p.token("id", d.get("userId") or "")
        for k in ("emailAddress", "userDisplayName", "serialNumber"):
            d.pop(k, None)
    for d in rows("devices"):
        d["displayName"] = p.device(d.get("id", ""))
        d["owners"] = [ids.get(o) or p.token("id", o) for o in d.get("owners") or []]
    for row in rows("teams_users"):
        row["userPrincipalName"] = alias_of(row.get("userPrincipalName"), row.get("id"))
        row["id"] = ids.get(row.get("id")) or p.token("id", row.get("id", ""))
    usage = doc["sections"].get("teams_usage", {}).get("data")
    for row in (usage or {}).get("rows") or [] if isinstance(usage, dict) else []:
        row["userPrincipalName"] = alias_of(row.get("userPrincipalName"), row.get("userId"))
        row["userId"] = ids.get(row.get("userId")) or p.token("id", row.get("userId") or "")
    for row in rows("roles"):
        row["principalId"] = ids.get(row.get("principalId")) or p.token("id", row.get("principalId") or "")
    for pc in rows("cloud_pcs"):
        pc["userPrincipalName"] = alias_of(pc.get("userPrincipalName"))
        for k in ("displayName", "managedDeviceName"):
            if pc.get(k):
                pc[k] = p.device(pc.get("id", ""))
    for d in rows("autopilot"):  # attack14: serial numbers and sign-in names of Autopilot devices
        if d.get("userPrincipalName"):
            d["userPrincipalName"] = alias_of(d["userPrincipalName"])
        if d.get("serialNumber"):
            d["serialNumber"] = p.device(d.get("id", ""))
    members = doc["sections"].get("group_members", {}).get("data")
    for group, ids_ in (members.items() if isinstance(members, dict) else []):
        members[group] = [ids.get(m) or p.token("id", m) for m in ids_]
    return doc


def _odd_snapshot(tables: bool) -> Snapshot:
    """Rows that take every branch: a user's sign-in name in other case, rows of nobody, missing keys, null owners,
    blank fields that hold nothing ("" stays ""), a role of a service principal, a Cloud PC without a device name."""
    users = [
        {"id": "u1", "userPrincipalName": "Anna.Berg@Contoso.com", "displayName": "Anna Berg", "mail": "anna@contoso.com",
         "givenName": "Anna", "surname": "Berg", "jobTitle": "CFO", "department": "Finance"},
        {"id": "u2", "userPrincipalName": "bo.chen@contoso.com", "displayName": "Bo Chen", "mail": "", "givenName": None,
         "department": "IT"},
        {"id": "u3", "userPrincipalName": "bo.chen@contoso.com", "displayName": "Bo Chen (2)", "department": "it"},
    ]
    mfa = [{"id": "u1", "userPrincipalName": "anna.berg@contoso.com", "userDisplayName": "Anna Berg", "isMfaRegistered": True},
           {"id": "x9", "userPrincipalName": "ANNA.BERG@contoso.com", "userDisplayName": "Anna B."},
           {"userPrincipalName": "ghost@contoso.com"}, {"id": None, "userPrincipalName": None}]
    managed = [{"id": "m1", "deviceName": "ANNA-LAPTOP", "userId": "u1", "userPrincipalName": "anna.berg@contoso.com",
                "emailAddress": "anna@contoso.com", "userDisplayName": "Anna Berg", "serialNumber": "SN-1"},
               {"id": "m2", "deviceName": "KIOSK-7", "userId": None},
               {"deviceName": "NO-ID", "userId": "zz", "userPrincipalName": "bo.chen@contoso.com"}]
    devices = [{"id": "d1", "displayName": "ANNA-LAPTOP", "owners": ["u1", "u9"]}, {"id": "d2", "displayName": "BO-PC",
               "owners": None}, {"id": "d3", "displayName": "SPARE", "owners": []}, {"displayName": "NO-ID", "owners": ["u2"]}]
    teams_users = [{"id": "u2", "userPrincipalName": "bo.chen@contoso.com"}, {"userPrincipalName": "Anna.Berg@contoso.com"}]
    usage = {"rows": [{"userId": "u1", "userPrincipalName": "anna.berg@contoso.com", "lastActivityDate": "2026-11-20"},
                      {"userId": None, "userPrincipalName": "carl@contoso.com", "lastActivityDate": None}],
             "reportRefreshDate": "2026-11-30", "reported_users": 2}
    roles = [{"principalId": "u1", "roleDefinitionId": "r"}, {"principalId": "sp-1", "roleDefinitionId": "r"}]
    pcs = [{"id": "c1", "displayName": "Anna Berg's Cloud PC", "managedDeviceName": "CPC-ANNA-1",
            "userPrincipalName": "ANNA.BERG@contoso.com", "status": "provisioned"},
           {"id": "c2", "displayName": "Bo Chen's Cloud PC", "managedDeviceName": "", "userPrincipalName": "x@y.z",
            "status": "failed"}]
    org = [{"id": "t", "displayName": "Contoso", "verifiedDomains": [{"name": "contoso.com"}]}]
    data: dict[str, Any] = {"users": users, "mfa": mfa, "managed_devices": managed, "devices": devices,
                            "teams_users": teams_users, "teams_usage": usage, "roles": roles, "cloud_pcs": pcs,
                            "organization": org, "groups": [{"id": "g1", "displayName": "Finance"}]}
    snap = Snapshot("tenant-1", "Contoso", "global", "https://graph.microsoft.com", "2026-12-01T00:00:00Z",
                    requests={"requests": 3})
    for name, rows in data.items():
        if tables and name in TABLES:
            rows = Table.from_rows(rows)
        snap.sections[name] = Section(name, COMPLETE, rows, count=len(rows) if isinstance(rows, list) else 2)
    snap.sections["autopilot"] = Section("autopilot", "forbidden", [{"serialNumber": "AP-1"}], reason="no licence")
    return snap


@pytest.mark.parametrize("tables", [False, True], ids=["lists", "tables"])
def test_the_copy_is_what_the_row_by_row_rules_give(tables: bool) -> None:
    snap = _odd_snapshot(tables)
    got = privacy.pseudonymize(snap, KEY)
    # in the same order of sections and of keys within every row (a JSON text of the document compares both)
    assert json.dumps(got.to_dict()) == json.dumps(_by_rows(snap, KEY))
    assert all(isinstance(got.data(n), Table) == tables for n in TABLES)  # a Table stays a Table, a list a list
    assert got.sections["autopilot"].data == [{"serialNumber": "AP-1"}]  # an unusable section is not rewritten
    assert "organization" not in got.sections


@pytest.fixture(scope="module")
def enterprise(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A small enterprise tenant (Intune devices, Cloud PCs, roles, Teams usage) collected over HTTP and saved."""
    with readiness.serve_simulator(tenant=generate_tenant("enterprise", seed=7, size=120)) as running:
        snap = readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token))
    path = tmp_path_factory.mktemp("pseudo") / "e.json.gz"
    snap.save(path)
    return path


def test_a_loaded_snapshot_is_rewritten_as_its_rows_are(enterprise: Any) -> None:
    snap = Snapshot.load(enterprise)
    assert isinstance(snap.data("users"), Table) and snap.data("cloud_pcs") and snap.data("roles")
    assert json.dumps(privacy.pseudonymize(snap, KEY).to_dict()) == json.dumps(_by_rows(snap, KEY))


@pytest.mark.parametrize("tables", [False, True], ids=["lists", "tables"])
def test_the_original_is_left_as_it_was(tables: bool, enterprise: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_NOW", "2026-12-01T00:00:00Z")
    for snap in (_odd_snapshot(tables), Snapshot.load(enterprise)):
        before = json.dumps(snap.to_dict())
        plain = readiness.render(readiness.evaluate(snap), format="json")
        private = privacy.pseudonymize(snap, KEY)
        readiness.evaluate(private)
        assert json.dumps(snap.to_dict()) == before
        assert readiness.render(readiness.evaluate(snap), format="json") == plain  # the original evaluated again
        assert json.dumps(privacy.pseudonymize(snap, KEY).to_dict()) == json.dumps(private.to_dict())


def _identifying(snap: Snapshot) -> set[str]:
    """Every name, sign-in name, mail address and device name of the snapshot (4 characters or more)."""
    fields = {"users": ("displayName", "userPrincipalName", "mail", "givenName", "surname"),
              "mfa": ("userPrincipalName", "userDisplayName"), "teams_users": ("userPrincipalName",),
              "managed_devices": ("deviceName", "userPrincipalName", "emailAddress", "userDisplayName", "serialNumber"),
              "devices": ("displayName",), "cloud_pcs": ("displayName", "managedDeviceName", "userPrincipalName"),
              "autopilot": ("serialNumber", "userPrincipalName")}
    found = set()
    for name, keys in fields.items():
        for row in snap.data(name) or []:
            found.update(v for k in keys if isinstance(v := row.get(k), str) and len(v) >= 4)
    for row in snap.data("teams_usage")["rows"]:
        found.add(row["userPrincipalName"])
    return found


def test_no_original_name_in_any_output(enterprise: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_NOW", "2026-12-01T00:00:00Z")
    monkeypatch.setenv(privacy.KEY_ENV, "test-key")
    snap = Snapshot.load(enterprise)
    secret = _identifying(snap)
    assert len(secret) > 300 and any(s.startswith("CPC-") for s in secret)
    plain = readiness.render(readiness.evaluate(snap), format="json", people=True).lower()
    assert sum(s.lower() in plain for s in secret) > 100  # the plain report names them: the search finds names
    audit = readiness.evaluate(snap, pseudonymize=True)
    for fmt in ("json", "html", "md", "csv", "table"):
        for lang in ("en", "de"):
            text = readiness.render(audit, format=fmt, lang=lang, people=True).lower()
            assert "person-" in text or fmt == "table"
            leaked = sorted(s for s in secret if s.lower() in text)
            assert not leaked, (fmt, lang, leaked[:5])


def test_a_pseudonymised_audit_counts_what_the_plain_one_counts(enterprise: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_NOW", "2026-12-01T00:00:00Z")
    monkeypatch.setenv(privacy.KEY_ENV, "test-key")
    snap = Snapshot.load(enterprise)
    plain, private = readiness.evaluate(snap), readiness.evaluate(snap, pseudonymize=True)
    doc = {n: json.loads(readiness.render(a, format="json"))["data"] for n, a in (("plain", plain), ("private", private))}
    assert doc["plain"]["summary"]["with_cloud_pc"] > 0 and any(p.is_admin for p in _people(snap))
    assert doc["private"]["summary"] == doc["plain"]["summary"]
    assert doc["private"]["score"] == doc["plain"]["score"]
    assert [(c["id"], c["status"]) for c in doc["private"]["checks"]] == [(c["id"], c["status"]) for c in doc["plain"]["checks"]]


def _people(snap: Snapshot) -> list:
    from readiness.audit.facts import facts

    return list(facts(snap).members)


def test_the_copy_saves_and_loads_as_it_is(enterprise: Any, tmp_path: Any) -> None:
    """A pseudonymised snapshot can be saved (the replica serves one, simulator/replica.py): its new columns are written
    and read back as the rows they hold."""
    private = privacy.pseudonymize(Snapshot.load(enterprise), KEY)
    private.save(tmp_path / "p.json.gz")
    again = Snapshot.load(tmp_path / "p.json.gz")
    assert json.dumps(again.to_dict()) == json.dumps(private.to_dict())
    assert again.fingerprint() == private.fingerprint()
