"""Usage reports: a 302 to another host, then CSV with a BOM (or beta JSON pages), as Graph serves them.

Columns as documented (https://learn.microsoft.com/graph/api/reportroot-getteamsuseractivityuserdetail,
https://learn.microsoft.com/graph/api/reportroot-getoffice365activeuserdetail); deleted people keep their rows.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
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


def _activity_row(sim: Simulator, person: dict, last: str | None, days: int, products: list[str], licensed: bool,
                  deleted: str | None) -> dict:
    t = sim.tenant
    concealed = t.report_settings.get("displayConcealedNames", False)
    refreshed = t.report_refresh_date.isoformat()
    if last and _days_before(refreshed, last) > days:
        last = None
    n = 1 if last else 0
    row = {"reportRefreshDate": refreshed, "tenantDisplayName": t.display_name, "sharedChannelTenantDisplayNames": "",
           "userId": _concealed_name(sim, person["id"]) if concealed else person["id"],
           "userPrincipalName": _concealed_name(sim, person["userPrincipalName"]) if concealed else person["userPrincipalName"],
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


def teams_activity_report(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    days = _period(m)
    t = sim.tenant
    as_json = req.query.get("$format") == "application/json"
    rows, cache, products_of = [], {}, {}
    for u in t.users:
        caps = _user_caps(t, u, cache)
        skus = tuple(lic["skuId"] for lic in u["assignedLicenses"])
        products = products_of.get(skus)
        if products is None:  # once per licence combination (a 400,000-person tenant's report timed out)
            products = products_of[skus] = sorted({t.skus_by_id[s]["skuPartNumber"] for s in skus if s in t.skus_by_id})
        rows.append(_activity_row(sim, u, t.activity.get(u["id"], {}).get("teams"), days, products, TEAMS in caps, None))
    for d in t.deleted_users:  # deleted people stay in the report for its period
        rows.append(_activity_row(sim, d, d.get("lastTeams"), days, [], False, d["deletedDateTime"]))
    if as_json:
        if req.version != "beta":
            raise SimError(400, "BadRequest", "JSON output of this report is available in beta only.")
        json_rows = [{k: v for k, v in r.items() if k not in _JSON_ONLY_NOT} for r in rows]
        return sim.page(req, Collection("report", default_top=2000, max_top=2000, directory=False, needs_select=False,
                                        filterable=set(), keyed=False), lambda: json_rows)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([name for name, _ in TEAMS_ACTIVITY_COLUMNS])
    keys = [key for _, key in TEAMS_ACTIVITY_COLUMNS]
    deleted_at = keys.index("isDeleted")
    for r in rows:  # None empty, lists joined with +, booleans Yes/No; inline: a call per cell cost most of the report
        cells = ["" if v is None else "+".join(v) if v.__class__ is list else ("Yes" if v else "No") if v.__class__ is bool
                 else v for v in map(r.__getitem__, keys)]
        cells[deleted_at] = str(r["isDeleted"])
        w.writerow(cells)
    return sim.offer_download(req, ("\ufeff" + buf.getvalue()).encode("utf-8"))


def office_activity_report(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    days = _period(m)
    t = sim.tenant
    concealed = t.report_settings.get("displayConcealedNames", False)
    header = ["Report Refresh Date", "User Principal Name", "Display Name", "Is Deleted", "Deleted Date",
              "Has Exchange License", "Has OneDrive License", "Has SharePoint License", "Has Skype For Business License",
              "Has Yammer License", "Has Teams License", "Exchange Last Activity Date", "OneDrive Last Activity Date",
              "SharePoint Last Activity Date", "Skype For Business Last Activity Date", "Yammer Last Activity Date",
              "Teams Last Activity Date", "Exchange License Assign Date", "OneDrive License Assign Date",
              "SharePoint License Assign Date", "Skype For Business License Assign Date", "Yammer License Assign Date",
              "Teams License Assign Date", "Assigned Products"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    cache: dict = {}
    for u in t.users:
        caps = _user_caps(t, u, cache)
        act = t.activity.get(u["id"], {})
        name = _concealed_name(sim, u["userPrincipalName"]) if concealed else u["userPrincipalName"]
        disp = _concealed_name(sim, u["displayName"]) if concealed else u["displayName"]
        teams_last = act.get("teams") if act.get("teams") and _days_before(t.report_refresh_date.isoformat(), act["teams"]) <= days else ""
        w.writerow([t.report_refresh_date.isoformat(), name, disp, "False", "", EXCHANGE in caps, ONEDRIVE in caps, SHAREPOINT in caps, False,
                    False, TEAMS in caps, act.get("exchange", ""), "", "", "", "", teams_last, "", "", "", "", "", "",
                    "+".join(t.skus_by_id[lic["skuId"]]["skuPartNumber"] for lic in u["assignedLicenses"] if lic["skuId"] in t.skus_by_id)])
    for d in t.deleted_users:  # deleted people stay in the report, Is Deleted True with their Deleted Date
        name = _concealed_name(sim, d["userPrincipalName"]) if concealed else d["userPrincipalName"]
        disp = _concealed_name(sim, d["displayName"]) if concealed else d["displayName"]
        w.writerow([t.report_refresh_date.isoformat(), name, disp, "True", d["deletedDateTime"], False, False, False, False, False, False,
                    "", "", "", "", "", d.get("lastTeams") or "", "", "", "", "", "", "", ""])
    return sim.offer_download(req, ("\ufeff" + buf.getvalue()).encode("utf-8"))


def _days_before(as_of: str, day: str) -> int:
    return (date.fromisoformat(as_of) - date.fromisoformat(day)).days
