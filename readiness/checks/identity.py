"""Identity basics: MFA registered and enforced, security defaults or Conditional Access."""
from __future__ import annotations

from typing import Iterable

from ..licensing.capabilities import ENTRA_P1, INTUNE
from .common import finding, names
from ..audit.facts import facts
from .model import Finding, Status, t
from .registry import check
from .unavailable import describe


def _ca_requiring(policies: list[dict], control: str, *, all_users: bool) -> list[dict]:
    out = []
    for p in policies:
        grant = (p.get("grantControls") or {}).get("builtInControls") or []
        users = ((p.get("conditions") or {}).get("users") or {}).get("includeUsers") or []
        if control in grant and (not all_users or "All" in users):
            out.append(p)
    return out


@check(id="identity.mfa_registration", area="identity", severity="critical",
       title=t("Every active member has registered MFA", "Jedes aktive Mitglied hat MFA registriert"),
       requires=("users", "mfa"),
       rationale=t("Sign-ins from home come from everywhere; a password alone is phished within days.",
                   "Anmeldungen von zu Hause kommen von überall; ein Passwort allein ist in Tagen abgefischt."),
       remediation=t("Run the MFA registration push of the secure-remote-access playbook (Authenticator app).",
                     "Die MFA-Registrierungskampagne des Playbooks secure-remote-access starten (Authenticator-App)."),
       fix_playbook="secure-remote-access", effort="days")
