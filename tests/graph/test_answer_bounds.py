"""Every answer is bounded while it is read (graph/bounds.py): refused at once when Content-Length says too much, and
as soon as the bytes read pass the bound when it says nothing (chunked) or when gzip expands; a usage report has a
bound of its own. Served over real HTTP by a small server.

Docs: https://learn.microsoft.com/graph/paging (a page holds at most $top objects, 999 for users),
https://learn.microsoft.com/graph/api/reportroot-getoffice365activeuserdetail (a CSV of one row per user, after a
302 to a download URL).
"""
from __future__ import annotations

import gzip
import json
import threading

import pytest

from readiness import i18n
from readiness.errors import GraphBadResponse, error_phrase
from readiness.graph import client as client_mod
from tests.helpers import HttpDouble, url_client, using

MB = 1 << 20
PAGE = json.dumps({"value": [{"id": str(n), "displayName": "x" * 40} for n in range(100)]}).encode()


class Served:
    """``answer(handler, served)`` writes the whole answer (tests/helpers.py ``HttpDouble``); what it wrote is counted
    in ``sent``; ``release`` is set once the client is done."""

    def __init__(self, answer) -> None:  # noqa: ANN001
        self.answer, self.sent, self.release = answer, 0, threading.Event()

    def get(self, path: str, **send) -> object:  # noqa: ANN003
        with HttpDouble(self._serve) as srv:
            try:
                return using(url_client(srv.url, timeout=10), lambda c: c.send(c.ri("GET", path), **send))
            finally:
                self.release.set()

    def _serve(self, handler) -> None:  # noqa: ANN001 - the answer is written whole by answer(), never by HttpDouble
        self.answer(handler, self)

    def write(self, handler, data: bytes) -> None:  # noqa: ANN001
        handler.wfile.write(data)
        self.sent += len(data)


def _head(handler, **headers: str) -> None:  # noqa: ANN001
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()


@pytest.fixture
def small(monkeypatch):  # noqa: ANN001, ANN201 - an ordinary answer's bound at 1 MB, a report's at 4 MB
    monkeypatch.setattr(client_mod, "ANSWER_BYTES", MB)
    monkeypatch.setattr(client_mod, "REPORT_BYTES", 4 * MB)


def test_a_content_length_past_the_bound_is_refused_before_the_body_is_read(small) -> None:  # noqa: ANN001
    def answer(h, s) -> None:  # noqa: ANN001
        _head(h, Content_Length=str(900 * MB))  # says 900 MB, sends a few bytes and holds the connection open
        s.write(h, b'{"value": [')
        h.wfile.flush()
        s.release.wait(15)

    srv = Served(answer)
    with pytest.raises(GraphBadResponse) as caught:
        srv.get("/users")
    assert caught.value.key == "graph.answer_too_large", caught.value
    assert caught.value.params["value"] == "900.0" and caught.value.params["limit"] == "1"
    assert caught.value.params["path"] == "GET /users"


def _chunked(h, s, total: int, piece: bytes = b" " * 65536) -> None:  # noqa: ANN001
    _head(h, Transfer_Encoding="chunked")
    s.write(h, b"%x\r\n{\r\n" % 1)
    while s.sent < total:
        s.write(h, b"%x\r\n" % len(piece) + piece + b"\r\n")
    s.write(h, b"%x\r\n}\r\n0\r\n\r\n" % 1)


def test_a_chunked_answer_is_refused_as_soon_as_it_passes_the_bound(small) -> None:  # noqa: ANN001
    srv = Served(lambda h, s: _chunked(h, s, 200 * MB))
    with pytest.raises(GraphBadResponse) as caught:
        srv.get("/users")
    assert caught.value.key == "graph.answer_over_bound", caught.value
    # the client stopped reading: the server could write no more than the bound plus what the sockets buffer
    assert srv.sent < 40 * MB, srv.sent


