"""Usage reports: a 302 to another host, then CSV with a BOM (or beta JSON pages), as Graph serves them.

Columns as documented (https://learn.microsoft.com/graph/api/reportroot-getteamsuseractivityuserdetail,
https://learn.microsoft.com/graph/api/reportroot-getoffice365activeuserdetail); deleted people keep their rows.
"""
from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from ..licensing.capabilities import EXCHANGE, ONEDRIVE, SHAREPOINT, TEAMS, capabilities_of_plan
from .tenant import SimError
from .wire import Collection, SimRequest, SimResponse

if TYPE_CHECKING:  # app imports the routes, which import these handlers
    from .app import Simulator

_PERIOD = re.compile(r"\(period='(D7|D30|D90|D180)'\)")


def _period(m: Any) -> int:
    pm = _PERIOD.fullmatch(m.group("args"))
    if not pm:
        raise SimError(400, "BadRequest", "Invalid value for parameter 'period': use 'D7', 'D30', 'D90' or 'D180'.")
    return int(pm.group(1)[1:])


def _concealed_name(sim: Simulator, upn: str) -> str:
    return hashlib.sha256((sim.tenant.tenant_id + upn).encode()).hexdigest()[:32].upper()


_TEAMS_NAMES, _OFFICE_NAMES = ("id", "userPrincipalName"), ("userPrincipalName", "displayName")


def _names(sim: Simulator, person: dict, keys: tuple[str, ...], concealed: bool) -> tuple[str, ...]:
    """The person's ``keys`` as a report shows them: hashed where the tenant conceals names in its reports."""
    return tuple(_concealed_name(sim, person[k]) for k in keys) if concealed else tuple(person[k] for k in keys)


def _user_caps(t: Any, u: dict, cache: dict | None = None) -> set[str]:
    caps: set[str] = set()
    for lic in u.get("assignedLicenses") or []:
        key = (lic["skuId"], tuple(lic.get("disabledPlans") or ()))
        got = cache.get(key) if cache is not None else None
        if got is None:
            got = set()
            sku = t.skus_by_id.get(lic["skuId"])
            for p in (sku or {}).get("servicePlans", []):
                if p["servicePlanId"] not in key[1]:
                    got |= capabilities_of_plan(p["servicePlanName"])
            if cache is not None:
                cache[key] = got
        caps |= got
    return caps


# Columns of the Teams user activity CSV, as documented
# (https://learn.microsoft.com/graph/api/reportroot-getteamsuseractivityuserdetail): 33 columns
TEAMS_ACTIVITY_COLUMNS = [
    ("Report Refresh Date", "reportRefreshDate"), ("Tenant Display Name", "tenantDisplayName"),
    ("Shared Channel Tenant Display Names", "sharedChannelTenantDisplayNames"), ("User Id", "userId"),
    ("User Principal Name", "userPrincipalName"), ("Last Activity Date", "lastActivityDate"), ("Is Deleted", "isDeleted"),
    ("Deleted Date", "deletedDate"), ("Assigned Products", "assignedProducts"), ("Team Chat Message Count", "teamChatMessageCount"),
    ("Private Chat Message Count", "privateChatMessageCount"), ("Call Count", "callCount"), ("Meeting Count", "meetingCount"),
    ("Post Messages", "postMessages"), ("Reply Messages", "replyMessages"), ("Urgent Messages", "urgentMessages"),
    ("Meetings Organized Count", "meetingsOrganizedCount"), ("Meetings Attended Count", "meetingsAttendedCount"),
    ("Ad Hoc Meetings Organized Count", "adHocMeetingsOrganizedCount"), ("Ad Hoc Meetings Attended Count", "adHocMeetingsAttendedCount"),
    ("Scheduled One-time Meetings Organized Count", "scheduledOneTimeMeetingsOrganizedCount"),
    ("Scheduled One-time Meetings Attended Count", "scheduledOneTimeMeetingsAttendedCount"),
    ("Scheduled Recurring Meetings Organized Count", "scheduledRecurringMeetingsOrganizedCount"),
    ("Scheduled Recurring Meetings Attended Count", "scheduledRecurringMeetingsAttendedCount"),
    ("Audio Duration", "audioDuration"), ("Video Duration", "videoDuration"), ("Screen Share Duration", "screenShareDuration"),
    ("Audio Duration In Seconds", "audioDurationInSeconds"), ("Video Duration In Seconds", "videoDurationInSeconds"),
    ("Screen Share Duration In Seconds", "screenShareDurationInSeconds"), ("Has Other Action", "hasOtherAction"),
    ("Is Licensed", "isLicensed"), ("Report Period", "reportPeriod"),
]
# the beta JSON rows carry the same values without the *InSeconds duplicates (documented JSON sample)
_JSON_ONLY_NOT = {"audioDurationInSeconds", "videoDurationInSeconds", "screenShareDurationInSeconds"}


