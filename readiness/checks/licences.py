"""Licences and free seats: who has what, who is blocked, and what has to be bought."""
from __future__ import annotations

from typing import Iterable

from ..licensing.capabilities import EXCHANGE, ONEDRIVE, SHAREPOINT, TEAMS, kit
from .common import finding, names
from ..audit.facts import INACTIVE_SKU_STATES, facts
from .model import Finding, Status, t
from .registry import check

WORK_CAPS = {TEAMS, EXCHANGE}


def _full_kit(caps: set[str]) -> bool:
    return all(kit(caps).values())


def seat_plan(f) -> dict:  # noqa: ANN001 - Facts
    """Members lacking the remote-work kit, and free seats of SKUs that carry all of it.

    People whose licence carries the kit with a plan switched off need no new seat (switch it on);
    they are counted apart, as the enable_service_plans step of the playbook fixes them.
    """
    lacking = [p for p in f.members if not _full_kit(p.capabilities) and not _full_kit(p.capabilities | p.disabled_capabilities)]
    kit_skus = []
    for sku_id, plans in f.sku_caps.items():
        caps = set().union(*plans.values()) if plans else set()
        sku = f.sku_by_id.get(sku_id) or {}
        if _full_kit(caps) and sku.get("capabilityStatus") == "Enabled":
            free = int((sku.get("prepaidUnits") or {}).get("enabled") or 0) - int(sku.get("consumedUnits") or 0)
            kit_skus.append({"skuId": sku_id, "name": f.sku_name(sku_id), "free": max(free, 0)})
    free = sum(s["free"] for s in kit_skus)
    return {"lacking": lacking, "skus": kit_skus, "free": free, "to_buy": max(0, len(lacking) - free)}


@check(id="licences.seats_for_remote_work", area="licences", severity="critical",
       title=t("Enough free seats to equip everyone for remote work", "Genug freie Lizenzen, um alle fürs Homeoffice auszustatten"),
       requires=("skus", "users"),
       rationale=t("People without Teams, mailbox and OneDrive cannot work from home; every one of them needs a seat of a licence that carries all three.",
                   "Wer weder Teams noch Postfach noch OneDrive hat, kann nicht von zu Hause arbeiten; jede Person braucht einen Platz einer Lizenz mit allen drei Diensten."),
       remediation=t("Assign free seats with the emergency-home-office playbook; buy the missing seats first.",
                     "Freie Lizenzen mit dem Playbook emergency-home-office zuweisen; fehlende Lizenzen vorher kaufen."),
       fix_playbook="emergency-home-office", effort="hours")
