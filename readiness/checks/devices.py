"""Devices: does everyone have a managed, compliant device to work on from home?"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from ..licensing.capabilities import INTUNE
from .common import finding, names
from ..audit.facts import ENTRA_ONLY, MANAGED_NOT_COMPLIANT, NO_DEVICE, days_since, facts
from .model import Finding, Status, t
from .registry import check
from .unavailable import describe

PLATFORM_TYPES = {"Windows": "windows10CompliancePolicy", "iOS": "iosCompliancePolicy",
                  "Android": "androidCompliancePolicy", "macOS": "macOSCompliancePolicy"}


def _need_rule(snapshot, check_id: str):  # noqa: ANN001, ANN202
    f = facts(snapshot)
    if f.device_rule is None:
        why = describe(f.device_blocker) if f.device_blocker else t(f.device_reason, f.device_reason)
        return f, finding(check_id, Status.NOT_EVALUABLE, f"Not checked: {why['en']}.", f"Nicht geprüft: {why['de']}.")
    return f, None


@check(id="devices.members_without_device", area="devices", severity="critical",
       title=t("Every active member has a device for work", "Jedes aktive Mitglied hat ein Arbeitsgerät"),
       requires=("users",),
       rationale=t("Without a known company or registered device, people work on whatever is at home, unprotected.",
                   "Ohne bekanntes Firmen- oder registriertes Gerät wird auf irgendeinem Heimgerät gearbeitet, ungeschützt."),
       remediation=t("Hand out devices or register personal ones (Intune enrolment or Entra registration).",
                     "Geräte ausgeben oder private Geräte registrieren (Intune-Registrierung oder Entra-Registrierung)."),
       fix_playbook="secure-remote-access", effort="days")
def members_without_device(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f, blocked = _need_rule(snapshot, "devices.members_without_device")
    if blocked:
        yield blocked
        return
    none = [p for p in f.members if p.device == NO_DEVICE]
    ev = {"rule": f.device_rule, "members": len(f.members), "without_device": names(none),
          "source": "/deviceManagement/managedDevices userId" if f.device_rule == "intune" else "/devices registeredOwners"}
    if none:
        yield finding("devices.members_without_device", Status.FAIL, f"{len(none)} of {len(f.members)} active members have no known device.",
                      f"{len(none)} von {len(f.members)} aktiven Mitgliedern haben kein bekanntes Gerät.", **ev)
    else:
        yield finding("devices.members_without_device", Status.PASS, "Every active member has a known device.",
                      "Alle aktiven Mitglieder haben ein bekanntes Gerät.", **ev)


@check(id="devices.noncompliant", area="devices", severity="high",
       title=t("Managed devices are compliant", "Verwaltete Geräte sind konform"),
       requires=("managed_devices",),
       rationale=t("A non-compliant device (no encryption, outdated OS) at home is the easiest way in.",
                   "Ein nicht konformes Gerät (unverschlüsselt, veraltet) zu Hause ist der einfachste Weg hinein."),
       remediation=t("Fix the devices listed in Intune > Devices > Compliance; in grace period counts as not compliant.",
                     "Die Geräte in Intune > Geräte > Konformität beheben; Toleranzzeitraum zählt als nicht konform."),
       fix_playbook="secure-remote-access", effort="days")
def noncompliant(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    devices = snapshot.data("managed_devices", []) or []
    states = Counter(d.get("complianceState") or "unknown" for d in devices)
    bad = [d for d in devices if d.get("complianceState") != "compliant"]
    ev = {"devices": len(devices), "by_state": dict(states), "sample": [d.get("deviceName") for d in bad][:25],
          "source": "/deviceManagement/managedDevices complianceState"}
    if not devices:
        yield finding("devices.noncompliant", Status.WARN, "Intune manages no device yet.", "Intune verwaltet noch kein Gerät.", **ev)
    elif bad:
        share = len(bad) / len(devices)
        yield finding("devices.noncompliant", Status.FAIL if share > 0.1 else Status.WARN,
                      f"{len(bad)} of {len(devices)} managed devices are not compliant.",
                      f"{len(bad)} von {len(devices)} verwalteten Geräten sind nicht konform.", **ev)
    else:
        yield finding("devices.noncompliant", Status.PASS, f"All {len(devices)} managed devices are compliant.",
                      f"Alle {len(devices)} verwalteten Geräte sind konform.", **ev)


@check(id="devices.people_with_noncompliant_device", area="devices", severity="high",
       title=t("People's managed devices are compliant", "Die verwalteten Geräte der Personen sind konform"),
       requires=("users", "managed_devices"),
       rationale=t("Conditional Access that requires a compliant device locks these people out as soon as it is switched on.",
                   "Bedingter Zugriff mit Konformitätspflicht sperrt diese Personen aus, sobald er aktiv ist."),
       remediation=t("Bring the devices into compliance before enforcing compliant-device access.",
                     "Geräte konform machen, bevor konforme Geräte erzwungen werden."),
       fix_playbook="secure-remote-access", effort="days")
def people_with_noncompliant_device(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f, blocked = _need_rule(snapshot, "devices.people_with_noncompliant_device")
    if blocked:
        yield blocked
        return
    hit = [p for p in f.members if p.device == MANAGED_NOT_COMPLIANT]
    unmanaged = [p for p in f.members if p.device == ENTRA_ONLY]
    ev = {"not_compliant": names(hit), "registered_not_managed": names(unmanaged), "source": "/deviceManagement/managedDevices"}
    if hit:
        yield finding("devices.people_with_noncompliant_device", Status.FAIL,
                      f"{len(hit)} members have only non-compliant managed devices.",
                      f"{len(hit)} Mitglieder haben nur nicht konforme verwaltete Geräte.", **ev)
    else:
        yield finding("devices.people_with_noncompliant_device", Status.PASS, "No member depends on a non-compliant device.",
                      "Kein Mitglied ist auf ein nicht konformes Gerät angewiesen.", **ev)


@check(id="devices.compliance_policies", area="devices", severity="high",
       title=t("Compliance policies exist for every platform in use", "Für jede genutzte Plattform gibt es Konformitätsrichtlinien"),
       requires=("managed_devices", "compliance_policies"),
       rationale=t("Without a policy, a platform's devices count as compliant by default: nothing is actually checked.",
                   "Ohne Richtlinie gelten Geräte einer Plattform standardmäßig als konform: geprüft wird nichts."),
       remediation=t("Create a compliance policy per platform with the secure-remote-access playbook.",
                     "Je Plattform eine Konformitätsrichtlinie anlegen, mit dem Playbook secure-remote-access."),
       fix_playbook="secure-remote-access", effort="hours")
def compliance_policies(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    devices = snapshot.data("managed_devices", []) or []
    policies = snapshot.data("compliance_policies", []) or []
    kinds = {str(p.get("@odata.type", "")).rsplit(".", 1)[-1] for p in policies}
    used = {d.get("operatingSystem") for d in devices}
    missing = sorted(pl for pl, kind in PLATFORM_TYPES.items() if pl in used and kind not in kinds)
    ev = {"platforms_in_use": sorted(x for x in used if x), "policy_types": sorted(kinds), "missing": missing,
          "source": "/deviceManagement/deviceCompliancePolicies"}
    if not policies:
        yield finding("devices.compliance_policies", Status.FAIL, "There is no compliance policy at all.",
                      "Es gibt überhaupt keine Konformitätsrichtlinie.", **ev)
    elif missing:
        yield finding("devices.compliance_policies", Status.FAIL, f"No compliance policy for: {', '.join(missing)}.",
                      f"Keine Konformitätsrichtlinie für: {', '.join(missing)}.", **ev)
    else:
        yield finding("devices.compliance_policies", Status.PASS, "Every platform in use has a compliance policy.",
                      "Jede genutzte Plattform hat eine Konformitätsrichtlinie.", **ev)


@check(id="devices.encryption", area="devices", severity="medium",
       title=t("Managed devices are encrypted", "Verwaltete Geräte sind verschlüsselt"),
       requires=("managed_devices",),
       rationale=t("A laptop lost on the way home must not expose company data.",
                   "Ein auf dem Heimweg verlorener Laptop darf keine Firmendaten preisgeben."),
       remediation=t("Require BitLocker/FileVault in the compliance policy and an encryption profile.",
                     "BitLocker/FileVault in der Konformitätsrichtlinie und per Verschlüsselungsprofil verlangen."),
       fix_playbook="secure-remote-access", effort="hours")
def encryption(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    devices = snapshot.data("managed_devices", []) or []
    plain = [d for d in devices if d.get("isEncrypted") is False]
    ev = {"devices": len(devices), "unencrypted": len(plain), "sample": [d.get("deviceName") for d in plain][:25],
          "source": "/deviceManagement/managedDevices isEncrypted"}
    if plain:
        yield finding("devices.encryption", Status.WARN, f"{len(plain)} of {len(devices)} managed devices are not encrypted.",
                      f"{len(plain)} von {len(devices)} verwalteten Geräten sind nicht verschlüsselt.", **ev)
    else:
        yield finding("devices.encryption", Status.PASS, "All managed devices are encrypted.", "Alle verwalteten Geräte sind verschlüsselt.", **ev)


@check(id="devices.stale_sync", area="devices", severity="low",
       title=t("Managed devices check in regularly", "Verwaltete Geräte melden sich regelmäßig"),
       requires=("managed_devices",),
       rationale=t("A device that has not synced for 30 days gets no policies, no updates and may be lost.",
                   "Ein Gerät ohne Synchronisierung seit 30 Tagen erhält keine Richtlinien und Updates und ist womöglich verloren."),
       remediation=t("Contact the owners; retire devices that are gone.", "Besitzer kontaktieren; verschwundene Geräte außer Betrieb nehmen."),
       effort="hours")
def stale_sync(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    devices = snapshot.data("managed_devices", []) or []
    stale = [d for d in devices if (age := days_since(d.get("lastSyncDateTime"), f.today)) is None or age > 30]
    ev = {"devices": len(devices), "stale": len(stale), "sample": [d.get("deviceName") for d in stale][:25],
          "source": "/deviceManagement/managedDevices lastSyncDateTime"}
    if stale:
        yield finding("devices.stale_sync", Status.WARN, f"{len(stale)} managed devices have not synced for 30 days.",
                      f"{len(stale)} verwaltete Geräte haben sich seit 30 Tagen nicht synchronisiert.", **ev)
    else:
        yield finding("devices.stale_sync", Status.PASS, "All managed devices synced within 30 days.",
                      "Alle verwalteten Geräte haben sich in den letzten 30 Tagen synchronisiert.", **ev)


@check(id="devices.intune_available", area="devices", severity="medium",
       title=t("Devices can be managed (Intune)", "Geräte können verwaltet werden (Intune)"),
       requires=("skus",),
       rationale=t("Without Intune nobody can enforce encryption, updates or a lock screen on devices used at home.",
                   "Ohne Intune kann niemand Verschlüsselung, Updates oder Sperrbildschirm auf Heimgeräten durchsetzen."),
       remediation=t("Microsoft 365 Business Premium or an Intune plan includes device management.",
                     "Microsoft 365 Business Premium oder ein Intune-Plan enthält die Geräteverwaltung."),
       effort="days")
def intune_available(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    ev = {"tenant_has_intune": INTUNE in f.tenant_has, "source": "/subscribedSkus servicePlans"}
    if INTUNE in f.tenant_has:
        yield finding("devices.intune_available", Status.PASS, "The tenant has Intune.", "Der Mandant hat Intune.", **ev)
    else:
        yield finding("devices.intune_available", Status.WARN, "The tenant has no Intune: devices are registered at best, not managed.",
                      "Der Mandant hat kein Intune: Geräte sind bestenfalls registriert, nicht verwaltet.", **ev)


@check(id="devices.registered_not_managed", area="devices", severity="medium",
       title=t("Registered devices are also managed", "Registrierte Geräte werden auch verwaltet"),
       requires=("users", "managed_devices", "devices"),
       rationale=t("With Intune available, a device that is only registered in Entra is not checked for compliance.",
                   "Mit Intune ist ein nur in Entra registriertes Gerät nicht auf Konformität geprüft."),
       remediation=t("Enrol these devices in Intune (Company Portal).", "Diese Geräte in Intune registrieren (Unternehmensportal)."),
       fix_playbook="secure-remote-access", effort="days")
def registered_not_managed(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f, blocked = _need_rule(snapshot, "devices.registered_not_managed")
    if blocked:
        yield blocked
        return
    hit = [p for p in f.members if p.device == ENTRA_ONLY]
    ev = {"people": names(hit), "source": "/devices registeredOwners vs /deviceManagement/managedDevices"}
    if hit:
        yield finding("devices.registered_not_managed", Status.WARN, f"{len(hit)} members have only an unmanaged registered device.",
                      f"{len(hit)} Mitglieder haben nur ein registriertes, nicht verwaltetes Gerät.", **ev)
    else:
        yield finding("devices.registered_not_managed", Status.PASS, "Nobody relies on an unmanaged registered device.",
                      "Niemand ist auf ein nicht verwaltetes Gerät angewiesen.", **ev)

