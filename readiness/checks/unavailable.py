"""Why a section could not be used, in English and German, from its structured fields."""
from __future__ import annotations

from ..collect.snapshot import Section
from .model import t

NAMES = {
    "skus": t("subscriptions", "Abonnements"), "users": t("users", "Benutzer"), "groups": t("groups", "Gruppen"),
    "mfa": t("MFA registration", "MFA-Registrierung"), "managed_devices": t("Intune devices", "Intune-Geräte"),
    "devices": t("Entra devices", "Entra-Geräte"), "compliance_policies": t("compliance policies", "Konformitätsrichtlinien"),
    "conditional_access": t("Conditional Access", "Bedingter Zugriff"), "teams_usage": t("Teams usage", "Teams-Nutzung"),
    "teams": t("teams", "Teams"), "sharepoint": t("SharePoint settings", "SharePoint-Einstellungen"),
    "authorization_policy": t("guest policy", "Gastrichtlinie"), "security_defaults": t("security defaults", "Sicherheitsstandards"),
    "cross_tenant_default": t("cross-tenant access", "mandantenübergreifender Zugriff"),
    "report_settings": t("report settings", "Berichtseinstellungen"), "organization": t("organisation", "Organisation"),
    "licence_error_groups": t("groups with licence errors", "Gruppen mit Lizenzfehlern"),
}


def describe(sec: Section) -> dict[str, str]:
    """One sentence per language saying why a section is not (fully) usable."""
    if sec.status == "fallback":
        return t(f"checked another way: {sec.notes[0] if sec.notes else sec.reason}",
                 f"auf anderem Weg geprüft: ohne {sec.licence or 'Lizenz'} wurden die Anmeldemethoden je Person gelesen")
    if "conceal" in sec.reason:
        return t("usage reports conceal user names (displayConcealedNames), so usage cannot be matched to people",
                 "Nutzungsberichte verbergen Benutzernamen (displayConcealedNames); Nutzung lässt sich Personen nicht zuordnen")
    if sec.licence and sec.status == "forbidden":
        return t(f"the tenant has no {sec.licence}", f"der Mandant hat kein {sec.licence}")
    if sec.permission and sec.status == "forbidden":
        return t(f"the app or account lacks the permission {sec.permission}",
                 f"der App bzw. dem Konto fehlt die Berechtigung {sec.permission}")
    if sec.status == "skipped":
        return t(sec.reason or "not collected", f"nicht erhoben ({sec.reason})" if sec.reason else "nicht erhoben")
    return t(sec.reason or f"could not be read ({sec.status})", f"konnte nicht gelesen werden: {sec.reason or sec.status}")
