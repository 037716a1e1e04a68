"""One collector per area. Each returns Sections; a section that cannot be read says why.

Independent collections run concurrently (bounded by the client's per-tenant limit); collections
page with $top at the endpoint's maximum; per-user data comes in $batch calls of 20, never one
request per user.
"""
from __future__ import annotations

import asyncio
import csv
from itertools import compress, islice, repeat
from operator import itemgetter
from sys import intern
from typing import Any, Awaitable, Callable, Generator, Iterator

from ..errors import GraphBadResponse, GraphError, Phrase
from ..graph.batch import BatchRequest, run_batch
from ..graph.client import GraphClient, RefusedMidway, check_page, refused_midway
from ..graph.slots import LEAD, LONG
from ..graph.tasks import cancel_all, gather_all
from ..licensing.capabilities import ENTRA_P1 as ENTRA_P1_CAP
from ..licensing.capabilities import INTUNE as INTUNE_CAP
from ..licensing.capabilities import capabilities_of_plan
from .queries import (GROUP_FIELDS, MANAGED_FIELDS, REGISTRATION_FIELDS, USER_FIELDS, build)
from .. import bulkjson
from .columns import for_section
from .devices import entra_devices, same_resource_link
from .reading import _collection, _guard, _ladder, classify
from .shapes import FIELDS, NESTED, STR, check_item
from .snapshot import COMPLETE, FALLBACK, FORBIDDEN, SKIPPED, Section

P1 = "Microsoft Entra ID P1"
INTUNE = "Microsoft Intune"
EVENTUAL = {"ConsistencyLevel": "eventual"}
MFA_METHOD_TYPES = {  # authentication method @odata.type -> counts as MFA
    "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod": "microsoftAuthenticatorPush",
    "#microsoft.graph.phoneAuthenticationMethod": "mobilePhone",
    "#microsoft.graph.fido2AuthenticationMethod": "fido2SecurityKey",
    "#microsoft.graph.softwareOathAuthenticationMethod": "softwareOneTimePasscode",
    "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod": "windowsHelloForBusiness",
}
OTHER_METHOD_TYPES = {
    "#microsoft.graph.passwordAuthenticationMethod": "password",
    "#microsoft.graph.emailAuthenticationMethod": "email",
    "#microsoft.graph.temporaryAccessPassAuthenticationMethod": "temporaryAccessPass",
}

Progress = Callable[[str], None]


async def _single(client: GraphClient, name: str, endpoint: str, info: Any) -> Section:
    doc = await client.get_json(info)
    if isinstance(doc, dict) and isinstance(doc.get("value"), dict):
        doc = doc["value"]  # some docs pages show singletons wrapped in "value": accept both
    if isinstance(doc, dict) and "value" in doc and not isinstance(doc["value"], dict):
        raise GraphBadResponse(key="graph.page_for_object", params={"endpoint": endpoint}, fix_key="graph.bad_answer",
                               path=endpoint)
    if not isinstance(doc, dict):
        raise GraphBadResponse(key="graph.nothing_for_object" if doc is None else "graph.json_for_object",
                               params={"endpoint": endpoint, "kind": type(doc).__name__}, fix_key="graph.bad_answer",
                               path=endpoint)
    doc = check_item(name, {k: v for k, v in doc.items() if not k.startswith("@odata.context")}, endpoint)
    return Section(name, COMPLETE, doc, endpoint=endpoint, count=1)


# -- the areas ---------------------------------------------------------------------------------
async def organization(client: GraphClient) -> Section:
    info = build(client.sdk.organization, select=["id", "displayName", "verifiedDomains", "countryLetterCode"])
    return await _guard("organization", "/organization", "Organization.Read.All",
                        _collection(client, "organization", "/organization", info))


async def licences(client: GraphClient) -> Section:
    info = build(client.sdk.subscribed_skus)
    return await _guard("skus", "/subscribedSkus", "LicenseAssignment.Read.All", _collection(client, "skus", "/subscribedSkus", info))


async def users(client: GraphClient) -> Section:
    """Users with licences; signInActivity too where the tenant and permissions allow it."""
    return await _guard("users", "/users", "User.Read.All", _users(client))