def _activity_row(t: Any, uid: str, upn: str, last: str | None, days: int, products: list[str], licensed: bool,
                  deleted: str | None) -> dict:
    refreshed = t.report_refresh_date.isoformat()
    if last and _days_before(refreshed, last) > days:
        last = None
    n = 1 if last else 0
    row = {"reportRefreshDate": refreshed, "tenantDisplayName": t.display_name, "sharedChannelTenantDisplayNames": "",
           "userId": uid, "userPrincipalName": upn,
           "lastActivityDate": last, "isDeleted": deleted is not None, "deletedDate": deleted, "assignedProducts": products,
           "teamChatMessageCount": 3 * n, "privateChatMessageCount": 12 * n, "callCount": n, "meetingCount": 2 * n,
           "postMessages": n, "replyMessages": 2 * n, "urgentMessages": 0, "meetingsOrganizedCount": n,
           "meetingsAttendedCount": 2 * n, "adHocMeetingsOrganizedCount": 0, "adHocMeetingsAttendedCount": n,
           "scheduledOneTimeMeetingsOrganizedCount": n, "scheduledOneTimeMeetingsAttendedCount": n,
           "scheduledRecurringMeetingsOrganizedCount": 0, "scheduledRecurringMeetingsAttendedCount": 0,
           "audioDuration": "00:42:00" if n else "00:00:00", "videoDuration": "00:10:00" if n else "00:00:00",
           "screenShareDuration": "00:05:00" if n else "00:00:00", "audioDurationInSeconds": 2520 * n,
           "videoDurationInSeconds": 600 * n, "screenShareDurationInSeconds": 300 * n, "hasOtherAction": bool(last),
           "isLicensed": licensed, "reportPeriod": str(days)}
    return row


_KEYS = [key for _, key in TEAMS_ACTIVITY_COLUMNS]
_DELETED_AT = _KEYS.index("isDeleted")
# a cell the csv module writes as it is (no comma, quote or control character): such cells are joined directly,
# anything else goes through the csv module
_SPECIAL = re.compile(r'[",\x00-\x1f\x7f]')
_LINES_PER_CHUNK = 20000  # lines encoded at a time: the report is held as bytes, never as one big str


def _cells(r: dict) -> list:
    """A row's CSV cells: None empty, lists joined with +, booleans Yes/No, Is Deleted True/False."""
    cells = ["" if v is None else "+".join(v) if v.__class__ is list else ("Yes" if v else "No") if v.__class__ is bool
             else v for v in map(r.__getitem__, _KEYS)]
    cells[_DELETED_AT] = str(r["isDeleted"])
    return cells


class _Lines(list):
    """CSV lines on their way to bytes: the csv module writes into it, plain lines are appended."""

    write = list.append

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[bytes] = [b"\xef\xbb\xbf"]  # the BOM Graph's CSV reports start with

    def flush(self) -> None:
        self.chunks.append("".join(self).encode("utf-8"))
        self.clear()

    def bytes(self) -> bytes:
        self.flush()
        return b"".join(self.chunks)


def _row(cells: list) -> str:
    """One line as the csv module writes it."""
    out = _Lines()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out[0]


def _lead(cells: list) -> str:
    """Cells as the csv module writes them in the middle of a line, each followed by its comma."""
    return _row([*cells, "x"])[:-3]


