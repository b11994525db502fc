"""A live window onto a lead list of any size: count, then rows fetched a page at a time.

The Qt table model adapts this object; it holds no Qt so it is tested without a GUI.
Two ways to reach a page: LIMIT/OFFSET straight away (fast near the top), and, once the
full ordering has been read in the background, by key (fast anywhere, ~8 bytes per lead).
Only ``max_pages`` pages stay in memory, so a million-lead list costs a few megabytes.
"""

from __future__ import annotations

import uuid
from array import array
from collections import OrderedDict
from collections.abc import Sequence

from app.domain.leads import LeadQuery, LeadRecord
from app.services.lead_service import LeadService

PAGE_SIZE = 100  # about three screenfuls: the first paint reads only what it shows
MAX_PAGES = 80
# Searches count up to here at once; the exact number arrives with the background key load.
SEARCH_COUNT_CAP = 10_000


class LeadListing:
    def __init__(self, leads: LeadService, query: LeadQuery, *, page_size: int = PAGE_SIZE,
                 max_pages: int = MAX_PAGES, known_count: int | None = None) -> None:
        """``known_count``: the caller counted ``query`` in the same breath (the board's
        counts), so it is not counted twice."""
        self.leads = leads
        self.query = query
        self.page_size = page_size
        self.max_pages = max_pages
        searching = bool(query.search.strip())
        self.count = known_count if known_count is not None and not searching else \
            leads.count(query, at_most=SEARCH_COUNT_CAP if searching else None)
        self.count_is_exact = not searching or self.count < SEARCH_COUNT_CAP
        self._pages: OrderedDict[int, list[LeadRecord]] = OrderedDict()
        self._keys: array[int] | None = None

    @property
    def needs_keys(self) -> bool:
        """Worth reading the whole ordering: the list is longer than the first page."""
        return self._keys is None and (self.count > self.page_size or not self.count_is_exact)

    @property
    def has_keys(self) -> bool:
        return self._keys is not None

    def attach_keys(self, keys: array[int]) -> None:
        """Adopt the full ordering read by a background job; the count follows it."""
        self._keys = keys
        self.count = len(keys)
        self.count_is_exact = True
        self._pages.clear()

    def row(self, index: int) -> LeadRecord | None:
        if not 0 <= index < self.count:
            return None
        page_number, offset = divmod(index, self.page_size)
        page = self._page(page_number)
        return page[offset] if offset < len(page) else None

    def cached_rows(self) -> Sequence[tuple[int, LeadRecord]]:
        return [(number * self.page_size + i, record)
                for number, page in self._pages.items() for i, record in enumerate(page)]

    def index_of(self, lead_id: uuid.UUID) -> int | None:
        """Position of a lead if it is on a page already in memory (no query)."""
        for index, record in self.cached_rows():
            if record.id == lead_id:
                return index
        return None

    def replace(self, record: LeadRecord) -> int | None:
        """Swap in a freshly saved record where it is shown; returns its row or None."""
        for number, page in self._pages.items():
            for i, existing in enumerate(page):
                if existing.id == record.id:
                    page[i] = record
                    return number * self.page_size + i
        return None

    def _page(self, number: int) -> list[LeadRecord]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        start = number * self.page_size
        if self._keys is not None:
            page = self.leads.records_for_keys(self._keys[start:start + self.page_size])
        else:
            page = self.leads.list(self.query, offset=start, limit=self.page_size)
        self._pages[number] = page
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        return page