async def _users(client: GraphClient) -> Section:
    endpoint = "/users"
    compact = for_section("users")  # columns, compacted as compact.Compactor.user does (collect/columns.py)
    try:
        # with signInActivity Graph serves pages of at most 500 (user-list); asking for more gains nothing
        info = build(client.sdk.users, select=USER_FIELDS + ["signInActivity"], top=500)
        # at 500 a page, the audit's longest chain (200 pages at 100,000 people): its pages go first (graph/slots.py)
        sec = await _collection(client, "users", endpoint, info, compact, priority=LEAD)
        sec.notes.append("signInActivity included")
        return sec
    except GraphError as exc:
        if not 400 <= exc.status < 502 or exc.status in (401, 429):
            return classify("users", endpoint, exc, permission="User.Read.All")
        text = f"{exc.graph_code} {exc.what}".lower()
        note = ("sign-in activity not available: the tenant has no Microsoft Entra ID P1" if "premium" in text or "sku" in text
                else "sign-in activity not available: the permission AuditLog.Read.All is missing" if exc.status == 403
                else f"sign-in activity not available: Graph answered {exc.status} {exc.graph_code}")
    tries = [(build(client.sdk.users, select=USER_FIELDS, top=999), ""),
             (build(client.sdk.users, select=USER_FIELDS), "read with the default page size")]
    sec = await _guard("users", endpoint, "User.Read.All", _ladder(client, "users", endpoint, tries, compact, priority=LONG))
    sec.notes.append(note)
    return sec


async def groups(client: GraphClient) -> Section:
    info = build(client.sdk.groups, select=GROUP_FIELDS, top=999)
    return await _guard("groups", "/groups", "Group.Read.All", _collection(client, "groups", "/groups", info))


async def licence_error_groups(client: GraphClient) -> Section:
    info = build(client.sdk.groups, headers=EVENTUAL, select=["id", "displayName"],
                 filter="hasMembersWithLicenseErrors eq true", count=True, top=999)
    return await _guard("licence_error_groups", "/groups?$filter=hasMembersWithLicenseErrors eq true", "Group.Read.All",
                        _collection(client, "licence_error_groups", "/groups", info))


async def teams(client: GraphClient, groups_sec: Section) -> Section:
    """Settings of every team (guest settings, archived) in $batch calls of 20."""
    return await _guard("teams", "/teams/{id} ($batch)", "Team.ReadBasic.All", _teams(client, groups_sec))


def _some_refused(name: str, endpoint: str, permission: str, refused: Phrase) -> Section:
    """Graph refused some of a section's reads (403) and answered the others: the section is not judged on the part it
    could read; forbidden, with ``refused`` (how many of how many) as its reason and as a note the report lists."""
    return Section(name, FORBIDDEN, endpoint=endpoint, permission=permission, reason=refused, notes=[str(refused)])


def _faulted(results: dict, ids: list[str], endpoint: str) -> None:
    """Items lost to faults (429/5xx after the retries) fail the section: a gap is not an answer."""
    lost = [r for r in (results.get(i) for i in ids) if r is not None and (r.status == 429 or r.status >= 500)]
    if lost:
        statuses = ", ".join(sorted({str(r.status) for r in lost}))
        raise GraphError(key="graph.batch_lost",
                         params={"n": len(lost), "n2": len(ids), "endpoint": endpoint, "statuses": statuses},
                         status=lost[0].status, path=endpoint)


async def _teams(client: GraphClient, groups_sec: Section) -> Section:
    if not groups_sec.usable:
        return Section("teams", SKIPPED, endpoint="/teams/{id}", reason=Phrase("report.reasons.groups_unread", reason=groups_sec.reason))
    ids = [g["id"] for g in groups_sec.data if "Team" in (g.get("resourceProvisioningOptions") or [])]
    reqs = [BatchRequest(str(i), "GET", f"/teams/{gid}?$select=id,displayName,isArchived,visibility,guestSettings,memberSettings")
            for i, gid in enumerate(ids)]
    results = await run_batch(client, reqs) if reqs else {}
    _faulted(results, [r.id for r in reqs], "/teams/{id}")
    items, missing, forbidden = [], 0, 0
    for i, gid in enumerate(ids):
        res = results.get(str(i))
        if res is not None and res.ok:
            body = check_item("teams", res.body, "/teams/{id}")
            items.append({k: v for k, v in body.items() if not k.startswith("@odata.context")})
        elif res is not None and res.status == 403:
            forbidden += 1
        else:
            missing += 1
    if ids and forbidden == len(ids):
        return Section("teams", FORBIDDEN, endpoint="/teams/{id}", permission="Team.ReadBasic.All",
                       reason=Phrase("cli.progress.reasons.no_permission", permission="Team.ReadBasic.All"))
    if forbidden:  # the checks would judge the teams it could read as all of them: unread is never a pass
        return _some_refused("teams", "/teams/{id}", "Team.ReadBasic.All",
                             Phrase("cli.progress.reasons.teams_refused", n=forbidden, total=len(ids),
                                    permission="Team.ReadBasic.All"))
    sec = Section("teams", COMPLETE, items, endpoint="/teams/{id} ($batch)", count=len(items))
    if missing:
        sec.notes.append(f"{missing} team(s) could not be read (old teams without a team object, or deleted meanwhile)")
    return sec