class _Licences:
    """What a licence combination gives, worked out once per combination (a 400,000-person tenant has a few dozen)."""

    def __init__(self, t: Any) -> None:
        self._t = t
        self._caps: dict = {}
        self._of: dict = {}

    def of(self, u: dict) -> tuple:
        lics = u.get("assignedLicenses") or []
        key = tuple((lic["skuId"], tuple(lic.get("disabledPlans") or ())) for lic in lics)
        got = self._of.get(key)
        if got is None:
            t = self._t
            skus = [lic["skuId"] for lic in lics]
            sorted_products = sorted({t.skus_by_id[s]["skuPartNumber"] for s in skus if s in t.skus_by_id})
            joined = "+".join(t.skus_by_id[s]["skuPartNumber"] for s in skus if s in t.skus_by_id)
            got = self._of[key] = (key, _user_caps(t, u, self._caps), sorted_products, joined)
        return got


def _state(t: Any) -> tuple:
    """The tenant state a prepared report belongs to: every write through the tenant's lock, and (for tenants changed
    in place by a program) what a report reads that an O(1) look can see."""
    return (t.lock.writes, id(t.users), len(t.users), len(t.deleted_users), id(t.activity), len(t.activity), len(t.skus),
            t.tenant_id, t.display_name, t.created)


def teams_activity_report(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    days = _period(m)
    t = sim.tenant
    concealed = bool(t.report_settings.get("displayConcealedNames", False))
    if req.query.get("$format") == "application/json":
        if req.version != "beta":
            raise SimError(400, "BadRequest", "JSON output of this report is available in beta only.")
        rows = sim.prepared.get(_state(t), ("teams", days, concealed, "json"), lambda: _TeamsJsonRows(sim, days, concealed))
        return sim.page(req, Collection("report", default_top=2000, max_top=2000, directory=False, needs_select=False,
                                        filterable=set(), keyed=False), lambda: rows)
    body = sim.prepared.get(_state(t), ("teams", days, concealed, "csv"), lambda: _teams_csv(sim, days, concealed))
    return sim.offer_download(req, body)


def _teams_csv(sim: Simulator, days: int, concealed: bool) -> bytes:
    """The Teams user activity CSV, built straight from the people: no row dict per person. A line is its leading
    cells, the person's three cells and the rest, which is the same for everyone with the same licences and activity
    (rendered once by the csv module); a person whose cells need quoting, and every deleted person, is written whole."""
    t = sim.tenant
    out = _Lines()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([name for name, _ in TEAMS_ACTIVITY_COLUMNS])
    refreshed = t.report_refresh_date.isoformat()
    licences, rests, within = _Licences(t), {}, {}
    lead = _lead([refreshed, t.display_name, ""])
    activity = t.activity
    for u in t.users:
        key, caps, products, _ = licences.of(u)
        last = activity.get(u["id"], {}).get("teams")
        if last:
            inside = within.get(last)
            if inside is None:
                inside = within[last] = _days_before(refreshed, last) <= days
            if not inside:
                last = None
        uid, upn = _names(sim, u, _TEAMS_NAMES, concealed)
        cell = "" if last is None else last
        if uid.__class__ is str and upn.__class__ is str and cell.__class__ is str and not _SPECIAL.search(uid + upn + cell):
            rest = rests.get((key, bool(last)))
            if rest is None:
                cells = _cells(_activity_row(t, "", "", last, days, products, TEAMS in caps, None))
                rest = rests[(key, bool(last))] = _row(cells[6:])
            out.append(f"{lead}{uid},{upn},{cell},{rest}")
        else:
            w.writerow(_cells(_activity_row(t, uid, upn, last, days, products, TEAMS in caps, None)))
        if len(out) >= _LINES_PER_CHUNK:
            out.flush()
    for d in t.deleted_users:  # deleted people stay in the report for its period
        uid, upn = _names(sim, d, _TEAMS_NAMES, concealed)
        w.writerow(_cells(_activity_row(t, uid, upn, d.get("lastTeams"), days, [], False, d["deletedDateTime"])))
    return out.bytes()


class _TeamsJsonRows(Sequence):
    """The beta JSON report's rows, made a page at a time from what was read of each person when it was prepared."""

    def __init__(self, sim: Simulator, days: int, concealed: bool) -> None:
        t = sim.tenant
        self._t, self._days = t, days
        licences = _Licences(t)
        people: list[tuple] = []
        for u in t.users:
            _, caps, products, _ = licences.of(u)
            people.append((*_names(sim, u, _TEAMS_NAMES, concealed), t.activity.get(u["id"], {}).get("teams"), products,
                           TEAMS in caps, None))
        for d in t.deleted_users:  # deleted people stay in the report for its period
            people.append((*_names(sim, d, _TEAMS_NAMES, concealed), d.get("lastTeams"), [], False, d["deletedDateTime"]))
        self._people = people

    def __len__(self) -> int:
        return len(self._people)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self._json(p) for p in self._people[i]]
        return self._json(self._people[i])

    def _json(self, p: tuple) -> dict:
        uid, upn, last, products, licensed, deleted = p
        row = _activity_row(self._t, uid, upn, last, self._days, list(products), licensed, deleted)
        return {k: v for k, v in row.items() if k not in _JSON_ONLY_NOT}


