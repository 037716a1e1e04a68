"""A tenant, a playbook using every action type, and a projection of tenant state to compare runs."""
from __future__ import annotations

from pathlib import Path

from readiness.simulator import generate_tenant
from readiness.simulator.mail import sent_items

ALL_ACTIONS = """
name: all-actions
description: every action type once
parameters: {owner: "", sender: "", break_glass: []}
steps:
  - {id: enable, action: enable_service_plans}
  - {id: licences, action: assign_licence, params: {usage_location: DE}, select: {missing: [teams, mailbox, files]}}
  - {id: group, action: add_to_group, params: {group: LIC-M365-E3}, select: {departments: [Legal]}}
  - {id: team, action: create_team, params: {name: Krisenstab, owners: ["${owner}"]}, select: {departments: [IT]}}
  - {id: sharing, action: sharing_settings, params: {sharingCapability: existingExternalUserSharingOnly}}
  - {id: guests, action: guest_invitation_policy, params: {allowInvitesFrom: adminsGuestInvitersAndAllMembers}}
  - {id: compliance, action: compliance_policy, params: {platforms: [android, macos]}}
  - {id: ca, action: conditional_access, params: {break_glass: "${break_glass}"}}
  - {id: invite, action: invite_guests, params: {csv: partners.csv}}
  - {id: mail, action: send_announcement, params: {sender: "${sender}"}, select: {departments: [IT]}}
"""
PARTNERS = "email,displayName\nsteuer@kanzlei.example,Kanzlei Berger\nlager@logistik.example,Logistik Partner\n"


def tenant(seed: int = 5, size: int = 80):
    t = generate_tenant("enterprise", seed=seed, size=size)
    for sku in t.skus:  # room for everyone who lacks the kit
        if sku["skuPartNumber"] == "SPE_F1":
            sku["prepaidUnits"]["enabled"] += 50
    return t


def write_playbook(folder: Path) -> Path:
    (folder / "partners.csv").write_text(PARTNERS, encoding="utf-8")
    path = folder / "all-actions.yaml"
    path.write_text(ALL_ACTIONS, encoding="utf-8")
    return path


def params(t) -> list[str]:
    it = [u for u in t.users if u["department"] == "IT" and u["accountEnabled"] and u["userType"] == "Member"]
    return ["-p", f"owner={it[0]['userPrincipalName']}", "-p", f"sender={it[0]['userPrincipalName']}",
            "-p", f"break_glass={it[1]['userPrincipalName']}"]


def state(t) -> dict:
    """What the playbook changes, comparable between runs (ids of new objects left out)."""
    return {
        "licences": sorted((u["userPrincipalName"], tuple(sorted((l["skuId"], tuple(l.get("disabledPlans") or []))
                                                                 for l in u["assignedLicenses"])), u.get("usageLocation"))
                           for u in t.users if u["userType"] == "Member"),
        "groups": sorted(g["displayName"] for g in t.groups),
        "lic_group": sorted(t.group_members.get(next(g["id"] for g in t.groups if g["displayName"] == "LIC-M365-E3"), [])),
        "teams": sorted((t.groups_by_id[g]["displayName"], tuple(sorted(c["displayName"] for c in t.channels.get(g, []))),
                         len(t.team_members.get(g, []))) for g in t.teams),
        "sharepoint": {k: t.sharepoint_settings[k] for k in ("sharingCapability", "isResharingByExternalUsersEnabled")},
        "authz": {k: t.authorization_policy[k] for k in ("allowInvitesFrom", "guestUserRoleId")},
        "compliance": sorted((p["displayName"], len(p.get("_assignments") or [])) for p in t.compliance_policies),
        "ca": sorted((p["displayName"], p["state"]) for p in t.ca_policies),
        "guests": sorted(u["mail"] for u in t.users if u["userType"] == "Guest"),
    }


def mails(t) -> int:
    """Messages in the senders' Sent Items folders: the simulator's own count of mails that went out."""
    return len(sent_items(t))


def duplicates(t) -> dict[str, int]:
    """Objects made more than once (0 everywhere when nothing was sent twice)."""
    from collections import Counter

    def extra(names) -> int:
        return sum(n - 1 for n in Counter(names).values() if n > 1)

    return {"teams": extra(g["displayName"] for g in t.groups),
            "invitations": extra(i["invitedUserEmailAddress"].lower() for i in t.invitations),
            "guests": extra((u.get("mail") or "").lower() for u in t.users if u["userType"] == "Guest"),
            "compliance": extra(p["displayName"] for p in t.compliance_policies),
            "ca": extra(p["displayName"] for p in t.ca_policies),
            "mails": max(0, mails(t) - 1)}
