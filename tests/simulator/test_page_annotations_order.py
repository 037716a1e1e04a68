"""The simulator writes a page's annotations before its ``value``, as Graph does: "@odata.context", "@odata.count",
"@odata.nextLink" (or, on a delta round's last page, "@odata.deltaLink"), then "value". That is the order of every
paged response in Microsoft's reference and of Graph's answers (https://learn.microsoft.com/graph/paging: the
``$top=5`` example; user-delta.md: the first round's page; ../shared/graph-examples/get-users-delta.json and
get-reports-m365appuserdetail-json.json), and a client may follow the link while the rest of the page still arrives
(graph/paging.head_hint): a simulator that put the link last would measure a slower client than Graph allows."""
from __future__ import annotations

import json

from readiness.simulator import Simulator, generate_tenant
from tests.helpers import EXAMPLES
from tests.simulator.simcall import EVENTUAL, call



def _order(body: bytes) -> list[str]:
    return list(json.loads(body))


def test_paged_list_names_its_link_and_count_before_value() -> None:
    sim = Simulator(generate_tenant("unprepared-sme", seed=7))
    page = call(sim, "GET", "/users?$top=5&$count=true", headers=EVENTUAL)
    assert page.status == 200
    assert _order(page.body) == ["@odata.context", "@odata.count", "@odata.nextLink", "value"]
    assert page.body.index(b'"@odata.nextLink"') < page.body.index(b'"value"')
    last = call(sim, "GET", "/users?$top=999")
    assert _order(last.body) == ["@odata.context", "value"]


def test_delta_pages_name_their_links_before_value() -> None:
    sim = Simulator(generate_tenant("unprepared-sme", seed=7))
    first = call(sim, "GET", "/users/delta?$select=id,displayName")
    keys = _order(first.body)
    assert keys[-1] == "value" and keys[0] == "@odata.context"
    link = json.loads(first.body).get("@odata.nextLink") or json.loads(first.body).get("@odata.deltaLink")
    assert link
    while "@odata.nextLink" in keys:
        page = call(sim, "GET", json.loads(first.body)["@odata.nextLink"])
        first, keys = page, _order(page.body)
        assert keys[-1] == "value"
    assert keys == ["@odata.context", "@odata.deltaLink", "value"]


def test_the_documented_examples_have_this_order() -> None:
    for name in ("get-users-delta.json", "get-reports-m365appuserdetail-json.json"):
        body = json.loads((EXAMPLES / name).read_text("utf-8"))["body"]
        keys = list(body)
        assert keys.index("@odata.nextLink") < keys.index("value"), name