def mfa_registration(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    known = [p for p in f.members if p.mfa is not None]
    missing = [p for p in known if not p.mfa]
    ev = {"members": len(f.members), "checked": len(known), "without_mfa": names(missing), "source_kind": f.mfa_source,
          "source": "/reports/authenticationMethods/userRegistrationDetails" if f.mfa_source == "report"
          else "/users/{id}/authentication/methods ($batch)"}
    if not missing:
        yield finding("identity.mfa_registration", Status.PASS, f"All {len(known)} active members have MFA registered.",
                      f"Alle {len(known)} aktiven Mitglieder haben MFA registriert.", **ev)
    else:
        yield finding("identity.mfa_registration", Status.FAIL, f"{len(missing)} of {len(known)} active members have no MFA registered.",
                      f"{len(missing)} von {len(known)} aktiven Mitgliedern haben keine MFA registriert.", **ev)


@check(id="identity.mfa_enforced", area="identity", severity="critical",
       title=t("MFA is enforced for everyone", "MFA ist für alle erzwungen"),
       requires=("security_defaults",),
       rationale=t("Registered MFA only protects if sign-ins require it: security defaults or a Conditional Access policy.",
                   "Registrierte MFA schützt nur, wenn Anmeldungen sie verlangen: Sicherheitsstandards oder bedingter Zugriff."),
       remediation=t("Turn on security defaults, or (with Entra ID P1) enforce an MFA Conditional Access policy after its report-only phase.",
                     "Sicherheitsstandards einschalten oder (mit Entra ID P1) eine MFA-Richtlinie nach der Nur-Bericht-Phase erzwingen."),
       fix_playbook="secure-remote-access", effort="hours")
def mfa_enforced(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    defaults = bool((snapshot.data("security_defaults") or {}).get("isEnabled"))
    ca_sec = snapshot.section("conditional_access")
    policies = snapshot.data("conditional_access", []) or []
    enforced = [p for p in _ca_requiring(policies, "mfa", all_users=True) if p.get("state") == "enabled"]
    ev = {"security_defaults": defaults, "ca_policies_enforcing_mfa": [p.get("displayName") for p in enforced],
          "ca_status": ca_sec.status, "source": "/policies/identitySecurityDefaultsEnforcementPolicy, /identity/conditionalAccess/policies"}
    if defaults or enforced:
        how = "security defaults" if defaults else f"Conditional Access ({enforced[0].get('displayName')})"
        yield finding("identity.mfa_enforced", Status.PASS, f"MFA is enforced by {how}.", f"MFA wird erzwungen durch {how}.", **ev)
    elif not ca_sec.usable and not ca_sec.licence:
        why = describe(ca_sec)
        yield finding("identity.mfa_enforced", Status.NOT_EVALUABLE, f"Not checked: {why['en']}.", f"Nicht geprüft: {why['de']}.", **ev)
    else:
        yield finding("identity.mfa_enforced", Status.FAIL, "Nothing enforces MFA: security defaults are off and no policy requires it.",
                      "Nichts erzwingt MFA: Sicherheitsstandards sind aus und keine Richtlinie verlangt sie.", **ev)


@check(id="identity.ca_report_only", area="identity", severity="medium",
       title=t("MFA policies are not stuck in report-only", "MFA-Richtlinien hängen nicht im Nur-Bericht-Modus"),
       requires=("conditional_access",),
       rationale=t("Report-only policies show the effect but protect nobody; staging must end with enforcement.",
                   "Nur-Bericht-Richtlinien zeigen die Wirkung, schützen aber niemanden; am Ende muss erzwungen werden."),
       remediation=t("Review sign-in logs for the policy's impact, then switch it to On.",
                     "Anmeldeprotokolle auf Auswirkungen prüfen, dann die Richtlinie einschalten."),
       fix_playbook="secure-remote-access", effort="hours")
def ca_report_only(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    policies = snapshot.data("conditional_access", []) or []
    staged = [p for p in _ca_requiring(policies, "mfa", all_users=False) if p.get("state") == "enabledForReportingButNotEnforced"]
    ev = {"report_only": [p.get("displayName") for p in staged], "policies": len(policies), "source": "/identity/conditionalAccess/policies"}
    if staged:
        yield finding("identity.ca_report_only", Status.WARN, f"{len(staged)} MFA policies are report-only and protect nobody yet.",
                      f"{len(staged)} MFA-Richtlinien sind im Nur-Bericht-Modus und schützen noch niemanden.", **ev)
    else:
        yield finding("identity.ca_report_only", Status.PASS, "No MFA policy is left in report-only.",
                      "Keine MFA-Richtlinie steht noch im Nur-Bericht-Modus.", **ev)


@check(id="identity.ca_compliant_device", area="identity", severity="medium",
       title=t("Access from home requires a compliant device", "Zugriff von zu Hause verlangt ein konformes Gerät"),
       requires=("conditional_access", "skus"),
       rationale=t("With Intune, Conditional Access can keep company data off unmanaged home computers.",
                   "Mit Intune kann bedingter Zugriff Firmendaten von unverwalteten Heimrechnern fernhalten."),
       remediation=t("Create a compliant-device policy in report-only, fix devices, then enforce it.",
                     "Eine Richtlinie 'konformes Gerät' im Nur-Bericht-Modus anlegen, Geräte beheben, dann erzwingen."),
       fix_playbook="secure-remote-access", effort="days")
def ca_compliant_device(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    policies = snapshot.data("conditional_access", []) or []
    enforced = [p for p in _ca_requiring(policies, "compliantDevice", all_users=False) if p.get("state") == "enabled"]
    ev = {"tenant_has_intune": INTUNE in f.tenant_has, "enforced": [p.get("displayName") for p in enforced],
          "source": "/identity/conditionalAccess/policies"}
    if INTUNE not in f.tenant_has:
        yield finding("identity.ca_compliant_device", Status.NOT_EVALUABLE, "Not checked: the tenant has no Intune to judge compliance.",
                      "Nicht geprüft: Der Mandant hat kein Intune zur Konformitätsbewertung.", **ev)
    elif enforced:
        yield finding("identity.ca_compliant_device", Status.PASS, "A policy requires compliant devices.",
                      "Eine Richtlinie verlangt konforme Geräte.", **ev)
    else:
        yield finding("identity.ca_compliant_device", Status.WARN, "No enforced policy requires a compliant device.",
                      "Keine erzwungene Richtlinie verlangt ein konformes Gerät.", **ev)


@check(id="identity.admin_mfa", area="identity", severity="critical",
       title=t("Every administrator has MFA registered", "Jede Administratorin und jeder Administrator hat MFA registriert"),
       requires=("mfa",),
       rationale=t("An administrator without MFA is the single account that can lose the whole tenant.",
                   "Ein Admin ohne MFA ist das eine Konto, mit dem der ganze Mandant verloren gehen kann."),
       remediation=t("Register MFA for every admin today; use phishing-resistant methods (FIDO2) where possible.",
                     "Heute für jeden Admin MFA registrieren; wo möglich phishingresistente Methoden (FIDO2)."),
       fix_playbook="secure-remote-access", effort="minutes")
def admin_mfa(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    if f.mfa_source != "report":
        yield finding("identity.admin_mfa", Status.NOT_EVALUABLE,
                      "Not checked: who is an administrator comes from the registration report, which needs Entra ID P1.",
                      "Nicht geprüft: Wer Admin ist, steht im Registrierungsbericht, der Entra ID P1 braucht.", source_kind=f.mfa_source)
        return
    admins = [p for p in f.people if p.is_admin and p.enabled]
    bare = [p for p in admins if not p.mfa]
    ev = {"admins": len(admins), "without_mfa": names(bare), "source": "/reports/authenticationMethods/userRegistrationDetails isAdmin"}
    if bare:
        yield finding("identity.admin_mfa", Status.FAIL, f"{len(bare)} of {len(admins)} administrators have no MFA.",
                      f"{len(bare)} von {len(admins)} Admins haben keine MFA.", **ev)
    else:
        yield finding("identity.admin_mfa", Status.PASS, f"All {len(admins)} administrators have MFA.",
                      f"Alle {len(admins)} Admins haben MFA.", **ev)


@check(id="identity.weak_methods_only", area="identity", severity="medium",
       title=t("Nobody relies on email or a temporary pass as second factor", "Niemand verlässt sich auf E-Mail oder einen Einmalpass"),
       requires=("users", "mfa"),
       rationale=t("Email codes and temporary access passes are not multi-factor authentication.",
                   "E-Mail-Codes und befristete Zugriffspässe sind keine Mehrfaktor-Authentifizierung."),
       remediation=t("Have these people register the Authenticator app or a phone.", "Diese Personen die Authenticator-App oder ein Telefon registrieren lassen."),
       fix_playbook="secure-remote-access", effort="hours")
def weak_methods_only(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    weak = [p for p in f.members if p.mfa is False and set(p.methods) & {"email", "temporaryAccessPass"}]
    ev = {"people": names(weak), "source": "mfa methodsRegistered"}
    if weak:
        yield finding("identity.weak_methods_only", Status.WARN, f"{len(weak)} members have only email or a temporary pass registered.",
                      f"{len(weak)} Mitglieder haben nur E-Mail oder einen befristeten Pass registriert.", **ev)
    else:
        yield finding("identity.weak_methods_only", Status.PASS, "Nobody relies on email or a temporary pass alone.",
                      "Niemand verlässt sich nur auf E-Mail oder einen befristeten Pass.", **ev)


@check(id="identity.premium_identity", area="identity", severity="low",
       title=t("Conditional Access is available (Entra ID P1)", "Bedingter Zugriff ist verfügbar (Entra ID P1)"),
       requires=("skus",),
       rationale=t("Without Entra ID P1, security defaults are the only MFA enforcement: no exceptions, no device rules.",
                   "Ohne Entra ID P1 sind Sicherheitsstandards die einzige MFA-Durchsetzung: keine Ausnahmen, keine Geräteregeln."),
       remediation=t("Consider Microsoft 365 Business Premium (includes P1 and Intune); until then, turn on security defaults.",
                     "Microsoft 365 Business Premium erwägen (mit P1 und Intune); bis dahin Sicherheitsstandards einschalten."),
       effort="days")
def premium_identity(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    ev = {"tenant_has_p1": ENTRA_P1 in f.tenant_has, "source": "/subscribedSkus servicePlans"}
    if ENTRA_P1 in f.tenant_has:
        yield finding("identity.premium_identity", Status.PASS, "The tenant has Entra ID P1.", "Der Mandant hat Entra ID P1.", **ev)
    else:
        yield finding("identity.premium_identity", Status.WARN, "No Entra ID P1: Conditional Access is not available.",
                      "Kein Entra ID P1: Bedingter Zugriff ist nicht verfügbar.", **ev)
