"""The types of the fields the audit reads, checked as items arrive: a wrong type fails the section.

Checks, the matrix and the renderers trust the snapshot; so the snapshot only holds what Graph's
schema promises (microsoft-graph-docs-contrib api-reference/v1.0/resources/user.md, subscribedsku.md,
group.md, device.md, manageddevice.md, userregistrationdetails.md, ...). Fields not listed are not
read by anything and are not checked; a listed field may be missing or null unless it is required.
"""
from __future__ import annotations

from typing import Any

from ..errors import GraphBadResponse, Phrase

_N = type(None)
STR, OPT_STR, OPT_BOOL = (str,), (str, _N), (bool, _N)
OPT_LIST, OPT_DICT, OPT_NUM = (list, _N), (dict, _N), (int, float, _N)
REQUIRED = "required"

FIELDS: dict[str, dict[str, tuple]] = {
    "organization": {"id": STR, "displayName": OPT_STR, "verifiedDomains": OPT_LIST, "countryLetterCode": OPT_STR},
    "users": {"id": STR, "userPrincipalName": OPT_STR, "displayName": OPT_STR, "accountEnabled": OPT_BOOL,
              "userType": OPT_STR, "usageLocation": OPT_STR, "department": OPT_STR, "mail": OPT_STR,
              "assignedLicenses": OPT_LIST, "licenseAssignmentStates": OPT_LIST, "signInActivity": OPT_DICT, "provisionedPlans": OPT_LIST},
    "skus": {"skuId": STR, "skuPartNumber": OPT_STR, "capabilityStatus": OPT_STR, "consumedUnits": OPT_NUM,
             "prepaidUnits": OPT_DICT, "servicePlans": OPT_LIST, "appliesTo": OPT_STR},
    "groups": {"id": STR, "displayName": OPT_STR, "groupTypes": OPT_LIST, "securityEnabled": OPT_BOOL,
               "mailEnabled": OPT_BOOL, "resourceProvisioningOptions": OPT_LIST, "assignedLicenses": OPT_LIST,
               "visibility": OPT_STR},
    "licence_error_groups": {"id": STR, "displayName": OPT_STR},
    "teams": {"id": OPT_STR, "displayName": OPT_STR, "isArchived": OPT_BOOL, "visibility": OPT_STR,
              "guestSettings": OPT_DICT, "memberSettings": OPT_DICT},
    "mfa": {"id": STR, "userPrincipalName": OPT_STR, "userType": OPT_STR, "isAdmin": OPT_BOOL,
            "isMfaRegistered": OPT_BOOL, "isMfaCapable": OPT_BOOL, "methodsRegistered": OPT_LIST,
            "isSsprRegistered": OPT_BOOL, "isSsprCapable": OPT_BOOL, "isSsprEnabled": OPT_BOOL},
    # issue 14 (collect/depth.py): roleassignments, cloudpc, windowsautopilotdeviceidentity, managedapppolicy,
    # authenticationmethodspolicy resources
    "roles": {"id": STR, "principalId": OPT_STR, "roleDefinitionId": OPT_STR, "directoryScopeId": OPT_STR},
    "cloud_pcs": {"id": STR, "displayName": OPT_STR, "managedDeviceName": OPT_STR, "userPrincipalName": OPT_STR,
                  "servicePlanName": OPT_STR, "status": OPT_STR},
    "autopilot": {"id": STR, "serialNumber": OPT_STR, "model": OPT_STR, "groupTag": OPT_STR, "enrollmentState": OPT_STR,
                  "userPrincipalName": OPT_STR},
    "app_protection": {"id": STR, "displayName": OPT_STR, "@odata.type": OPT_STR},
    "teams_users": {"id": STR, "userPrincipalName": OPT_STR, "accountType": OPT_STR, "featureTypes": OPT_LIST},
    "auth_methods_policy": {"registrationEnforcement": OPT_DICT, "authenticationMethodConfigurations": OPT_LIST},
    "managed_devices": {"id": STR, "deviceName": OPT_STR, "userId": OPT_STR, "userPrincipalName": OPT_STR,
                        "operatingSystem": OPT_STR, "osVersion": OPT_STR, "complianceState": OPT_STR,
                        "isEncrypted": OPT_BOOL, "lastSyncDateTime": OPT_STR, "managedDeviceOwnerType": OPT_STR,
                        "azureADDeviceId": OPT_STR},
    "compliance_policies": {"id": STR, "displayName": OPT_STR, "createdDateTime": OPT_STR},
    "devices": {"id": OPT_STR, "deviceId": OPT_STR, "displayName": OPT_STR, "operatingSystem": OPT_STR,
                "trustType": OPT_STR, "accountEnabled": OPT_BOOL, "isCompliant": OPT_BOOL, "isManaged": OPT_BOOL,
                "approximateLastSignInDateTime": OPT_STR, "registeredOwners": OPT_LIST},
    "conditional_access": {"id": STR, "displayName": OPT_STR, "state": OPT_STR, "conditions": OPT_DICT,
                           "grantControls": OPT_DICT, "sessionControls": OPT_DICT},
    "sharepoint": {"sharingCapability": OPT_STR, "sharingDomainRestrictionMode": OPT_STR,
                   "sharingAllowedDomainList": OPT_LIST, "isResharingByExternalUsersEnabled": OPT_BOOL,
                   "idleSessionSignOut": OPT_DICT},
    "authorization_policy": {"allowInvitesFrom": OPT_STR, "guestUserRoleId": OPT_STR},
    "security_defaults": {"isEnabled": OPT_BOOL},
    "report_settings": {"displayConcealedNames": OPT_BOOL},
    "cross_tenant_default": {"b2bCollaborationInbound": OPT_DICT, "b2bCollaborationOutbound": OPT_DICT},
}
# lists of objects inside an item: every element an object with these fields
NESTED: dict[tuple[str, str], dict[str, tuple]] = {
    ("users", "assignedLicenses"): {"skuId": OPT_STR, "disabledPlans": OPT_LIST},
    ("users", "licenseAssignmentStates"): {"skuId": OPT_STR, "state": OPT_STR, "assignedByGroup": OPT_STR,
                                           "error": OPT_STR, "disabledPlans": OPT_LIST},
    ("groups", "assignedLicenses"): {"skuId": OPT_STR, "disabledPlans": OPT_LIST},
    ("skus", "servicePlans"): {"servicePlanId": OPT_STR, "servicePlanName": OPT_STR, "appliesTo": OPT_STR},
    ("devices", "registeredOwners"): {"id": OPT_STR},
    ("users", "provisionedPlans"): {"capabilityStatus": OPT_STR, "provisioningStatus": OPT_STR, "service": OPT_STR},
}
_NAMES = {str: "string", bool: "bool", list: "list", dict: "object", int: "number", float: "number", _N: "null"}


