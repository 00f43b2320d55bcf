"""The explorer at `/`: a page rendered here with one small script and a style sheet.

The page lists the layers in the schema's order (die to grid, as the plots draw them) and their
colours from `stackgraph.graph.palette`; everything else comes from `/graphql` in the browser. Its files
ship in the package (`api/static/`), so it works with no internet.
"""

from __future__ import annotations

import hashlib
import html
import json
from functools import cache
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from stackgraph.api.assets import STATIC, integrity
from stackgraph.graph.palette import LAYER_COLOURS, NO_LAYER_COLOUR, STATUS_COLOURS
from stackgraph.graph.vocabulary import LAYERS

__all__ = ["explorer", "explorer_page"]


def _palette() -> str:
    rules = [f".l-{name} {{ --lc: {colour}; }}" for name, colour in LAYER_COLOURS.items()]
    rules.append(
        f":root {{ --lc: {NO_LAYER_COLOUR}; "
        + " ".join(
            f"--{name.lower().replace('_', '-')}: {colour};"
            for name, colour in STATUS_COLOURS.items()
        )
        + " }"
    )
    return "\n".join(rules)


@cache
def explorer_page() -> tuple[str, str]:
    """The page and its entity tag.

    >>> page, tag = explorer_page()
    >>> '"foundry"' in page and tag.startswith('"')
    True
    """
    text = Template((STATIC / "explorer.html").read_text(encoding="utf-8")).substitute(
        css_integrity=html.escape(integrity((STATIC / "explorer.css").read_bytes())),
        js_integrity=html.escape(integrity((STATIC / "explorer.js").read_bytes())),
        palette=_palette(),
        # `<` cannot close the script element it sits in once escaped
        layers=json.dumps(list(LAYERS)).replace("<", "\\u003c"),
    )
    return text, '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


async def explorer(request: Request) -> Response:
    """`GET /`: the page, revalidated on each visit (`no-cache` with an ETag; a 304 when the
    browser holds it already)."""
    text, tag = explorer_page()
    headers = {"etag": tag, "cache-control": "no-cache"}
    if tag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return HTMLResponse(text, headers=headers)
