"""Requests built with msgraph-sdk's typed request builders (paths, $select, $filter, $top).

Only the RequestInformation comes from the SDK; bodies are read as raw JSON by GraphClient.
"""
from __future__ import annotations

from typing import Any


def build(builder: Any, *, headers: dict[str, str] | None = None, **params: Any) -> Any:
    """``builder.to_get_request_information`` with the builder's own typed query-parameter class."""
    from kiota_abstractions.base_request_configuration import RequestConfiguration

    qp_class = getattr(type(builder), f"{type(builder).__name__}GetQueryParameters", None)
    config = RequestConfiguration(query_parameters=qp_class(**params) if (qp_class and params) else None)
    info = builder.to_get_request_information(config)
    for name, value in (headers or {}).items():
        info.headers.try_add(name, value)
    return info


USER_FIELDS = ["id", "userPrincipalName", "displayName", "accountEnabled", "userType", "usageLocation", "department",
               "mail", "assignedLicenses", "licenseAssignmentStates", "createdDateTime", "externalUserState",
               "externalUserStateChangeDateTime", "provisionedPlans"]
GROUP_FIELDS = ["id", "displayName", "groupTypes", "securityEnabled", "mailEnabled", "resourceProvisioningOptions",
                "assignedLicenses", "visibility"]
DEVICE_FIELDS = ["id", "deviceId", "displayName", "operatingSystem", "trustType", "accountEnabled", "isCompliant",
                 "isManaged", "approximateLastSignInDateTime", "registrationDateTime"]
MANAGED_FIELDS = ["id", "deviceName", "userId", "userPrincipalName", "operatingSystem", "osVersion", "complianceState",
                  "isEncrypted", "lastSyncDateTime", "managedDeviceOwnerType", "azureADDeviceId"]
REGISTRATION_FIELDS = ["id", "userPrincipalName", "userType", "isAdmin", "isMfaRegistered", "isMfaCapable", "methodsRegistered",
                       "isSsprRegistered", "isSsprCapable", "isSsprEnabled"]