def office_activity_report(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    days = _period(m)
    t = sim.tenant
    concealed = bool(t.report_settings.get("displayConcealedNames", False))
    return sim.offer_download(req, sim.prepared.get(_state(t), ("office", days, concealed, "csv"),
                                                    lambda: _office_csv(sim, days, concealed)))


_OFFICE_HEADER = ["Report Refresh Date", "User Principal Name", "Display Name", "Is Deleted", "Deleted Date",
                  "Has Exchange License", "Has OneDrive License", "Has SharePoint License", "Has Skype For Business License",
                  "Has Yammer License", "Has Teams License", "Exchange Last Activity Date", "OneDrive Last Activity Date",
                  "SharePoint Last Activity Date", "Skype For Business Last Activity Date", "Yammer Last Activity Date",
                  "Teams Last Activity Date", "Exchange License Assign Date", "OneDrive License Assign Date",
                  "SharePoint License Assign Date", "Skype For Business License Assign Date", "Yammer License Assign Date",
                  "Teams License Assign Date", "Assigned Products"]


def _office_csv(sim: Simulator, days: int, concealed: bool) -> bytes:
    """The Office 365 active user CSV, built as the Teams one: the person's cells joined to pieces rendered once."""
    t = sim.tenant
    out = _Lines()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(_OFFICE_HEADER)
    refreshed = t.report_refresh_date.isoformat()
    licences, pieces, within = _Licences(t), {}, {}
    lead, gap = _lead([refreshed]), "," + _lead(["", "", "", ""])
    for u in t.users:
        key, caps, _, joined = licences.of(u)
        act = t.activity.get(u["id"], {})
        name, disp = _names(sim, u, _OFFICE_NAMES, concealed)
        teams = act.get("teams")
        inside = within.get(teams) if teams else False
        if inside is None:
            inside = within[teams] = _days_before(refreshed, teams) <= days
        teams_last = teams if inside else ""
        exchange = act.get("exchange", "")
        if name.__class__ is str and disp.__class__ is str and exchange.__class__ is str and teams_last.__class__ is str \
                and not _SPECIAL.search(name + disp + exchange + teams_last):
            piece = pieces.get(key)
            if piece is None:
                piece = pieces[key] = (_lead(["False", "", EXCHANGE in caps, ONEDRIVE in caps, SHAREPOINT in caps, False,
                                              False, TEAMS in caps]), "," + _row(["", "", "", "", "", "", joined]))
            out.append(f"{lead}{name},{disp},{piece[0]}{exchange}{gap}{teams_last}{piece[1]}")
        else:
            w.writerow([refreshed, name, disp, "False", "", EXCHANGE in caps, ONEDRIVE in caps, SHAREPOINT in caps, False,
                        False, TEAMS in caps, exchange, "", "", "", "", teams_last, "", "", "", "", "", "", joined])
        if len(out) >= _LINES_PER_CHUNK:
            out.flush()
    for d in t.deleted_users:  # deleted people stay in the report, Is Deleted True with their Deleted Date
        name, disp = _names(sim, d, _OFFICE_NAMES, concealed)
        w.writerow([refreshed, name, disp, "True", d["deletedDateTime"], False, False, False, False, False, False,
                    "", "", "", "", "", d.get("lastTeams") or "", "", "", "", "", "", "", ""])
    return out.bytes()


def _days_before(as_of: str, day: str) -> int:
    return (date.fromisoformat(as_of) - date.fromisoformat(day)).days