async def teams_usage(client: GraphClient) -> list[Section]:
    """Report settings, and who used Teams in the last 30 days; no join when the tenant conceals names."""
    endpoint = "/reports/getTeamsUserActivityUserDetail(period='D30')"
    settings = await _guard("report_settings", "/admin/reportSettings", "ReportSettings.Read.All",
                            _single(client, "report_settings", "/admin/reportSettings", build(client.sdk.admin.report_settings)))
    if not settings.usable:
        usage = Section("teams_usage", SKIPPED, endpoint=endpoint,
                        reason=Phrase("report.reasons.concealed_unknown", reason=settings.reason))
        return [settings, usage]
    if settings.data.get("displayConcealedNames"):
        usage = Section("teams_usage", FORBIDDEN, endpoint=endpoint,
                        reason=Phrase("cli.progress.reasons.concealed_teams"),
                        notes=["Microsoft 365 admin center: Settings > Org settings > Reports"])
        return [settings, usage]
    return [settings, await _guard("teams_usage", endpoint, "Reports.Read.All", _usage_report(client, endpoint))]


async def _usage_report(client: GraphClient, endpoint: str) -> Section:
    """The Teams user activity report (CSV, after a redirect to a download host)."""
    raw = await client.send(client.sdk.reports.get_teams_user_activity_user_detail_with_period("D30").to_get_request_information())
    if not raw.ok:
        from ..graph.client import graph_error

        raise graph_error(raw, "GET", endpoint)
    steps = usage_steps(raw.content.decode("utf-8-sig", "replace"), endpoint)
    while True:  # a step at a time: read at once, 100,000 lines held every other request up for ~0.3 s (issue 15)
        try:
            next(steps)
        except StopIteration as done:
            rows, refreshed, total = done.value
            break
        await asyncio.sleep(0)
    return Section("teams_usage", COMPLETE, {"rows": rows, "reportRefreshDate": refreshed, "reported_users": total},
                   endpoint=endpoint, count=total)


def usage_rows(text: str, endpoint: str) -> tuple[list[dict], str, int]:
    """The Teams user activity report's CSV: rows of people active in the period, the refresh date, people reported."""
    steps = usage_steps(text, endpoint)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


USAGE_STEP = 5000  # lines read between two pauses of usage_steps (~10 ms each)


def usage_steps(text: str, endpoint: str) -> Generator[None, None, tuple[list[dict], str, int]]:
    """``usage_rows`` read ``USAGE_STEP`` lines at a time: a pause (a ``yield``) after each, so that a caller in the event
    loop can let other work run; the result is the generator's return value."""
    rows: list[dict] = []
    refreshed, total = "", 0
    # by position, not csv.DictReader: a dict per line cost ~1 s at 100k; lines one at a time, not io.StringIO, which
    # holds the whole text again at 4 bytes a character (120 MB of the audit's peak at 100k, issue 15); a report without
    # quotes is split at its commas (_plain_lines), the cells csv.reader reads, without its state machine
    plain = _plain(text)
    reader = _plain_lines(text) if plain else csv.reader(_lines(text))
    header = next(reader, None) or []
    if plain:
        header = _plain_cells([header])[0] if header else []
    if text.strip() and "Report Refresh Date" not in header:
        raise GraphBadResponse(key="graph.not_usage_report", params={"endpoint": endpoint}, fix_key="graph.bad_answer",
                               path=endpoint)
    at = {name: i for i, name in enumerate(header)}  # a name twice: its last column, as csv.DictReader reads it
    width = len(header)
    share = bulkjson.strings().setdefault

    # a column's position; a column the header lacks: the index of an empty cell added to every line (width)
    ref, deleted, active, uid_at, upn_at = (at.get(name, width) for name in (
        "Report Refresh Date", "Is Deleted", "Last Activity Date", "User Id", "User Principal Name"))
    pad, lacking = [""] * (width + 1), width in (ref, deleted, active, uid_at, upn_at)
    cells, need = itemgetter(uid_at, upn_at, active), max(ref, deleted, active, uid_at, upn_at) + 1

    while block := list(islice(reader, USAGE_STEP)):
        lines = list(filter(None, block)) if ([] if not plain else "") in block else block  # DictReader skips empty lines
        if plain:  # the cells as csv.reader reads them; only as many as the columns read need, where that is all
            whole = lacking or not lines or min(map(str.count, lines, repeat(","))) + 1 < width or max(map(len, lines)) > _LIMIT
            lines = _plain_cells(lines) if whole else list(map(str.split, lines, repeat(","), repeat(need)))
            fast = not whole
        else:
            fast = not lacking and (not lines or min(map(len, lines)) >= width)
        if fast:
            # every line has every cell the header names (the usual report): a block at a time (issue 15)
            if not refreshed:
                refreshed = next(filter(None, map(itemgetter(ref), lines)), "")
            gone = list(map(str.lower, map(itemgetter(deleted), lines)))
            if "true" in gone or "yes" in gone:  # deleted people stay in the report; their UPN may be someone new's
                lines = [line for line, g in zip(lines, gone) if g != "true" and g != "yes"]
            total += len(lines)
            # people without activity in the period need no row
            rows += [{"userId": share(uid, uid), "userPrincipalName": share(upn, upn), "lastActivityDate": intern(last)}
                     for uid, upn, last in map(cells, compress(lines, map(itemgetter(active), lines)))]
        else:
            for line in lines:
                if len(line) <= width:  # short lines read as empty cells (each line gets one more: a missing column's)
                    line += pad[len(line):]
                elif lacking:  # a longer line: its extra cells are no column of the header
                    line = line[:width] + pad[:1]
                if not refreshed:
                    refreshed = line[ref]
                if line[deleted].lower() in ("true", "yes"):
                    continue  # deleted people stay in the report for its period; their UPN may belong to someone new
                total += 1
                last = line[active]
                if last:  # people without activity in the period need no row
                    uid, upn = line[uid_at], line[upn_at]
                    rows.append({"userId": share(uid, uid), "userPrincipalName": share(upn, upn),
                                 "lastActivityDate": intern(last)})
        if len(block) == USAGE_STEP:
            yield
    return rows, refreshed, total