def seats_for_remote_work(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    plan = seat_plan(f)
    n, free = len(plan["lacking"]), plan["free"]
    ev = {"members_lacking_kit": names(plan["lacking"]), "free_seats": free,
          "skus": plan["skus"], "seats_to_buy": plan["to_buy"], "source": "/subscribedSkus, /users assignedLicenses"}
    if n == 0:
        yield finding("licences.seats_for_remote_work", Status.PASS, "Every enabled member has Teams, a mailbox and OneDrive.",
                      "Alle aktiven Mitglieder haben Teams, Postfach und OneDrive.", **ev)
    elif plan["to_buy"] == 0:
        yield finding("licences.seats_for_remote_work", Status.WARN,
                      f"{n} people lack the remote-work kit; {free} free seats cover them all.",
                      f"{n} Personen fehlt die Homeoffice-Ausstattung; {free} freie Lizenzen reichen für alle.", **ev)
    else:
        yield finding("licences.seats_for_remote_work", Status.FAIL,
                      f"{n} people lack the remote-work kit but only {free} suitable seats are free: buy {plan['to_buy']}.",
                      f"{n} Personen fehlt die Homeoffice-Ausstattung, aber nur {free} passende Lizenzen sind frei: {plan['to_buy']} kaufen.", **ev)


@check(id="licences.members_without_licence", area="licences", severity="high",
       title=t("Every active member has a licence", "Jedes aktive Mitglied hat eine Lizenz"),
       requires=("skus", "users"),
       rationale=t("An unlicensed account has no mailbox, no Teams and no OneDrive.",
                   "Ein Konto ohne Lizenz hat kein Postfach, kein Teams und kein OneDrive."),
       remediation=t("Assign a licence (emergency-home-office) or disable accounts nobody uses.",
                     "Eine Lizenz zuweisen (emergency-home-office) oder ungenutzte Konten deaktivieren."),
       fix_playbook="emergency-home-office", effort="hours")
def members_without_licence(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    bare = [p for p in f.members if not p.skus and not p.licence_errors and not p.suspended_skus]
    ev = {"members": len(f.members), "unlicensed": names(bare), "source": "/users assignedLicenses"}
    if bare:
        yield finding("licences.members_without_licence", Status.FAIL, f"{len(bare)} of {len(f.members)} active members have no licence.",
                      f"{len(bare)} von {len(f.members)} aktiven Mitgliedern haben keine Lizenz.", **ev)
    else:
        yield finding("licences.members_without_licence", Status.PASS, "Every active member has a licence.",
                      "Jedes aktive Mitglied hat eine Lizenz.", **ev)


@check(id="licences.usage_location_missing", area="licences", severity="medium",
       title=t("Members have a usage location", "Mitglieder haben einen Nutzungsort"),
       requires=("users",),
       rationale=t("Microsoft refuses to assign a licence to a user without a usage location.",
                   "Microsoft verweigert die Lizenzzuweisung an Personen ohne Nutzungsort."),
       remediation=t("Set usageLocation (e.g. DE); the licensing playbook sets it from the profile's default.",
                     "usageLocation setzen (z. B. DE); das Lizenz-Playbook setzt ihn aus dem Profil-Standard."),
       fix_playbook="emergency-home-office", effort="minutes")
def usage_location_missing(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    missing = [p for p in f.members if not p.usage_location]
    blocked = [p for p in missing if not _full_kit(p.capabilities)]
    ev = {"without_usage_location": names(missing), "blocking_licensing": names(blocked), "source": "/users usageLocation"}
    if not missing:
        yield finding("licences.usage_location_missing", Status.PASS, "Every active member has a usage location.",
                      "Alle aktiven Mitglieder haben einen Nutzungsort.", **ev)
    else:
        status = Status.FAIL if blocked else Status.WARN
        yield finding("licences.usage_location_missing", status,
                      f"{len(missing)} members have no usage location; {len(blocked)} of them still need a licence.",
                      f"{len(missing)} Mitglieder haben keinen Nutzungsort; {len(blocked)} davon brauchen noch eine Lizenz.", **ev)


@check(id="licences.group_licence_errors", area="licences", severity="high",
       title=t("No group-based licence errors", "Keine Fehler bei gruppenbasierter Lizenzierung"),
       requires=("users",),
       rationale=t("A group licence in error (no seats left, conflicting plans) leaves people without the service although they are in the group.",
                   "Eine fehlerhafte Gruppenlizenz (keine freien Plätze, Konflikte) lässt Personen ohne Dienst, obwohl sie in der Gruppe sind."),
       remediation=t("Buy seats or fix the conflict, then reprocess the group in the Entra admin center.",
                     "Lizenzen kaufen oder den Konflikt beheben, dann die Gruppe im Entra Admin Center neu verarbeiten."),
       fix_playbook=None, effort="hours")
def group_licence_errors(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    hit = [p for p in f.people if p.licence_errors]
    errors = sorted({e["error"] or e["state"] for p in hit for e in p.licence_errors})
    groups = snapshot.data("licence_error_groups", []) or []
    ev = {"users": names(hit), "errors": errors, "groups": [g.get("displayName") for g in groups][:25],
          "source": "/users licenseAssignmentStates; /groups?$filter=hasMembersWithLicenseErrors eq true"}
    if hit or groups:
        yield finding("licences.group_licence_errors", Status.FAIL,
                      f"{len(hit)} people have a group licence in error ({', '.join(errors) or 'see groups'}).",
                      f"{len(hit)} Personen haben eine fehlerhafte Gruppenlizenz ({', '.join(errors) or 'siehe Gruppen'}).", **ev)
    else:
        yield finding("licences.group_licence_errors", Status.PASS, "No group licence is in error.",
                      "Keine Gruppenlizenz ist fehlerhaft.", **ev)


@check(id="licences.disabled_service_plans", area="licences", severity="medium",
       title=t("Teams, Exchange and SharePoint are not switched off in licences", "Teams, Exchange und SharePoint sind in Lizenzen nicht abgeschaltet"),
       requires=("skus", "users"),
       rationale=t("A licence can carry Teams and still have it switched off (disabledPlans); the person then cannot use it.",
                   "Eine Lizenz kann Teams enthalten und es trotzdem abschalten (disabledPlans); dann ist es nicht nutzbar."),
       remediation=t("Enable the plans again with the emergency-home-office playbook (enable service plans step).",
                     "Die Dienste mit dem Playbook emergency-home-office wieder einschalten (Schritt Dienstpläne aktivieren)."),
       fix_playbook="emergency-home-office", effort="minutes")
def disabled_service_plans(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    hit = [p for p in f.members if p.disabled_capabilities & {TEAMS, EXCHANGE, SHAREPOINT, ONEDRIVE}]
    by_cap = {c: sum(1 for p in hit if c in p.disabled_capabilities) for c in (TEAMS, EXCHANGE, SHAREPOINT)}
    ev = {"people": names(hit), "by_capability": by_cap, "source": "/users assignedLicenses.disabledPlans"}
    if hit:
        yield finding("licences.disabled_service_plans", Status.FAIL,
                      f"{len(hit)} members have Teams, Exchange or SharePoint switched off in their licence.",
                      f"Bei {len(hit)} Mitgliedern sind Teams, Exchange oder SharePoint in der Lizenz abgeschaltet.", **ev)
    else:
        yield finding("licences.disabled_service_plans", Status.PASS, "No member has a core service switched off.",
                      "Bei keinem Mitglied ist ein Kerndienst abgeschaltet.", **ev)


@check(id="licences.subscription_health", area="licences", severity="high",
       title=t("No subscription is expiring or suspended", "Kein Abonnement läuft ab oder ist gesperrt"),
       requires=("skus",),
       rationale=t("A subscription in warning or suspended state stops working for everyone assigned to it.",
                   "Ein Abonnement im Warn- oder Sperrzustand funktioniert für alle Zugewiesenen nicht mehr."),
       remediation=t("Renew or pay the subscription in the Microsoft 365 admin center (Billing).",
                     "Das Abonnement im Microsoft 365 Admin Center (Abrechnung) verlängern oder bezahlen."),
       effort="hours")
def subscription_health(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    bad = [s for s in f.sku_by_id.values() if s.get("capabilityStatus") in ("Warning",) + INACTIVE_SKU_STATES
           and int(s.get("consumedUnits") or 0) > 0]
    ev = {"subscriptions": [{"sku": f.sku_name(s["skuId"]), "status": s.get("capabilityStatus"), "consumed": s.get("consumedUnits")} for s in bad],
          "source": "/subscribedSkus capabilityStatus"}
    if bad:
        worst = Status.FAIL if any(s.get("capabilityStatus") != "Warning" for s in bad) else Status.WARN
        yield finding("licences.subscription_health", worst, f"{len(bad)} subscriptions in use are expiring or suspended.",
                      f"{len(bad)} genutzte Abonnements laufen ab oder sind gesperrt.", **ev)
    else:
        yield finding("licences.subscription_health", Status.PASS, "All subscriptions in use are active.",
                      "Alle genutzten Abonnements sind aktiv.", **ev)


@check(id="licences.overassigned", area="licences", severity="medium",
       title=t("No subscription has more assignments than seats", "Kein Abonnement ist überbucht"),
       requires=("skus",),
       rationale=t("More assignments than seats means some people silently lose service at the next billing check.",
                   "Mehr Zuweisungen als Plätze bedeutet, dass einige Personen beim nächsten Abgleich still den Dienst verlieren."),
       remediation=t("Buy seats or remove assignments from people who left.", "Plätze kaufen oder Zuweisungen ausgeschiedener Personen entfernen."),
       effort="hours")
def overassigned(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    over = [s for s in f.sku_by_id.values()
            if int(s.get("consumedUnits") or 0) > int((s.get("prepaidUnits") or {}).get("enabled") or 0)
            and s.get("capabilityStatus") == "Enabled"]
    ev = {"subscriptions": [{"sku": f.sku_name(s["skuId"]), "consumed": s.get("consumedUnits"),
                             "enabled": (s.get("prepaidUnits") or {}).get("enabled")} for s in over], "source": "/subscribedSkus"}
    if over:
        yield finding("licences.overassigned", Status.FAIL, f"{len(over)} subscriptions have more assignments than seats.",
                      f"{len(over)} Abonnements haben mehr Zuweisungen als Plätze.", **ev)
    else:
        yield finding("licences.overassigned", Status.PASS, "No subscription is over-assigned.", "Kein Abonnement ist überbucht.", **ev)


@check(id="licences.disabled_accounts_hold_seats", area="licences", severity="low",
       title=t("Disabled accounts do not hold licences", "Deaktivierte Konten belegen keine Lizenzen"),
       requires=("users",),
       rationale=t("Seats held by disabled accounts are the fastest source of free seats in a crisis.",
                   "Plätze deaktivierter Konten sind in der Krise die schnellste Quelle freier Lizenzen."),
       remediation=t("Remove licences from disabled accounts (after checking mailbox retention).",
                     "Lizenzen deaktivierter Konten entfernen (vorher Postfach-Aufbewahrung prüfen)."),
       effort="minutes")
def disabled_accounts_hold_seats(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    holders = [p for p in f.people if not p.enabled and p.skus]
    ev = {"accounts": names(holders), "seats": sum(len(p.skus) for p in holders), "source": "/users accountEnabled, assignedLicenses"}
    if holders:
        yield finding("licences.disabled_accounts_hold_seats", Status.WARN,
                      f"{len(holders)} disabled accounts hold {ev['seats']} seats that could be reused.",
                      f"{len(holders)} deaktivierte Konten belegen {ev['seats']} Lizenzen, die wiederverwendet werden könnten.", **ev)
    else:
        yield finding("licences.disabled_accounts_hold_seats", Status.PASS, "No disabled account holds a licence.",
                      "Kein deaktiviertes Konto belegt eine Lizenz.", **ev)


@check(id="licences.apps_only", area="licences", severity="medium",
       title=t("Nobody depends on an apps-only licence", "Niemand hat nur eine Apps-Lizenz"),
       requires=("skus", "users"),
       rationale=t("Apps-only licences (e.g. Microsoft 365 Apps for business) have no Teams and no mailbox.",
                   "Reine Apps-Lizenzen (z. B. Microsoft 365 Apps for Business) haben weder Teams noch Postfach."),
       remediation=t("Move these people to a suite with Teams, Exchange and OneDrive.",
                     "Diese Personen auf ein Paket mit Teams, Exchange und OneDrive umstellen."),
       fix_playbook="emergency-home-office", effort="hours")
def apps_only(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    hit = [p for p in f.members if p.skus and not (p.capabilities & WORK_CAPS)]
    ev = {"people": names(hit), "source": "/users assignedLicenses + /subscribedSkus servicePlans"}
    if hit:
        yield finding("licences.apps_only", Status.FAIL, f"{len(hit)} members have licences without Teams and without a mailbox.",
                      f"{len(hit)} Mitglieder haben Lizenzen ohne Teams und ohne Postfach.", **ev)
    else:
        yield finding("licences.apps_only", Status.PASS, "No member is limited to an apps-only licence.",
                      "Kein Mitglied ist auf eine reine Apps-Lizenz beschränkt.", **ev)
