"""Long lists on the web pages in pages: `?page=N`, the list's other query parameters kept."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest

# Parameters that belong to one request, never to the links between pages.
NOT_KEPT = ("page", "fragment")


def page_of(request: HttpRequest, items: Any, *, per_page: int) -> dict[str, Any]:
    """Template context for one page of `items`: `page` (a Django Page; a page number that is not
    a number gives the first page, one past the end the last) and `page_query`, the other query
    parameters for the links to the previous and next page (see includes/pager.html)."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    kept = [(key, value) for key, value in request.GET.items() if key not in NOT_KEPT]
    return {"page": page, "page_query": urlencode(kept)}