_PLAIN_CHARS = 1 << 20  # characters of a plain report split at once
_LIMIT = csv.field_size_limit()  # csv.reader refuses a longer cell


def _plain(text: str) -> bool:
    """Whether csv.reader reads every line of ``text`` as its cells between commas: no quote, no NUL (Python 3.10's
    csv refuses it), and no carriage return but at a line's end."""
    return '"' not in text and "\x00" not in text and text.count("\r") == text.count("\r\n")


def _plain_lines(text: str) -> Iterator[str]:
    """The lines of a ``_plain`` text without their ends (csv.reader's records before they are split at the commas),
    split ~1 MB at a time at C speed."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", min(start + _PLAIN_CHARS, size) - 1) + 1 or size
        piece = text[start:end]
        lines = piece.split("\n")
        if piece[-1] == "\n":
            lines.pop()  # nothing after the last line's end
        if "\r" in piece:
            lines = list(map(str.rstrip, lines, repeat("\r")))  # a line's "\r\n" ends it, as csv.reader reads it
        yield from lines
        start = end


def _plain_cells(lines: list[str]) -> list[list[str]]:
    """Plain lines as csv.reader reads them: split at every comma (an empty line: no cells); a line longer than csv's
    cell limit is read by csv.reader itself (which refuses a cell that long, as before)."""
    return [(line.split(",") if len(line) <= _LIMIT else next(csv.reader([line]))) if line else [] for line in lines]


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their ends (csv.reader joins a quoted field's lines), split at "\n" as io.StringIO does."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start) + 1 or size
        yield text[start:end]
        start = end


def member_ids(members: list) -> list[str]:
    """The ids of a page of a group's members, each checked as ``check_item("licence_error_groups", ...)`` checks it: a
    column at a time where every member is an object and every field shapes.FIELDS names has one of its types (or is
    null or absent, where it may be), issue 15: ~5 us a member one by one, 53,000 members at 100k; otherwise one by one,
    which names what is wrong."""
    if _MEMBER_KINDS is not None and set(map(type, members)) <= _DICT and all(
            set(map(type, map(dict.get, members, repeat(name)))) <= kinds for name, kinds in _MEMBER_KINDS):
        return list(map(dict.get, members, repeat("id")))
    return [check_item("licence_error_groups", m, "/groups/{id}/members")["id"] for m in members]


_DICT = frozenset({dict})
# per field of a member: the exact types check_item lets through (JSON makes no subclasses; null only where optional)
# (None: a field with objects inside, which check_item looks into: one by one)
_MEMBER_KINDS: list[tuple[str, frozenset]] | None = [
    (name, frozenset(types) if types is STR else frozenset(types) | {type(None)})
    for name, types in FIELDS["licence_error_groups"].items()]
if any(("licence_error_groups", name) in NESTED for name, _ in _MEMBER_KINDS):
    _MEMBER_KINDS = None  # pragma: no cover - no such field today


async def group_members(client: GraphClient, groups_sec: Awaitable[Section], previous: Any = None) -> Section:
    """Members of groups that assign licences (group-based licensing), $top 999 per page; in a delta re-audit,
    the previous members with members@delta applied, and only new licensing groups read."""
    from .delta import members_from_delta

    groups = await groups_sec
    if not groups.usable:
        return Section("group_members", SKIPPED, reason=Phrase("report.reasons.groups_unread", reason=groups.reason))
    known: dict[str, list[str]] = {}
    if previous is not None and previous.snap is not None:
        known, unknown = members_from_delta(previous.snap.sections.get("group_members"), groups, previous)
        licensing = [{"id": gid} for gid in unknown]
    else:
        licensing = [g for g in groups.data if g.get("assignedLicenses")]

    refusals: list[GraphError] = []

    async def one(gid: str) -> tuple[str, list[str] | None]:
        ids: list[str] = []
        try:
            async for page in client.iter_pages(build(client.sdk.groups.by_group_id(gid).members, select=["id"], top=999)):
                ids.extend(member_ids(page.get("value", [])))
        except GraphError as exc:
            if not exc.is_forbidden:  # a 403 after the first page (RefusedMidway) is a failed read: the section fails
                raise
            refusals.append(exc)  # refused from the first page on: the caller may not read this group's members
            return gid, None
        return gid, bulkjson.share(ids)  # the same string objects as the users' ids

    async def run() -> Section:
        pairs = await gather_all(*(one(g["id"]) for g in licensing))
        if refusals and len(refusals) == len(pairs):
            raise refusals[0]  # every group refused: the permission is missing (classified as before)
        if refusals:  # some groups' members refused while others were read: hidden membership, most likely
            return _some_refused("group_members", "/groups/{id}/members", "Member.Read.Hidden",
                                 Phrase("cli.progress.reasons.members_refused", n=len(refusals), total=len(pairs),
                                        permission="Member.Read.Hidden"))
        order = [g["id"] for g in groups.data if g.get("assignedLicenses")]
        found = dict(known, **dict(pairs))
        members = {gid: found[gid] for gid in order if gid in found}
        return Section("group_members", COMPLETE, members, endpoint="/groups/{id}/members",
                       count=sum(len(v) for v in members.values()), notes=["members of licensing groups only"])

    return await _guard("group_members", "/groups/{id}/members", "GroupMember.Read.All", run())


async def sharing(client: GraphClient) -> list[Section]:
    sdk = client.sdk
    jobs = [
        _guard("sharepoint", "/admin/sharepoint/settings", "SharePointTenantSettings.Read.All",
               _single(client, "sharepoint", "/admin/sharepoint/settings", build(sdk.admin.sharepoint.settings))),
        _guard("authorization_policy", "/policies/authorizationPolicy", "Policy.Read.All",
               _single(client, "authorization_policy", "/policies/authorizationPolicy", build(sdk.policies.authorization_policy))),
        _guard("cross_tenant_default", "/policies/crossTenantAccessPolicy/default", "Policy.Read.All",
               _single(client, "cross_tenant_default", "/policies/crossTenantAccessPolicy/default",
                       build(sdk.policies.cross_tenant_access_policy.default))),
    ]
    return await gather_all(*jobs)


async def identity_policies(client: GraphClient, skus: Awaitable[Section] | None = None) -> list[Section]:
    sdk = client.sdk
    jobs = [
        _guard("security_defaults", "/policies/identitySecurityDefaultsEnforcementPolicy", "Policy.Read.All",
               _single(client, "security_defaults", "/policies/identitySecurityDefaultsEnforcementPolicy",
                       build(sdk.policies.identity_security_defaults_enforcement_policy))),
        _guard("conditional_access", "/identity/conditionalAccess/policies", "Policy.Read.All",
               _collection(client, "conditional_access", "/identity/conditionalAccess/policies",
                           build(sdk.identity.conditional_access.policies)), licence=P1),
    ]
    defaults, ca = await gather_all(*jobs)
    if ca.status == FORBIDDEN and not ca.licence:
        ca = await _licence_or_permission(ca, skus, ENTRA_P1_CAP, P1)
    return [defaults, ca]


async def _licence_or_permission(sec: Section, skus: Awaitable[Section] | None, capability: str, licence: str) -> Section:
    """A 403 is a missing licence when the tenant's subscriptions lack it, whatever the error text says."""
    if skus is None:
        return sec
    sku_sec = await skus
    if sku_sec.usable and not tenant_has(sku_sec.data or [], capability):
        return Section(sec.name, FORBIDDEN, endpoint=sec.endpoint, licence=licence,
                       reason=Phrase("report.reasons.no_licence_403", licence=licence))
    return sec


