"""Why a section could not be used, as a language-free message built from its structured fields."""
from __future__ import annotations

from ..collect.snapshot import SOME_LICENCE, Section
from ..i18n import Message, has

# sections with a name in the catalogue (sections.<name>); others are shown by their id
SECTIONS = ("skus", "users", "groups", "mfa", "managed_devices", "devices", "compliance_policies", "conditional_access",
            "teams_usage", "teams", "sharepoint", "authorization_policy", "security_defaults", "cross_tenant_default",
            "report_settings", "organization", "licence_error_groups")


def section_name(name: str) -> Message:
    named = name in SECTIONS or (name != "other" and has(f"sections.{name}"))  # a newer section named in the catalogue
    return Message(f"sections.{name}") if named else Message("sections.other", {"name": name})


# a 403 for some of a section's reads while Graph answered the others (collect/collectors.py: _some_refused): the
# permission is granted, so the reason (how many of how many, and what else may refuse them) is what to say
REFUSED_IN_PART = frozenset({"cli.progress.reasons.teams_refused", "cli.progress.reasons.members_refused",
                             "cli.progress.reasons.methods_refused"})


def describe(sec: Section) -> Message:
    """Why a section is not (fully) usable: one clause, rendered in the reader's language."""
    if sec.status == "fallback":
        return Message("unavailable.fallback", {"note": sec.notes[0] if sec.notes else sec.reason,
                                                "licence": sec.licence or Message("unavailable.a_licence")})
    if "conceal" in sec.reason:
        return Message("unavailable.concealed")
    if sec.status == "forbidden" and sec.reason_key in REFUSED_IN_PART:  # "Graph refused n of m ...": the count and the
        return Message("unavailable.refused_in_part", {"reason": sec.reason})  # role, not "grant the permission" again
    if sec.licence == SOME_LICENCE and sec.status == "forbidden":
        return Message("unavailable.no_licence_unnamed")
    if sec.licence and sec.status == "forbidden":
        return Message("unavailable.no_licence", {"licence": sec.licence})
    if sec.permission and sec.status == "forbidden":
        return Message("unavailable.no_permission", {"permission": sec.permission})
    if sec.status == "skipped" and sec.reason == f"section '{sec.name}' was not collected":
        return Message("unavailable.skipped")  # absent from the snapshot (Snapshot.section's stand-in): nothing more to say
    if sec.status == "skipped":
        return Message("unavailable.skipped_because", {"reason": sec.reason}) if sec.reason else Message("unavailable.skipped")
    if sec.reason:
        return Message("unavailable.failed_because", {"reason": sec.reason})
    return Message("unavailable.failed", {"status": sec.status})
