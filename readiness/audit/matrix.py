"""The per-person matrix: can this person work from home tomorrow, and if not, why not?

Ready means all of:
1. an enabled member (accountEnabled, userType Member; guests never; #EXT# members count);
2. Teams (TEAMS1), a mailbox (EXCHANGE_S_* but not FOUNDATION) and files (SharePoint/OneDrive) enabled
   by an assigned licence: assigned minus disabled plans; group licences in error do not count;
3. MFA registered (Authenticator, phone, FIDO2, software OATH, Windows Hello; not password/email/TAP);
4. a device: with Intune, a compliant managed device whose primary user (by userId) is the person, or a
   provisioned Windows 365 Cloud PC; without Intune, an enabled Entra device (joined, hybrid joined or
   registered) the person owns;
5. the mailbox and OneDrive/SharePoint actually provisioned (users' provisionedPlans: not PendingInput,
   PendingActivation, PendingProvisioning or Error), where Graph gave provisionedPlans; and, where
   /admin/teams/userConfigurations was read, a Teams account of type ``user`` for a person licensed for Teams
   (missing there: no account hosted on Teams; ``sfbOnPremUser``, ``ineligibleUser``, ``unknown``: not usable).
Beside "ready", "can recover from home" says whether a locked-out person gets back in without the IT desk:
registered for self-service password reset, or a Temporary Access Pass policy for everyone.
Where a criterion cannot be evaluated (section forbidden or failed), ``ready`` is None, not False.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import repeat
from operator import add, attrgetter, itemgetter
from typing import Any, Iterable, Sequence

from ..audit.depth_facts import CLOUD_PC_WORKING
from ..audit.facts import COMPLIANT_MANAGED, ENTRA_ONLY, MANAGED_NOT_COMPLIANT, NO_DEVICE, Facts, Person, ready_capabilities
from .rows import Rows, as_list

REASON_CODES = (
    "no_licence", "no_teams", "teams_disabled", "no_mailbox", "mailbox_disabled", "no_files", "files_disabled",
    "licence_error", "licence_suspended", "no_usage_location", "no_mfa", "no_device", "device_not_compliant",
    "device_not_managed", "mfa_not_evaluable", "device_not_evaluable", "services_not_provisioned",
    "teams_not_provisioned",
)  # their words, in English and German, are in reports/translations/<lang>.json under "reason_words"
TEAMS_ACCOUNTS_OK = ("user",)  # teamsUserConfiguration accountType of a member who can use Teams
NOT_EVALUABLE_REASONS = {"mfa_not_evaluable", "device_not_evaluable"}
INFO_REASONS = {"no_usage_location"}  # explains a blocker; not a criterion itself


@dataclass
class Matrix:
    rows: Sequence[dict]  # a list of dicts, or (lazy) ``Rows`` made when read
    departments: list[dict]
    summary: dict


def assess(p: Person, f: Facts) -> tuple[bool | None, list[str]]:
    """Ready or not and why. Every Person field read here must be in build_matrix's verdict key (it reuses answers)."""
    reasons: list[str] = []
    caps = ready_capabilities(p)
    if not p.skus and not p.licence_errors and not p.suspended_skus:
        reasons.append("no_licence")
    else:
        for cap, plain, disabled_code, cap_names in (("teams", "no_teams", "teams_disabled", {"teams"}),
                                                     ("mailbox", "no_mailbox", "mailbox_disabled", {"exchange"}),
                                                     ("files", "no_files", "files_disabled", {"sharepoint", "onedrive"})):
            if not caps[cap]:
                reasons.append(disabled_code if cap_names & p.disabled_capabilities else plain)
        if p.licence_errors:
            reasons.append("licence_error")
        if p.suspended_skus:
            reasons.append("licence_suspended")
    if p.provisioning:
        reasons.append("services_not_provisioned")
    if caps["teams"] and p.teams_account not in (None, *TEAMS_ACCOUNTS_OK):
        reasons.append("teams_not_provisioned")
    if reasons and not p.usage_location:
        reasons.append("no_usage_location")
    if p.mfa is None:
        reasons.append("mfa_not_evaluable")
    elif not p.mfa:
        reasons.append("no_mfa")
    if p.device is None or f.device_rule is None:
        reasons.append("device_not_evaluable")
    elif f.device_rule == "intune":
        if p.device == MANAGED_NOT_COMPLIANT:
            reasons.append("device_not_compliant")
        elif p.device == ENTRA_ONLY:
            reasons.append("device_not_managed")
        elif p.device == NO_DEVICE:
            reasons.append("no_device")
    elif p.device not in (ENTRA_ONLY, COMPLIANT_MANAGED, MANAGED_NOT_COMPLIANT):
        reasons.append("no_device")
    hard = [r for r in reasons if r not in NOT_EVALUABLE_REASONS and r not in INFO_REASONS]
    if hard:
        return False, reasons
    if any(r in NOT_EVALUABLE_REASONS for r in reasons):
        return None, reasons
    return True, reasons