def tenant_has(skus: list[dict], capability: str) -> bool:
    return any(s.get("capabilityStatus") == "Enabled" and int((s.get("prepaidUnits") or {}).get("enabled") or 0) > 0
               and any(capability in capabilities_of_plan(p.get("servicePlanName") or "") for p in s.get("servicePlans") or [])
               for s in skus)


async def mfa_registration(client: GraphClient, users_sec: Awaitable[Section], skus: Awaitable[Section] | None = None) -> Section:
    """The registration report; without Entra ID P1, per-user authentication methods in $batch."""
    return await _guard("mfa", "/reports/authenticationMethods/userRegistrationDetails", "AuditLog.Read.All",
                        _mfa_registration(client, users_sec, skus), licence=P1)


async def _mfa_registration(client: GraphClient, users_sec: Awaitable[Section], skus: Awaitable[Section] | None) -> Section:
    endpoint = "/reports/authenticationMethods/userRegistrationDetails"
    builder = client.sdk.reports.authentication_methods.user_registration_details
    # The v1.0 page (authenticationmethodsroot-list-userregistrationdetails) names no $top maximum; this is a report,
    # not a directory collection (999), and the simulator serves up to 1,000 like Intune's lists. A server that
    # refuses 1,000 (400) costs one request: the next try reads at the default page size.
    tries = [(build(builder, select=REGISTRATION_FIELDS, top=1000), ""),
             (build(builder, select=REGISTRATION_FIELDS), "read with the default page size"),
             (build(builder), "read without $select")]
    try:
        return await _ladder(client, "mfa", endpoint, tries, for_section("mfa"), priority=LONG)
    except GraphError as exc:
        first = classify("mfa", endpoint, exc, permission="AuditLog.Read.All", licence=P1)
    if first.status != FORBIDDEN:
        return first
    if not first.licence:  # a 403 without the words: the subscriptions tell whether P1 is missing
        first = await _licence_or_permission(first, skus, ENTRA_P1_CAP, P1)
    users_done = await users_sec
    if not users_done.usable:
        return Section("mfa", SKIPPED, endpoint=endpoint, reason=Phrase("report.reasons.fallback_no_users", reason=first.reason))
    members = [u for u in users_done.data if u.get("accountEnabled") and u.get("userType") == "Member"]
    reqs = [BatchRequest(u["id"], "GET", f"/users/{u['id']}/authentication/methods") for u in members]
    try:
        results = await run_batch(client, reqs)
        _faulted(results, [r.id for r in reqs], METHODS)
        paged = [u["id"] for u in members if _next_link(results.get(u["id"]))]
        more = dict(zip(paged, await gather_all(*(_later_methods(client, i, results[i].body) for i in paged))))
    except GraphError as exc:
        return classify("mfa", "/users/{id}/authentication/methods ($batch)", exc,
                        permission="UserAuthenticationMethod.Read.All")
    rows, refused = [], 0
    for u in members:
        res = results.get(u["id"])
        if res is None or not res.ok:
            refused += 1 if (res is not None and res.status == 403) else 0
            continue
        kinds = [str(m.get("@odata.type", "")) for m in (res.body or {}).get("value", []) + more.get(u["id"], [])]
        methods = [MFA_METHOD_TYPES.get(k) or OTHER_METHOD_TYPES.get(k) or k.rsplit(".", 1)[-1] for k in kinds]
        rows.append({"id": u["id"], "userPrincipalName": u["userPrincipalName"], "userType": "member",
                     "isMfaRegistered": any(k in MFA_METHOD_TYPES for k in kinds),
                     "methodsRegistered": [m for m in methods if m != "password"]})
    if members and refused == len(members):
        return Section("mfa", FORBIDDEN, endpoint="/users/{id}/authentication/methods", permission="UserAuthenticationMethod.Read.All",
                       reason=Phrase("report.reasons.fallback_no_permission", reason=first.reason))
    if refused:  # some people's methods refused (a signed-in Authentication Administrator may not read admins'): their
        # MFA is unknown, and the check would judge the members it could read as all of them (and could pass)
        return _some_refused("mfa", METHODS, "UserAuthenticationMethod.Read.All",
                             Phrase("cli.progress.reasons.methods_refused", n=refused, total=len(members),
                                    permission="UserAuthenticationMethod.Read.All"))
    sec = Section("mfa", FALLBACK, rows, endpoint="/users/{id}/authentication/methods ($batch)", count=len(rows),
                  licence=P1, reason=first.reason)
    sec.notes.append(f"registration report unavailable ({first.reason}); read each enabled member's authentication "
                     f"methods in $batch instead ({len(rows)} of {len(members)} read)")
    return sec


