"""Teams: who has it, who uses it, and whether there is a place to work together."""
from __future__ import annotations

from typing import Iterable

from ..licensing.capabilities import TEAMS
from .common import finding, names
from ..audit.facts import facts
from .model import Finding, Status, t
from .registry import check


@check(id="teams.members_without_teams", area="teams", severity="critical",
       title=t("Every active member has Teams", "Jedes aktive Mitglied hat Teams"),
       requires=("skus", "users"),
       rationale=t("Without Teams there are no meetings, chats or calls from home.",
                   "Ohne Teams gibt es von zu Hause keine Besprechungen, Chats oder Anrufe."),
       remediation=t("Assign a licence with Teams or switch the Teams plan on (emergency-home-office).",
                     "Eine Lizenz mit Teams zuweisen oder den Teams-Plan einschalten (emergency-home-office)."),
       fix_playbook="emergency-home-office", effort="hours")
def members_without_teams(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    without = [p for p in f.members if TEAMS not in p.capabilities]
    ev = {"members": len(f.members), "without_teams": names(without), "source": "/users assignedLicenses + /subscribedSkus"}
    if without:
        yield finding("teams.members_without_teams", Status.FAIL, f"{len(without)} of {len(f.members)} active members have no Teams.",
                      f"{len(without)} von {len(f.members)} aktiven Mitgliedern haben kein Teams.", **ev)
    else:
        yield finding("teams.members_without_teams", Status.PASS, "Every active member has Teams.", "Alle aktiven Mitglieder haben Teams.", **ev)


@check(id="teams.usage_last_30_days", area="teams", severity="medium",
       title=t("People with Teams actually use it", "Personen mit Teams nutzen es auch"),
       requires=("users", "teams_usage"),
       rationale=t("A licence nobody has opened will not carry a company through a crisis; unused Teams means training is needed.",
                   "Eine nie genutzte Lizenz trägt kein Unternehmen durch die Krise; ungenutztes Teams heißt: Schulung nötig."),
       remediation=t("Run a short Teams onboarding and send the announcement mail of the emergency-home-office playbook.",
                     "Eine kurze Teams-Einführung machen und die Ankündigungs-Mail des Playbooks emergency-home-office senden."),
       fix_playbook="emergency-home-office", effort="days")
def usage_last_30_days(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    licensed = [p for p in f.members if TEAMS in p.capabilities]
    active = [p for p in licensed if p.teams_active]
    idle = [p for p in licensed if not p.teams_active]
    share = len(active) / len(licensed) if licensed else 1.0
    ev = {"licensed": len(licensed), "active_30d": len(active), "inactive": names(idle),
          "source": "/reports/getTeamsUserActivityUserDetail(period='D30')"}
    msg = (f"{len(active)} of {len(licensed)} people with Teams used it in the last 30 days.",
           f"{len(active)} von {len(licensed)} Personen mit Teams haben es in den letzten 30 Tagen genutzt.")
    yield finding("teams.usage_last_30_days", Status.PASS if share >= 0.8 else (Status.WARN if share >= 0.5 else Status.FAIL), *msg, **ev)


@check(id="teams.report_names_concealed", area="teams", severity="low",
       title=t("Usage reports show real names", "Nutzungsberichte zeigen echte Namen"),
       requires=("report_settings",),
       rationale=t("With concealed names, usage cannot be matched to people, so nobody can see who has never opened Teams.",
                   "Mit verborgenen Namen lässt sich Nutzung nicht Personen zuordnen; niemand sieht, wer Teams nie geöffnet hat."),
       remediation=t("Microsoft 365 admin center > Settings > Org settings > Reports: show identifiable names (check with your works council / DPO first).",
                     "Microsoft 365 Admin Center > Einstellungen > Organisationseinstellungen > Berichte: Namen anzeigen (vorher mit Betriebsrat/DSB klären)."),
       effort="minutes")
def report_names_concealed(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    concealed = bool((snapshot.data("report_settings") or {}).get("displayConcealedNames"))
    ev = {"displayConcealedNames": concealed, "source": "/admin/reportSettings"}
    if concealed:
        yield finding("teams.report_names_concealed", Status.WARN,
                      "Usage reports conceal names, so Teams usage per person was not checked.",
                      "Nutzungsberichte verbergen Namen, daher wurde die Teams-Nutzung pro Person nicht geprüft.", **ev)
    else:
        yield finding("teams.report_names_concealed", Status.PASS, "Usage reports show identifiable names.",
                      "Nutzungsberichte zeigen zuordenbare Namen.", **ev)


@check(id="teams.collaboration_space", area="teams", severity="medium",
       title=t("Teams exist for working together", "Es gibt Teams für die Zusammenarbeit"),
       requires=("groups",),
       rationale=t("People at home need a shared place (a team with channels), not only chat.",
                   "Menschen im Homeoffice brauchen einen gemeinsamen Ort (ein Team mit Kanälen), nicht nur Chat."),
       remediation=t("Create a crisis team with a channel per department (emergency-home-office).",
                     "Ein Krisen-Team mit einem Kanal pro Abteilung anlegen (emergency-home-office)."),
       fix_playbook="emergency-home-office", effort="minutes")
def collaboration_space(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    groups = snapshot.data("groups", []) or []
    teams = [g for g in groups if "Team" in (g.get("resourceProvisioningOptions") or [])]
    members = len(facts(snapshot).members)
    ev = {"teams": len(teams), "names": [g.get("displayName") for g in teams][:25], "members": members,
          "source": "/groups resourceProvisioningOptions"}
    if not teams:
        yield finding("teams.collaboration_space", Status.FAIL, "There is no team at all.", "Es gibt überhaupt kein Team.", **ev)
    elif members > 50 and len(teams) < 3:
        yield finding("teams.collaboration_space", Status.WARN, f"Only {len(teams)} teams for {members} people.",
                      f"Nur {len(teams)} Teams für {members} Personen.", **ev)
    else:
        yield finding("teams.collaboration_space", Status.PASS, f"{len(teams)} teams exist.", f"Es gibt {len(teams)} Teams.", **ev)


@check(id="teams.guests_manage_channels", area="teams", severity="low",
       title=t("Guests cannot create or change channels", "Gäste können keine Kanäle anlegen oder ändern"),
       requires=("teams",),
       rationale=t("Guests who can create channels can reshape a team's structure and what members see.",
                   "Gäste, die Kanäle anlegen dürfen, können die Struktur eines Teams verändern."),
       remediation=t("Turn off 'allow guests to create and update channels' in the team settings.",
                     "In den Team-Einstellungen 'Gäste dürfen Kanäle erstellen und aktualisieren' ausschalten."),
       effort="minutes")
def guests_manage_channels(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    teams = snapshot.data("teams", []) or []
    open_teams = [tm for tm in teams if (tm.get("guestSettings") or {}).get("allowCreateUpdateChannels")]
    ev = {"teams": len(teams), "guests_can_edit": [tm.get("displayName") for tm in open_teams][:25], "source": "/teams/{id} guestSettings"}
    if open_teams:
        yield finding("teams.guests_manage_channels", Status.WARN, f"In {len(open_teams)} of {len(teams)} teams guests may create and change channels.",
                      f"In {len(open_teams)} von {len(teams)} Teams dürfen Gäste Kanäle anlegen und ändern.", **ev)
    else:
        yield finding("teams.guests_manage_channels", Status.PASS, "In no team may guests create or change channels.",
                      "In keinem Team dürfen Gäste Kanäle anlegen oder ändern.", **ev)


@check(id="teams.shared_channels_with_partners", area="teams", severity="info",
       title=t("Shared channels with partner organisations are possible", "Geteilte Kanäle mit Partnerorganisationen sind möglich"),
       requires=("cross_tenant_default",),
       rationale=t("Teams shared channels with other companies need B2B direct connect, which is blocked by default.",
                   "Geteilte Teams-Kanäle mit anderen Firmen brauchen B2B Direct Connect, standardmäßig gesperrt."),
       remediation=t("Allow B2B direct connect for named partner tenants only (Entra > External identities > Cross-tenant access).",
                     "B2B Direct Connect nur für benannte Partner-Mandanten erlauben (Entra > Externe Identitäten > Mandantenübergreifender Zugriff)."),
       effort="hours")
def shared_channels_with_partners(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    d = snapshot.data("cross_tenant_default") or {}
    outbound = ((d.get("b2bDirectConnectOutbound") or {}).get("usersAndGroups") or {}).get("accessType")
    ev = {"b2bDirectConnectOutbound": outbound, "source": "/policies/crossTenantAccessPolicy/default"}
    if outbound == "blocked":
        yield finding("teams.shared_channels_with_partners", Status.WARN,
                      "B2B direct connect is blocked by default: no shared channels with partners unless set per partner.",
                      "B2B Direct Connect ist standardmäßig gesperrt: keine geteilten Kanäle mit Partnern ohne Einstellung je Partner.", **ev)
    else:
        yield finding("teams.shared_channels_with_partners", Status.PASS, "B2B direct connect is allowed by default.",
                      "B2B Direct Connect ist standardmäßig erlaubt.", **ev)