def build_matrix(f: Facts, *, shared_lists: bool = False, lazy: bool = False) -> Matrix:
    """Rows, departments and the tenant's summary. A row is made once per distinct *template*: everything in a row but
    the person's id, names, department and whether the account is external, looked up by the Person fields it comes
    from (licences and provisioning by identity: facts hands equal ones to many people as one object; Cloud PCs by
    whether one works). About 1,000 templates at 100,000 people; every person's row is a copy of its template with
    those fields set (a dict copy costs a fourth of a 20-key dict literal). The people are put in the rows' order
    (department, then name, each case-insensitive, ties in member order) by sorting numbers, not strings: each
    distinct department and name is ranked once (issue 15). A department is counted once per distinct template,
    weighted by how many of its rows have it, not once per row.

    ``lazy``: the rows are a ``Rows`` sequence (audit/rows.py): each row made from its template and person when it is
    read, not held. ``shared_lists``: rows with equal lists (reasons, licences, services not provisioned) hold one list
    between them, about 70 MB less at 400,000 people. Both only for a caller that changes no row (a CLI command renders
    and exits: ``evaluate(one_shot=True)``). Otherwise the rows are a list of dicts, each with lists of its own, as a
    library user may change one."""
    members = f.members
    numbers, made = _template_numbers(members, f)
    departments_of = [d or "" for d in map(_DEPARTMENT, members)]
    order = _order(members, departments_of)
    if len(order) > 1:  # both put in that order by one C call each (itemgetter gives a tuple; faster than map)
        pick = itemgetter(*order)
        numbers, people = pick(numbers), pick(members)
    else:
        numbers, people = [numbers[i] for i in order], [members[i] for i in order]
    rows: Any = Rows(people, numbers, made, own_lists=not shared_lists)
    if not lazy:
        rows = rows[:]  # every row made now: a list of dicts
    sizes = Counter(departments_of)
    lowered = {d: d.lower() for d in sizes}
    if len(set(lowered.values())) < len(lowered):  # "IT" and "it": the rows of both interleave; count them as rows
        listed = as_list(rows)
        return Matrix(rows, departments(listed), summarize(listed))
    depts, tallies = [], []
    start = 0
    for name in sorted(sizes, key=lowered.__getitem__):  # a department's rows follow one another in the order
        end = start + sizes[name]
        # each template once (any row of it counts alike), in the order templates first occur, with its number of rows
        counts = Counter(numbers[start:end])
        tally = _tally(list(map(made.__getitem__, counts)), counts.values(), end - start)
        tallies.append(tally)
        depts.append(_department_row(name, _summary(tally)))
        start = end
    return Matrix(rows, depts, _summary(_add(tallies)))


_DEPARTMENT, _NAME = attrgetter("department"), attrgetter("name")


def _template_numbers(members: list[Person], f: Facts) -> tuple[list[int], list[dict]]:
    """Each member's template number, and the templates (``_template``) by number in the order they first occur."""
    templates: dict[tuple, int] = {}
    made: list[dict] = []
    numbers: list[int] = []
    add = numbers.append
    cache: dict = {"verdicts": {}, "licences": {}, "lists": {}, "missing": {}}
    id_, working = id, CLOUD_PC_WORKING
    for p in members:
        # what the template holds, read from the Person: shared objects by identity, values by value
        pcs = p.cloud_pcs  # a Cloud PC's own list per person who has one: the template holds only whether one works
        key = (p.capabilities, p.disabled_capabilities, id_(p.skus), not p.licence_errors, not p.suspended_skus,
               id_(p.provisioning), p.usage_location, p.mfa, p.device, p.teams_account, p.teams_active, p.sspr,
               p.tap, bool(pcs) and any(pc.get("status") in working for pc in pcs))
        try:
            number = templates.get(key)
        except TypeError:  # an odd value (a set of capabilities, a list where a string belongs): a template of its own
            number = key = None
        if number is None:
            number = len(made)
            made.append(_template(p, f, cache))
            if key is not None:
                templates[key] = number
        add(number)
    return numbers, made