METHODS = "/users/{id}/authentication/methods"


def _next_link(res: Any) -> Any:
    return res.body.get("@odata.nextLink") if res is not None and res.ok and isinstance(res.body, dict) else None


async def _later_methods(client: GraphClient, uid: str, page: dict) -> list:
    """The methods on the pages after a user's first (answered in $batch), which its ``@odata.nextLink`` leads to
    (paging.md: follow it as given), read as a chain (GraphClient.iter_pages: Graph's origin, never a page twice, the
    page bounds), each link to the same user's methods. A 403 to one of them is a failed read (RefusedMidway), never
    the permission missing: Graph answered the user's first page."""
    check_page(page, METHODS)
    resource = f"/users/{uid}/authentication/methods"
    here = client.endpoint.base_url + resource
    url = same_resource_link(client, client.next_url(here, page["@odata.nextLink"], {here}, METHODS), resource, METHODS)
    values: list = []
    read = 1
    try:
        async for more in client.iter_pages(url):
            read += 1
            link = more.get("@odata.nextLink")
            if link is not None:
                url = same_resource_link(client, client.next_url(url, link, set(), METHODS), resource, METHODS)
            values.extend(more["value"])
    except RefusedMidway as exc:  # Graph's answer as iter_pages said it; its pages counted from the user's second
        raise exc.at(METHODS, read + 1) from None
    except GraphError as exc:
        raise refused_midway(exc, METHODS, read + 1) if exc.is_forbidden else exc from None
    return values


