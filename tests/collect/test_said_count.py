"""A collection whose pages bring fewer items than the server's own ``@odata.count`` says gets a note (indep17 #5):
Intune's managedDevices is known to end early without a nextLink (microsoftgraph/msgraph-sdk-powershell#1819, a count
of 949 and 948 devices). @odata.count is documented in https://learn.microsoft.com/graph/query-parameters#count."""
from __future__ import annotations

import httpx

from readiness.collect.collectors import managed_devices
from tests.helpers import mock_client, using

ROW = {"id": "", "deviceName": "PC", "userId": "u", "userPrincipalName": "a@b.c", "complianceState": "compliant",
       "operatingSystem": "Windows", "osVersion": "10", "lastSyncDateTime": "2026-11-01T00:00:00Z",
       "managedDeviceOwnerType": "company", "isEncrypted": True, "azureADDeviceId": "x", "enrolledDateTime": None}


def _read(count: int | None, n: int):  # noqa: ANN202
    def handler(request: httpx.Request) -> httpx.Response:
        page: dict = {"@odata.context": "x"}
        if count is not None:
            page["@odata.count"] = count
        page["value"] = [dict(ROW, id=f"d{i}") for i in range(n)]  # one page, no nextLink
        return httpx.Response(200, json=page)

    return using(mock_client(handler), lambda c: managed_devices(c))


def test_fewer_items_than_the_servers_count_is_said() -> None:
    sec = _read(5, 3)
    assert sec.status == "complete" and sec.count == 3
    assert "the server said 5 item(s), its pages brought 3" in sec.notes, sec.notes


def test_a_count_that_matches_or_none_says_nothing() -> None:
    for count in (3, None):
        sec = _read(count, 3)
        assert sec.status == "complete" and not [n for n in sec.notes if "the server said" in n], sec.notes
