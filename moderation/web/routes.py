"""One route table: each route is declared once, beside its handler, with what the API
document says of it (its operation: answers and their models, error statuses, auth,
parameters, body), as aiohttp's ``RouteTableDef`` and FastAPI's decorators do.

Each handler module has its ``routes``; ``web/table.py`` joins them in the order the app
adds them, ``app.py`` adds them to the router and ``openapi.py`` builds the document's
paths from the same table, so a route cannot exist without its description, nor the other
way round.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
H = TypeVar("H", bound=Handler)


@dataclass(frozen=True, slots=True, eq=False)
class Route:
    """A method and path, its handler, and its OpenAPI operation object."""

    method: str
    path: str
    handler: Handler
    operation: dict[str, Any]


class RouteTable:
    """The routes of one handler module, in the order they are declared."""

    def __init__(self) -> None:
        self._routes: list[Route] = []

    def __iter__(self) -> Iterator[Route]:
        return iter(self._routes)

    def __len__(self) -> int:
        return len(self._routes)

    def route(self, method: str, path: str, operation: dict[str, Any]) -> Callable[[H], H]:
        """Declare ``method path`` as served by the decorated handler and described by
        ``operation`` (``apidoc.operation(...)``)."""

        def declare(handler: H) -> H:
            self._routes.append(Route(method.upper(), path, handler, operation))
            return handler

        return declare

    def get(self, path: str, operation: dict[str, Any]) -> Callable[[H], H]:
        return self.route("GET", path, operation)

    def post(self, path: str, operation: dict[str, Any]) -> Callable[[H], H]:
        return self.route("POST", path, operation)

    def delete(self, path: str, operation: dict[str, Any]) -> Callable[[H], H]:
        return self.route("DELETE", path, operation)


def add_routes(router: web.UrlDispatcher, routes: Iterator[Route] | tuple[Route, ...]) -> None:
    """Add each route to ``router`` (a GET route answers HEAD too, as ``add_get`` does)."""
    for route in routes:
        if route.method == "GET":
            router.add_get(route.path, route.handler)
        else:
            router.add_route(route.method, route.path, route.handler)