async def managed_devices(client: GraphClient, skus: Awaitable[Section] | None = None) -> Section:
    endpoint = "/deviceManagement/managedDevices"
    builder = client.sdk.device_management.managed_devices
    tries = [(build(builder, select=MANAGED_FIELDS, top=1000), ""),
             (build(builder, select=MANAGED_FIELDS), "read with the default page size")]
    sec = await _guard("managed_devices", endpoint, "DeviceManagementManagedDevices.Read.All",
                       _ladder(client, "managed_devices", endpoint, tries, priority=LONG), licence=INTUNE)
    if sec.status == FORBIDDEN and not sec.licence:
        sec = await _licence_or_permission(sec, skus, INTUNE_CAP, INTUNE)
    return sec


async def compliance_policies(client: GraphClient) -> Section:
    endpoint = "/deviceManagement/deviceCompliancePolicies"
    info = build(client.sdk.device_management.device_compliance_policies, select=["id", "displayName", "createdDateTime"])
    return await _guard("compliance_policies", endpoint, "DeviceManagementConfiguration.Read.All",
                        _collection(client, "compliance_policies", endpoint, info), licence=INTUNE)


class _Later:
    """Awaits a shared task (shielded, so one waiter's cancellation does not cancel it for all).

    Unlike ``asyncio.shield(task)`` made up front, nothing is created until it is awaited: a shield
    nobody awaits would log "Future exception was never retrieved" when the task fails.
    """

    def __init__(self, task: asyncio.Future) -> None:
        self.task = task

    def __await__(self):  # noqa: ANN204
        return asyncio.shield(self.task).__await__()


More = Callable[[GraphClient, Any, Any], list]  # (client, users, skus) -> more (label, job) pairs
Job = Callable[[], Awaitable[Any]]


async def collect_all(client: GraphClient, progress: Progress | None = None, previous: Any = None,
                      more: More | None = None, *, helper: Any = None) -> dict[str, Section]:
    """Collect every section concurrently (``collect_jobs``), by name, in the order of the jobs whatever process read
    them (so a snapshot's sections are in the same order with a helper as without)."""
    results = await collect_jobs(client, progress, previous, more, helper=helper)
    sections: dict[str, Section] = {}
    for r in results.values():
        for s in (r if isinstance(r, list) else [r]):
            sections[s.name] = s
    return sections


