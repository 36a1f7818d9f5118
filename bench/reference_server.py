"""The speed reference for ``bench/intake.py``: a bare aiohttp handler that reads the same
intake body, parses its JSON and answers 202, with nothing else (no auth, validation,
scoring, Redis, logging or metrics).  The service's own intake is measured against this,
in the same run and under the same load generator.

Usage::

    python bench/reference_server.py --port 8099 [--host 127.0.0.1]
"""

from __future__ import annotations

import argparse
import sys

import orjson
from aiohttp import web


async def post_comment(request: web.Request) -> web.Response:
    body = await request.read()
    comment = orjson.loads(body)  # the same parser the service uses (moderation/jsoncodec.py)
    if not isinstance(comment, dict):
        return web.Response(status=400)
    answer = {"id": f"ref_{comment.get('id', '')}", "status": "pending"}
    return web.Response(
        body=orjson.dumps(answer),
        status=202,
        content_type="application/json",
    )


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def create_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/v1/comments", post_comment)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", healthz)
    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # Like the service: no access log (the service writes its own JSON log line instead,
    # which is part of what the benchmark measures).
    web.run_app(create_app(), host=args.host, port=args.port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
