"""Which service plans switch on which remote-work capability.

Capabilities come from *enabled service plans*, never from SKU names: "(no Teams)" bundles exist for
E3/E5/Business, and EXCHANGE_S_FOUNDATION rides along in many SKUs without being a mailbox
(notes/graph-api.md section 3).
"""
from __future__ import annotations

TEAMS = "teams"
EXCHANGE = "exchange"
SHAREPOINT = "sharepoint"
ONEDRIVE = "onedrive"
INTUNE = "intune"
ENTRA_P1 = "entra_p1"
ENTRA_P2 = "entra_p2"
WINDOWS365 = "windows365"  # a Cloud PC (Windows 365): CPC_* service plans

CAPABILITIES = (TEAMS, EXCHANGE, SHAREPOINT, ONEDRIVE, INTUNE, ENTRA_P1, ENTRA_P2, WINDOWS365)

# The remote-work kit: what a person needs to work from home, and which capabilities provide each part.
KIT: dict[str, frozenset[str]] = {"teams": frozenset({TEAMS}), "mailbox": frozenset({EXCHANGE}),
                                  "files": frozenset({SHAREPOINT, ONEDRIVE})}


def kit(caps: set[str] | frozenset[str]) -> dict[str, bool]:
    """Which parts of the remote-work kit a set of capabilities provides."""
    return {part: bool(need & caps) for part, need in KIT.items()}

# Teams enablement. TEAMSPRO_*, TEAMS_ADVCOMMS, Teams_Room*, MCO* add-ons and the free/exploratory
# plans are not a Teams licence for everyday work.
_TEAMS = {"TEAMS1", "TEAMS_GOV", "TEAMS_AR_GCCHIGH", "TEAMS_AR_DOD", "TEAMSESS"}
# A mailbox: an EXCHANGE_S_*/L_/B_ plan other than the foundation plumbing and archive-only plans.
_EXCHANGE_NOT_MAILBOX_PREFIXES = ("EXCHANGE_S_FOUNDATION", "EXCHANGE_S_ARCHIVE", "EXCHANGE_FOUNDATION")
_EXCHANGE_PREFIXES = ("EXCHANGE_S_", "EXCHANGE_L_", "EXCHANGE_B_")
_SHAREPOINT = {
    "SHAREPOINTSTANDARD", "SHAREPOINTENTERPRISE", "SHAREPOINTDESKLESS", "SHAREPOINTDESKLESS_GOV",
    "SHAREPOINTSTANDARD_EDU", "SHAREPOINTENTERPRISE_EDU", "SHAREPOINTENTERPRISE_GOV",
    "SHAREPOINTENTERPRISE_MIDMARKET", "SHAREPOINTLITE", "SHAREPOINT_S_DEVELOPER",
}
_ONEDRIVE = {
    "ONEDRIVESTANDARD", "ONEDRIVEENTERPRISE", "ONEDRIVE_BASIC", "ONEDRIVE_BASIC_GOV",
    "ONEDRIVE_BASIC_P2", "ONEDRIVELITE_IW",
}
# INTUNE_O365 is "Mobile Device Management for Office 365" (basic MDM), not Intune.
_INTUNE = {"INTUNE_A", "INTUNE_A_VL", "INTUNE_A_GOV", "INTUNE_EDU", "INTUNE_SMBIZ"}


def capabilities_of_plan(plan_name: str) -> frozenset[str]:
    """The capabilities one service plan switches on (empty for everything else).

    + plan_name: a servicePlanName as Graph or the licensing table spells it.
    """
    name = plan_name.strip().upper()
    caps: set[str] = set()
    if name in _TEAMS:
        caps.add(TEAMS)
    if name.startswith(_EXCHANGE_PREFIXES) and not name.startswith(_EXCHANGE_NOT_MAILBOX_PREFIXES):
        caps.add(EXCHANGE)
    if name in _SHAREPOINT:
        caps.add(SHAREPOINT)
        caps.add(ONEDRIVE)  # in suites OneDrive rides on the SharePoint plan
    if name in _ONEDRIVE:
        caps.add(ONEDRIVE)
    if name in _INTUNE:
        caps.add(INTUNE)
    if name == "AAD_PREMIUM":
        caps.add(ENTRA_P1)
    if name == "AAD_PREMIUM_P2":
        caps.update((ENTRA_P1, ENTRA_P2))
    if name.startswith("CPC_") and not name.startswith("CPC_SS"):  # Windows 365 Cloud PC plans
        caps.add(WINDOWS365)
    return frozenset(caps)