def _kind(value: Any) -> str:
    word = _NAMES.get(type(value))
    return Phrase(f"errors.words.shape.{word}") if word else type(value).__name__


_MISSING = object()
# per section: (field, types, required, nested field types or None), computed once
_PLAN = {section: [(name, types, types is STR, NESTED.get((section, name))) for name, types in fields.items()]
         for section, fields in FIELDS.items()}


def check_item(section: str, item: Any, endpoint: str = "") -> Any:
    """Return ``item`` if its fields have the types Graph's schema gives them; else GraphBadResponse.

    About 5 us per user (100,000 users: half a second), against ~20 us to parse one from JSON.
    """
    plan = _PLAN.get(section)
    if plan is None:
        return item
    if item.__class__ is not dict:
        raise _bad(endpoint or section, Phrase("errors.graph.shape.not_object", kind=_kind(item)))
    get = item.get
    for name, types, required, nested in plan:
        value = get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise _bad(endpoint or section, Phrase("errors.graph.shape.missing", name=name))
            continue
        if not isinstance(value, types) or (value.__class__ is bool and bool not in types):
            raise _bad(endpoint or section, Phrase("errors.graph.shape.field_kind", name=name, kind=_kind(value)))
        if nested is not None and value:
            for sub in value:
                if sub.__class__ is not dict:
                    raise _bad(endpoint or section, Phrase("errors.graph.shape.nested_not_object", name=name,
                                                                kind=_kind(sub)))
                for key, sub_types in nested.items():
                    sub_value = sub.get(key)
                    if sub_value is not None and not _is(sub_value, sub_types):
                        raise _bad(endpoint or section, Phrase("errors.graph.shape.field_kind", name=f"{name}.{key}",
                                                                    kind=_kind(sub_value)))
    if section == "skus":
        for key, value in (item.get("prepaidUnits") or {}).items():
            if not _is(value, OPT_NUM):
                raise _bad(endpoint or section, Phrase("errors.graph.shape.field_kind", name=f"prepaidUnits.{_clean(key)}",
                                                            kind=_kind(value)))
    return item


def not_object(where: str, item: Any) -> GraphBadResponse:
    """The error for an item of a collection that is not an object."""
    return _bad(where, Phrase("errors.graph.shape.not_object", kind=_kind(item)))


def check_column(section: str, name: str, col: list, endpoint: str = "", values: Any = None) -> None:
    """Raise what ``check_item`` raises for the first value of one property, checked a column at a time (issue 15):
    the types of the whole column at C speed, then the objects inside list values (``values``: the distinct ones, when
    the caller has them; default every value of the column). A field not in FIELDS is not checked."""
    types = FIELDS.get(section, {}).get(name)
    if types is None:
        return
    where = endpoint or section
    kinds = set(map(type, col))
    if _N in kinds and types is STR:
        raise _bad(where, Phrase("errors.graph.shape.missing", name=name))
    wrong = kinds - set(types) - {_N}
    if wrong:  # bool is never in a tuple of int/float here: a count that is true/false is the wrong type
        value = next(v for v in col if type(v) in wrong)
        raise _bad(where, Phrase("errors.graph.shape.field_kind", name=name, kind=_kind(value)))
    nested = NESTED.get((section, name))
    if nested is None:
        return
    for value in (col if values is None else values):
        if not value:
            continue
        for sub in value:
            if sub.__class__ is not dict:
                raise _bad(where, Phrase("errors.graph.shape.nested_not_object", name=name, kind=_kind(sub)))
            for key, sub_types in nested.items():
                sub_value = sub.get(key)
                if sub_value is not None and not _is(sub_value, sub_types):
                    raise _bad(where, Phrase("errors.graph.shape.field_kind", name=f"{name}.{key}", kind=_kind(sub_value)))


def required(section: str) -> list[str]:
    """The fields an item of the section must have (not null)."""
    return [name for name, types in FIELDS.get(section, {}).items() if types is STR]


def _is(value: Any, types: tuple) -> bool:
    # bool is an int in Python; a count that is true/false is still the wrong type
    if isinstance(value, bool) and bool not in types:
        return False
    return isinstance(value, types)


def _clean(key: Any) -> str:  # a key of Graph's answer, not of the schema: made safe for a message
    from ..graph.text import clean

    return clean(key, 60)


def _bad(where: str, what: Phrase) -> GraphBadResponse:
    """``what`` names fields of Graph's schema and kinds of value, never text from the answer."""
    from ..graph.text import clean

    return GraphBadResponse(key="graph.unexpected_shape", params={"where": clean(where, 120), "what": what},
                            fix_key="graph.bad_answer", path=where)
