"""kiota's RedirectHandler with errors that say what happened instead of bare exceptions.

kiota follows redirects (report downloads are a 302 to another host) and drops Authorization and
Cookie when the origin changes (scheme, host or port). It raises ``RedirectError`` after too many
hops and a plain ``Exception`` for a Location it cannot use; both would surface as an internal error.
"""
from __future__ import annotations

import httpx
from kiota_http.middleware import RedirectHandler

from ..errors import GraphBadResponse
from .text import clean


class SafeRedirectHandler(RedirectHandler):
    async def send(self, request: httpx.Request, transport: httpx.AsyncBaseTransport) -> httpx.Response:
        from kiota_http.middleware.redirect_handler import RedirectError

        try:
            return await super().send(request, transport)
        except GraphBadResponse as exc:
            # a refused redirect: release the 302's connection, or the pool runs dry and later requests hang
            response = exc.__dict__.pop("_unread_response", None)
            if response is not None:
                await response.aclose()
            raise
        except RedirectError:
            raise GraphBadResponse(key="graph.redirect_loop",
                                   params={"path": _path(request), "limit": self.options.max_redirect},
                                   fix_key="graph.bad_answer", path=_path(request)) from None

    def _redirect_url(self, request: httpx.Request, response: httpx.Response, options):  # noqa: ANN001, ANN202
        try:
            url = super()._redirect_url(request, response, options)
        except Exception as exc:  # kiota raises a bare Exception for a bad or scheme-changing Location
            refused = GraphBadResponse(key="graph.redirect_unfollowable",
                                       params={"path": _path(request), "detail": str(exc).split('.')[0].strip()},
                                       fix_key="graph.bad_answer", path=_path(request))
            refused._unread_response = response  # closed in send()
            raise refused from None
        if not self._same_origin(url, request.url) and "/reports/get" not in request.url.path:
            # Graph leaves its origin only to hand out report downloads (a 302 to a pre-authenticated
            # URL: microsoft-graph-docs-contrib api-reference/v1.0/api/reportroot-getteamsuseractivityuserdetail.md);
            # data from elsewhere is never merged into a tenant's snapshot.
            refused = GraphBadResponse(key="graph.redirect_foreign",
                                       params={"path": _path(request), "origin": _origin(url)},
                                       fix_key="graph.bad_answer", path=_path(request))
            refused._unread_response = response  # closed in send()
            raise refused
        return url


def _path(request: httpx.Request) -> str:
    return clean(request.url.path, 120)


def _origin(url: httpx.URL) -> str:
    return clean(f"{url.scheme}://{url.host}:{url.port or ''}".rstrip(":"), 120)