def _order(members: list[Person], departments_of: list[str]) -> list[int]:
    """The positions of ``members`` in the rows' order: by department, then name, each lower-cased, ties in member
    order (a stable sort). Each distinct value is lower-cased and ranked once; the sort compares one number a row."""
    names = list(map(_NAME, members))
    lower_name = {n: n.lower() for n in set(names)}  # 2,700 distinct names at 100,000 people
    rank = {n: i for i, n in enumerate(sorted(set(lower_name.values())))}
    name_rank = {n: rank[low] for n, low in lower_name.items()}
    lower_dept = {d: d.lower() for d in set(departments_of)}
    dept_rank = {low: i for i, low in enumerate(sorted(set(lower_dept.values())))}
    width = len(rank)
    base = {d: dept_rank[low] * width for d, low in lower_dept.items()}
    keys = list(map(add, map(base.__getitem__, departments_of), map(name_rank.__getitem__, names)))
    return sorted(range(len(keys)), key=keys.__getitem__)


def _template(p: Person, f: Facts, cache: dict) -> dict:
    """A row of ``p`` without its id, names, department and ``external``: what people alike in its key share. Its
    lists are one object per distinct value (``cache``)."""
    verdicts, lists = cache["verdicts"], cache["lists"]
    caps, off = p.capabilities, p.disabled_capabilities
    provisioning = p.provisioning
    key = None
    if caps.__class__ is frozenset and off.__class__ is frozenset:
        key = (caps, off, not p.skus, not p.licence_errors, not p.suspended_skus, not provisioning,
               not p.usage_location, p.mfa, p.device, p.teams_account)
    try:
        got = verdicts.get(key) if key is not None else None
    except TypeError:
        got = key = None
    if got is None:
        ready, reasons = assess(p, f)
        got = (ready, lists.setdefault(("r", *reasons), reasons), ready_capabilities(p))
        if key is not None:
            verdicts[key] = got
    ready, reasons, kit_ = got
    skus = p.skus if p.skus.__class__ is tuple else tuple(p.skus)
    names = cache["licences"].get(skus)
    if names is None:
        names = [f.sku_name(s) for s in skus]
        names = cache["licences"][skus] = lists.setdefault(("l", *names), names)
    wanting = tuple(provisioning) if provisioning else ()
    not_provisioned = cache["missing"].setdefault(wanting, list(wanting))
    sspr, tap, pcs = p.sspr, p.tap, p.cloud_pcs
    # Person.can_recover, inline: SSPR registered or a TAP possible; either unknown cannot say "no"
    can_recover = True if sspr or tap else (None if sspr is None or tap is None else False)
    return {
        "id": None, "userPrincipalName": None, "displayName": None, "department": None,
        "ready": ready, "reasons": reasons, "teams_enabled": kit_["teams"], "mailbox_enabled": kit_["mailbox"],
        "files_enabled": kit_["files"], "mfa_registered": p.mfa, "device": p.device,
        "usage_location": p.usage_location, "licences": names, "teams_active_30d": p.teams_active, "external": None,
        "sspr_registered": sspr, "services_provisioned": None if provisioning is None else not provisioning,
        "not_provisioned": not_provisioned, "cloud_pc": bool(pcs) and any(pc.get("status") in CLOUD_PC_WORKING for pc in pcs),
        "can_recover": can_recover,
    }


_COUNTS = ("ready", "not_ready", "not_evaluable", "without_teams", "without_mailbox", "without_files", "without_mfa",
           "without_managed_device", "without_any_device", "teams_active_30d", "can_recover", "recover_unknown",
           "without_sspr", "not_provisioned", "with_cloud_pc")


