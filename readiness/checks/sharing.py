"""Sharing and guests: collaborate with partners without leaking data (GDPR-aware defaults)."""
from __future__ import annotations

from typing import Iterable

from .common import finding, names
from ..audit.facts import MEMBER_GUEST_ROLE, days_since, facts
from .model import Finding, Status, t
from .registry import check

def _sp(snapshot) -> dict:  # noqa: ANN001
    return snapshot.data("sharepoint") or {}


@check(id="sharing.anyone_links", area="sharing", severity="high",
       title=t("No 'Anyone' links (anonymous sharing)", "Keine 'Jeder'-Links (anonyme Freigabe)"),
       requires=("sharepoint",),
       rationale=t("Anyone links let files leave the company without sign-in; under GDPR that is a data leak waiting to happen.",
                   "'Jeder'-Links lassen Dateien ohne Anmeldung das Unternehmen verlassen; nach DSGVO ein absehbares Datenleck."),
       remediation=t("Set sharing to 'new and existing guests' (sign-in required) with the emergency-home-office playbook.",
                     "Freigabe auf 'neue und vorhandene Gäste' (Anmeldung nötig) stellen, mit dem Playbook emergency-home-office."),
       fix_playbook="emergency-home-office", effort="minutes")
def anyone_links(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    cap = _sp(snapshot).get("sharingCapability")
    ev = {"sharingCapability": cap, "source": "/admin/sharepoint/settings"}
    if cap == "externalUserAndGuestSharing":
        yield finding("sharing.anyone_links", Status.FAIL, "SharePoint and OneDrive allow anonymous 'Anyone' links.",
                      "SharePoint und OneDrive erlauben anonyme 'Jeder'-Links.", **ev)
    else:
        yield finding("sharing.anyone_links", Status.PASS, f"Anonymous links are off (sharing level: {cap}).",
                      f"Anonyme Links sind aus (Freigabestufe: {cap}).", **ev)


@check(id="sharing.external_collaboration", area="sharing", severity="medium",
       title=t("Invited partners can collaborate", "Eingeladene Partner können mitarbeiten"),
       requires=("sharepoint",),
       rationale=t("In a crisis, tax advisers, suppliers and freelancers must get files; sharing switched off pushes people to private tools.",
                   "In der Krise brauchen Steuerberater, Lieferanten und Freie Zugriff; abgeschaltete Freigabe treibt Leute zu privaten Diensten."),
       remediation=t("Allow sharing with new and existing guests (sign-in required).", "Freigabe für neue und vorhandene Gäste erlauben (mit Anmeldung)."),
       fix_playbook="emergency-home-office", effort="minutes")
def external_collaboration(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    cap = _sp(snapshot).get("sharingCapability")
    ev = {"sharingCapability": cap, "source": "/admin/sharepoint/settings"}
    if cap == "disabled":
        yield finding("sharing.external_collaboration", Status.FAIL, "External sharing is off: partners cannot get files.",
                      "Externe Freigabe ist aus: Partner erhalten keine Dateien.", **ev)
    elif cap == "existingExternalUserSharingOnly":
        yield finding("sharing.external_collaboration", Status.WARN, "Only existing guests can be shared with; new partners need an admin.",
                      "Nur vorhandene Gäste sind möglich; neue Partner brauchen einen Admin.", **ev)
    else:
        yield finding("sharing.external_collaboration", Status.PASS, "Invited guests can collaborate.", "Eingeladene Gäste können mitarbeiten.", **ev)


@check(id="sharing.domain_restriction", area="sharing", severity="low",
       title=t("External sharing is limited to known domains", "Externe Freigabe ist auf bekannte Domänen beschränkt"),
       requires=("sharepoint",),
       rationale=t("An allow list of partner domains stops files being shared with arbitrary addresses by mistake.",
                   "Eine Liste erlaubter Partnerdomänen verhindert versehentliches Teilen an beliebige Adressen."),
       remediation=t("Set a domain allow list in the SharePoint admin center (Policies > Sharing).",
                     "Im SharePoint Admin Center eine Liste erlaubter Domänen setzen (Richtlinien > Freigabe)."),
       effort="minutes")
def domain_restriction(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    sp = _sp(snapshot)
    mode, cap = sp.get("sharingDomainRestrictionMode"), sp.get("sharingCapability")
    ev = {"sharingDomainRestrictionMode": mode, "sharingCapability": cap, "allowed": sp.get("sharingAllowedDomainList"),
          "source": "/admin/sharepoint/settings"}
    if cap == "disabled" or mode in ("allowList", "blockList"):
        yield finding("sharing.domain_restriction", Status.PASS, f"Domain restriction: {mode}.", f"Domänenbeschränkung: {mode}.", **ev)
    else:
        yield finding("sharing.domain_restriction", Status.WARN, "External sharing is open to every domain.",
                      "Externe Freigabe ist für alle Domänen offen.", **ev)


@check(id="sharing.guest_resharing", area="sharing", severity="medium",
       title=t("Guests cannot share your files onwards", "Gäste können Ihre Dateien nicht weitergeben"),
       requires=("sharepoint",),
       rationale=t("When guests may reshare, files travel to people nobody in the company invited.",
                   "Dürfen Gäste weiterteilen, landen Dateien bei Personen, die niemand eingeladen hat."),
       remediation=t("Turn off 'allow guests to share items they don't own'.", "'Gäste dürfen fremde Elemente teilen' ausschalten."),
       fix_playbook="emergency-home-office", effort="minutes")
def guest_resharing(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    on = bool(_sp(snapshot).get("isResharingByExternalUsersEnabled"))
    ev = {"isResharingByExternalUsersEnabled": on, "source": "/admin/sharepoint/settings"}
    if on:
        yield finding("sharing.guest_resharing", Status.FAIL, "Guests may share files they do not own.",
                      "Gäste dürfen Dateien weitergeben, die ihnen nicht gehören.", **ev)
    else:
        yield finding("sharing.guest_resharing", Status.PASS, "Guests cannot reshare.", "Gäste können nicht weiterteilen.", **ev)


@check(id="sharing.invitation_account_match", area="sharing", severity="low",
       title=t("Invitations are bound to the invited account", "Einladungen sind an das eingeladene Konto gebunden"),
       requires=("sharepoint",),
       rationale=t("Otherwise a forwarded invitation can be redeemed by someone else.",
                   "Sonst kann eine weitergeleitete Einladung von jemand anderem eingelöst werden."),
       remediation=t("Require the accepting account to match the invited one (SharePoint sharing settings).",
                     "Übereinstimmung von eingeladenem und annehmendem Konto verlangen (SharePoint-Freigabeeinstellungen)."),
       fix_playbook="emergency-home-office", effort="minutes")
def invitation_account_match(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    on = bool(_sp(snapshot).get("isRequireAcceptingUserToMatchInvitedUserEnabled"))
    ev = {"isRequireAcceptingUserToMatchInvitedUserEnabled": on, "source": "/admin/sharepoint/settings"}
    if on:
        yield finding("sharing.invitation_account_match", Status.PASS, "Invitations can only be redeemed by the invited account.",
                      "Einladungen kann nur das eingeladene Konto einlösen.", **ev)
    else:
        yield finding("sharing.invitation_account_match", Status.WARN, "A forwarded invitation can be redeemed by anyone.",
                      "Eine weitergeleitete Einladung kann jeder einlösen.", **ev)


@check(id="sharing.legacy_auth", area="sharing", severity="medium",
       title=t("SharePoint refuses legacy authentication", "SharePoint lehnt veraltete Authentifizierung ab"),
       requires=("sharepoint",),
       rationale=t("Legacy protocols skip MFA, so a guessed password from home is enough.",
                   "Veraltete Protokolle umgehen MFA; ein erratenes Passwort genügt."),
       remediation=t("Turn off legacy authentication in the SharePoint admin center (Policies > Access control).",
                     "Veraltete Authentifizierung im SharePoint Admin Center ausschalten (Richtlinien > Zugriffssteuerung)."),
       effort="minutes")
def legacy_auth(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    on = bool(_sp(snapshot).get("isLegacyAuthProtocolsEnabled"))
    ev = {"isLegacyAuthProtocolsEnabled": on, "source": "/admin/sharepoint/settings"}
    if on:
        yield finding("sharing.legacy_auth", Status.FAIL, "SharePoint accepts legacy authentication (no MFA).",
                      "SharePoint akzeptiert veraltete Authentifizierung (ohne MFA).", **ev)
    else:
        yield finding("sharing.legacy_auth", Status.PASS, "Legacy authentication is off.", "Veraltete Authentifizierung ist aus.", **ev)


@check(id="sharing.idle_sign_out", area="sharing", severity="low",
       title=t("Idle browser sessions sign out", "Inaktive Browsersitzungen werden abgemeldet"),
       requires=("sharepoint",),
       rationale=t("Home and shared computers stay signed in to company files unless idle sessions end.",
                   "Private und geteilte Rechner bleiben sonst an Firmendateien angemeldet."),
       remediation=t("Enable idle session sign-out (SharePoint admin center > Policies > Access control).",
                     "Abmeldung inaktiver Sitzungen aktivieren (SharePoint Admin Center > Richtlinien > Zugriffssteuerung)."),
       effort="minutes")
def idle_sign_out(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    idle = _sp(snapshot).get("idleSessionSignOut") or {}
    ev = {"idleSessionSignOut": idle, "source": "/admin/sharepoint/settings"}
    if idle.get("isEnabled"):
        yield finding("sharing.idle_sign_out", Status.PASS, "Idle sessions are signed out.", "Inaktive Sitzungen werden abgemeldet.", **ev)
    else:
        yield finding("sharing.idle_sign_out", Status.WARN, "Idle browser sessions stay signed in.", "Inaktive Browsersitzungen bleiben angemeldet.", **ev)


@check(id="sharing.guest_invitations", area="sharing", severity="medium",
       title=t("Only admins and guest inviters can invite guests", "Nur Admins und Gasteinladende dürfen Gäste einladen"),
       requires=("authorization_policy",),
       rationale=t("When everyone, guests included, may invite, nobody controls who gets into the tenant.",
                   "Dürfen alle (auch Gäste) einladen, kontrolliert niemand, wer in den Mandanten kommt."),
       remediation=t("Set the guest invitation policy to admins and guest inviters (emergency-home-office).",
                     "Die Einladungsrichtlinie auf Admins und Gasteinladende setzen (emergency-home-office)."),
       fix_playbook="emergency-home-office", effort="minutes")
def guest_invitations(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    who = (snapshot.data("authorization_policy") or {}).get("allowInvitesFrom")
    ev = {"allowInvitesFrom": who, "source": "/policies/authorizationPolicy"}
    if who == "everyone":
        yield finding("sharing.guest_invitations", Status.FAIL, "Everyone, guests included, may invite guests.",
                      "Jeder, auch Gäste, darf Gäste einladen.", **ev)
    elif who == "adminsGuestInvitersAndAllMembers":
        yield finding("sharing.guest_invitations", Status.WARN, "Every member may invite guests.", "Jedes Mitglied darf Gäste einladen.", **ev)
    else:
        yield finding("sharing.guest_invitations", Status.PASS, f"Guest invitations: {who}.", f"Gasteinladungen: {who}.", **ev)


@check(id="sharing.guest_directory_access", area="sharing", severity="high",
       title=t("Guests cannot read the whole directory", "Gäste können nicht das ganze Verzeichnis lesen"),
       requires=("authorization_policy",),
       rationale=t("With member-level access, every guest can list all employees, groups and their members.",
                   "Mit Mitgliederrechten kann jeder Gast alle Beschäftigten, Gruppen und Mitglieder auflisten."),
       remediation=t("Set guest user access to 'limited' or 'restricted' (Entra > External identities).",
                     "Gastzugriff auf 'eingeschränkt' oder 'stark eingeschränkt' setzen (Entra > Externe Identitäten)."),
       fix_playbook="emergency-home-office", effort="minutes")
def guest_directory_access(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    role = (snapshot.data("authorization_policy") or {}).get("guestUserRoleId")
    ev = {"guestUserRoleId": role, "source": "/policies/authorizationPolicy"}
    if role == MEMBER_GUEST_ROLE:
        yield finding("sharing.guest_directory_access", Status.FAIL, "Guests have the same directory access as members.",
                      "Gäste haben dieselben Verzeichnisrechte wie Mitglieder.", **ev)
    else:
        yield finding("sharing.guest_directory_access", Status.PASS, "Guest directory access is limited.",
                      "Der Verzeichniszugriff von Gästen ist eingeschränkt.", **ev)


@check(id="sharing.stale_guests", area="sharing", severity="low",
       title=t("No stale guest accounts", "Keine verwaisten Gastkonten"),
       requires=("users",),
       rationale=t("Guests who have not signed in for 90 days still reach shared files; GDPR asks to remove access that is no longer needed.",
                   "Gäste ohne Anmeldung seit 90 Tagen erreichen weiter geteilte Dateien; die DSGVO verlangt, nicht mehr nötige Zugriffe zu entfernen."),
       remediation=t("Review and remove stale guests, or set up an access review.", "Verwaiste Gäste prüfen und entfernen oder eine Zugriffsüberprüfung einrichten."),
       effort="hours")
def stale_guests(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    users = snapshot.data("users", []) or []
    if users and not any("signInActivity" in u for u in users):
        note = next((n for n in snapshot.section("users").notes if "sign-in" in n), "sign-in activity was not collected")
        p1 = "premium" in note or "P1" in note
        yield finding("sharing.stale_guests", Status.NOT_EVALUABLE, f"Not checked: {note}.",
                      "Nicht geprüft: Anmeldeaktivität nicht verfügbar"
                      + (" (der Mandant hat kein Microsoft Entra ID P1)." if p1 else " (Berechtigung AuditLog.Read.All fehlt)."),
                      guests=len(f.guests), source="/users signInActivity")
        return
    # interactive and non-interactive sign-ins together; never signed in counts from the invitation
    stale = [p for p in f.guests if (d := days_since(p.last_seen, f.today)) is None or d > 90]
    ev = {"guests": len(f.guests), "stale": names(stale),
          "source": "/users signInActivity (lastSignInDateTime, lastNonInteractiveSignInDateTime), createdDateTime"}
    if stale:
        yield finding("sharing.stale_guests", Status.WARN, f"{len(stale)} of {len(f.guests)} guests have not signed in for 90 days.",
                      f"{len(stale)} von {len(f.guests)} Gästen haben sich seit 90 Tagen nicht angemeldet.", **ev)
    else:
        yield finding("sharing.stale_guests", Status.PASS, f"All {len(f.guests)} guests signed in within 90 days.",
                      f"Alle {len(f.guests)} Gäste haben sich in den letzten 90 Tagen angemeldet.", **ev)