async def collect_jobs(client: GraphClient, progress: Progress | None = None, previous: Any = None,
                       more: More | None = None, *, helper: Any = None, only: frozenset[str] | None = None,
                       skus: Awaitable[Section] | None = None,
                       deliver: Callable[[str, Any], None] | None = None) -> dict[str, Any]:
    """Run every collection concurrently; dependent ones wait only for what they need. Each job's result (a Section or
    a list of them) by its label, in the jobs' order.

    + previous: a collect.delta.Previous: users, groups and devices are then read as changes (collect/delta.py).
    + more: further collections (collect/depth.py's ``jobs``), given the shared users and SKUs to wait on.
    + helper: a collect.helper.Helper, another process reading its ``names`` (collect/helper.py): those are not read
      here; its sections come in their place, and it is given the SKUs once they are read.
    + only, skus: the helper's side: read only the jobs named in ``only``, with the SKUs section the main process
      read (``skus``, awaited where a collection needs it), which is then neither read nor returned.
    + deliver: called with each job's label and result as it ends (the helper's side), which is then not returned.
    """
    from . import delta

    say = progress or (lambda _m: None)
    prev = previous or delta.Previous(None, "")
    away = helper.names if helper is not None else frozenset()

    def wanted(label: str) -> bool:
        return (only is None or label in only) and label not in away

    async def same_tenant() -> bool:
        org = await asyncio.shield(org_task)
        return bool(prev.snap and org.usable and (org.data or [{}])[0].get("id") == prev.snap.tenant_id)

    async def by_delta(coll: str, full: Callable[[], Awaitable[Section]], changes: Any) -> Section:
        old = prev.section(coll)
        if old is None or not await same_tenant():
            return await delta.full_with_link(client, coll, full)
        return await changes(old, full)

    # the shared reads start at once, those this side reads at all: the helper's side reads neither the tenant nor
    # its users, and takes the SKUs from the main process
    org_task = asyncio.ensure_future(organization(client)) if only is None else None
    users_task = asyncio.ensure_future(by_delta("users", lambda: users(client), lambda o, f: delta.users(client, o, f))) \
        if only is None else None
    skus_task = asyncio.ensure_future(licences(client) if skus is None else skus)
    groups_task = asyncio.ensure_future(by_delta("groups", lambda: groups(client),
                                                 lambda o, f: delta.groups(client, o, f, prev))) if wanted("groups") else None

    async def named(label: str, coro: Awaitable[Any]) -> Any:
        result = await coro
        secs = result if isinstance(result, list) else [result]
        for s in secs:
            words = {"name": f"{s.name:<22}", "count": s.count,  # 5.000 in German (the catalogue formats it)
                     "status": Phrase(f"cli.progress.status.{s.status}")}
            say(Phrase("cli.progress.section_reason", **words, reason=s.reason if isinstance(s.reason, Phrase) else s.reason[:70])
                if s.reason
                else Phrase("cli.progress.section", **words))
        if deliver is not None:  # handed on at once and not kept here (the helper process: its memory stays low)
            deliver(label, result)
            return None
        return result

    async def teams_after_groups() -> Section:
        return await teams(client, await asyncio.shield(groups_task))

    shared = [t for t in (org_task, users_task, skus_task, groups_task) if t is not None]
    users_, skus_, groups_ = (_Later(t) if t is not None else None for t in (users_task, skus_task, groups_task))
    jobs: list[tuple[str, Job]] = [
        ("organization", lambda: _Later(org_task)),
        ("skus", lambda: skus_),
        ("users", lambda: users_),
        ("groups", lambda: groups_),
        ("licence_error_groups", lambda: licence_error_groups(client)),
        ("teams", teams_after_groups),
        ("group_members", lambda: group_members(client, groups_, prev)),
        ("teams_usage", lambda: teams_usage(client)),
        ("sharing", lambda: sharing(client)),
        ("identity", lambda: identity_policies(client, skus_)),
        ("mfa", lambda: mfa_registration(client, users_, skus_)),
        ("managed_devices", lambda: managed_devices(client, skus_)),
        ("compliance_policies", lambda: compliance_policies(client)),
        ("devices", lambda: by_delta("devices", lambda: entra_devices(client, skus_),
                                     lambda o, f: delta.devices(client, o, f, users_))),
        *(more(client, users_, skus_) if more else []),
    ]
    labels = [label for label, _ in jobs if wanted(label) and not (label == "skus" and skus is not None)]
    chosen = [named(label, job()) for label, job in jobs if label in labels]
    if helper is not None:  # what the helper does not deliver is read here after all
        helper.read_here = lambda: collect_jobs(client, progress, previous, more, only=helper.names, skus=skus_)
        chosen.append(helper.results(_Later(skus_task)))
    try:
        results = await gather_all(*chosen)
    except BaseException:
        await cancel_all(shared)  # a refused token or an unreachable server: nothing keeps running
        raise
    done = dict(zip(labels, results))
    if helper is not None:
        done.update(results[-1])
    return {label: done[label] for label, _ in jobs if label in done}