def test_a_gzip_answer_is_bounded_as_it_expands(small) -> None:  # noqa: ANN001
    body = gzip.compress(b'{"value": [' + b" " * (8 * MB) + b"]}")
    assert len(body) < 64 * 1024  # small on the wire, 8 MB once read

    def answer(h, s) -> None:  # noqa: ANN001
        _head(h, Content_Length=str(len(body)), Content_Encoding="gzip")
        s.write(h, body)

    with pytest.raises(GraphBadResponse) as caught:
        Served(answer).get("/users")
    assert caught.value.key == "graph.answer_over_bound", caught.value


def test_answers_within_the_bound_are_read_whole_chunked_gzip_or_plain(small) -> None:  # noqa: ANN001
    zipped = gzip.compress(PAGE)
    plain = Served(lambda h, s: (_head(h, Content_Length=str(len(PAGE))), s.write(h, PAGE))).get("/users")
    assert plain.content == PAGE and plain.json()["value"][99]["id"] == "99"
    unzipped = Served(lambda h, s: (_head(h, Content_Length=str(len(zipped)), Content_Encoding="gzip"), s.write(h, zipped))).get("/users")
    assert unzipped.content == PAGE
    chunked = Served(lambda h, s: _chunked(h, s, 3 * 65536)).get("/users")
    assert len(chunked.content) == 3 * 65536 + 2 and chunked.json() == {}


def test_a_usage_report_has_its_own_larger_bound(small) -> None:  # noqa: ANN001
    csv = b"Report Refresh Date,User Principal Name\r\n" + b"2026-11-30,someone@contoso.com\r\n" * (2 * MB // 32)
    assert MB < len(csv) < 4 * MB

    def answer(h, s) -> None:  # noqa: ANN001
        _head(h, Content_Length=str(len(csv)))
        s.write(h, csv)

    report = Served(answer).get("/reports/getOffice365ActiveUserDetail(period='D90')")
    assert report.content == csv
    for ordinary in ("/users", "/reports/authenticationMethods/userRegistrationDetails"):  # pages, even under /reports
        with pytest.raises(GraphBadResponse) as caught:  # the same answer to an ordinary read is refused
            Served(answer).get(ordinary)
        assert caught.value.key == "graph.answer_too_large"


def _redirected(body) -> object:  # noqa: ANN001 - the report's 302 to a download URL, as Graph answers
    def answer(h, s) -> None:  # noqa: ANN001
        if "/reports/" in h.path:
            h.send_response(302)
            h.send_header("Location", f"http://127.0.0.1:{h.server.server_address[1]}/download/report.csv")
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        body(h, s)
    return answer


def test_a_reports_bound_holds_after_the_redirect_to_its_download(small) -> None:  # noqa: ANN001
    csv = b"Report Refresh Date,User Principal Name\r\n" + b"2026-11-30,someone@contoso.com\r\n" * (2 * MB // 32)
    srv = Served(_redirected(lambda h, s: (_head(h, Content_Length=str(len(csv))), s.write(h, csv))))
    assert srv.get("/reports/getTeamsUserActivityUserDetail(period='D30')").content == csv
    srv = Served(_redirected(lambda h, s: _chunked(h, s, 200 * MB)))
    with pytest.raises(GraphBadResponse) as caught:
        srv.get("/reports/getTeamsUserActivityUserDetail(period='D30')")
    assert caught.value.key == "graph.answer_over_bound" and caught.value.params["limit"] == "4", caught.value
    assert caught.value.params["path"] == "GET /download/report.csv" and srv.sent < 60 * MB, srv.sent


def test_the_refusals_are_said_in_english_and_german() -> None:
    from readiness.graph.bounds import too_large

    for exc, words in ((too_large("GET /users", 64 * MB, 900 * MB), ("900 MB", "64 MB")), (too_large("GET /users", 64 * MB), ("64",))):
        en, de = error_phrase(exc).text("en"), error_phrase(exc).text("de")
        assert en != de and "GET /users" in en and "GET /users" in de, (en, de)
        assert all(w in en and w in de for w in words), (en, de)
        assert i18n.text("errors.graph.bad_answer.fix", "de")