def _tally(rows: Iterable[dict], weights: Iterable[int] | None = None, people: int | None = None) -> dict:
    """The counts of ``summarize`` in one pass; reasons in the order they first occur (ties keep it). ``weights``:
    how many rows each of ``rows`` stands for (build_matrix passes each template once), ``people`` their sum."""
    rows = rows if isinstance(rows, list) else list(rows)
    ready = not_ready = not_evaluable = 0
    without_teams = without_mailbox = without_files = without_mfa = without_managed = without_any = 0
    teams_active, teams_known, recover, recover_known, recover_unknown = 0, False, 0, False, 0
    without_sspr = not_provisioned = with_cloud_pc = 0
    codes: Counter[str] = Counter()
    for r, n in zip(rows, repeat(1) if weights is None else weights):
        state = r["ready"]
        if state is True:
            ready += n
        elif state is False:
            not_ready += n
            for c in r["reasons"]:
                if c not in INFO_REASONS:
                    codes[c] += n
        elif state is None:
            not_evaluable += n
        if not r["teams_enabled"]:
            without_teams += n
        if not r["mailbox_enabled"]:
            without_mailbox += n
        if not r["files_enabled"]:
            without_files += n
        if r["mfa_registered"] is False:
            without_mfa += n
        device = r["device"]
        if device is not None and device != COMPLIANT_MANAGED:
            without_managed += n
        if device == NO_DEVICE:
            without_any += n
        active = r["teams_active_30d"]
        if active is not None:
            teams_known = True
        if active:
            teams_active += n
        can = r.get("can_recover")
        if can is not None:
            recover_known = True
        else:
            recover_unknown += n
        if can:
            recover += n
        if r.get("sspr_registered") is False:
            without_sspr += n
        if r.get("services_provisioned") is False:
            not_provisioned += n
        if r.get("cloud_pc"):
            with_cloud_pc += n
    return {"people": len(rows) if people is None else people, "ready": ready, "not_ready": not_ready, "not_evaluable": not_evaluable,
            "without_teams": without_teams, "without_mailbox": without_mailbox, "without_files": without_files,
            "without_mfa": without_mfa, "without_managed_device": without_managed, "without_any_device": without_any,
            "teams_active_30d": teams_active, "teams_known": teams_known, "can_recover": recover,
            "recover_known": recover_known, "recover_unknown": recover_unknown, "without_sspr": without_sspr, "not_provisioned": not_provisioned,
            "with_cloud_pc": with_cloud_pc, "reasons": codes}


def _add(tallies: list[dict]) -> dict:
    """Tallies of consecutive groups of rows added up: the tally of all their rows."""
    total = {k: 0 for k in ("people",) + _COUNTS}
    total.update(teams_known=False, recover_known=False, reasons=Counter())
    for t in tallies:
        for k in ("people",) + _COUNTS:
            total[k] += t[k]
        total["teams_known"] = total["teams_known"] or t["teams_known"]
        total["recover_known"] = total["recover_known"] or t["recover_known"]
        for code, n in t["reasons"].items():  # first occurrence order carries over: groups follow one another
            total["reasons"][code] += n
    return total


def _summary(t: dict) -> dict:
    return {
        "people": t["people"],
        "ready": t["ready"],
        "not_ready": t["not_ready"],
        "not_evaluable": t["not_evaluable"],
        "without_teams": t["without_teams"],
        "without_mailbox": t["without_mailbox"],
        "without_files": t["without_files"],
        "without_mfa": t["without_mfa"],
        "without_managed_device": t["without_managed_device"],
        "without_any_device": t["without_any_device"],
        # who used Teams in the last 30 days; None when the usage report could not be joined (concealed names)
        "teams_active_30d": t["teams_active_30d"] if t["teams_known"] else None,
        "reasons": dict(t["reasons"].most_common()),
        # issue 14: who gets back in from home when locked out; None when neither SSPR nor the TAP policy was read
        "can_recover": t["can_recover"] if t["recover_known"] else None,
        "recover_unknown": t["recover_unknown"] if t["recover_known"] else None,  # of whom it cannot be said either way
        "without_sspr": t["without_sspr"],
        "not_provisioned": t["not_provisioned"],
        "with_cloud_pc": t["with_cloud_pc"],
    }


def summarize(rows: list[dict]) -> dict:
    """Counts over matrix rows, in one pass."""
    return _summary(_tally(rows))


def _department_row(name: str, s: dict) -> dict:
    return {"department": name, "people": s["people"], "ready": s["ready"], "not_ready": s["not_ready"],
            "not_evaluable": s["not_evaluable"], "top_reasons": list(s["reasons"])[:3]}


def departments(rows: list[dict]) -> list[dict]:
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r["department"] or "", []).append(r)
    return [_department_row(name, summarize(members)) for name, members in sorted(by.items(), key=lambda kv: kv[0].lower())]
