"""LeadListing without Qt: counts, pages on demand, bounded memory, key paging, capped searches."""

from __future__ import annotations

import pytest

from app.domain.leads import LeadQuery, SortKey
from app.services.container import Services
from app.services.lead_listing import SEARCH_COUNT_CAP, LeadListing

pytestmark = pytest.mark.both_databases


def add(services: Services, count: int, prefix: str = "Person") -> None:
    for i in range(count):
        services.leads.create({"first_name": f"{prefix}{i:04d}", "last_name": "Listing"})


def test_rows_come_page_by_page_and_old_pages_are_dropped(services: Services) -> None:
    add(services, 60)
    listing = LeadListing(services.leads, LeadQuery(sort=SortKey.NAME, descending=False),
                          page_size=10, max_pages=3)
    assert listing.count == 60 and listing.needs_keys
    names = [listing.row(i).first_name for i in range(60)]  # type: ignore[union-attr]
    assert names == [f"Person{i:04d}" for i in range(60)]
    assert len(listing._pages) == 3
    assert listing.row(60) is None and listing.row(-1) is None


def test_key_paging_gives_the_same_rows_as_offset_paging(services: Services) -> None:
    add(services, 45)
    query = LeadQuery(sort=SortKey.NAME, descending=True)
    by_offset = LeadListing(services.leads, query, page_size=10)
    by_keys = LeadListing(services.leads, query, page_size=10)
    by_keys.attach_keys(services.leads.ordered_keys(query))
    assert by_keys.has_keys and not by_keys.needs_keys
    assert [by_offset.row(i) for i in range(45)] == [by_keys.row(i) for i in range(45)]


def test_a_lead_deleted_after_the_keys_were_read_is_skipped(services: Services) -> None:
    add(services, 5)
    query = LeadQuery(sort=SortKey.NAME, descending=False)
    listing = LeadListing(services.leads, query, page_size=10)
    listing.attach_keys(services.leads.ordered_keys(query))
    doomed = services.leads.list(query, limit=1)[0]
    services.leads.delete(doomed.id)
    assert doomed.id not in {listing.row(i).id for i in range(4)}  # type: ignore[union-attr]


def test_replace_and_index_of_only_touch_pages_in_memory(services: Services) -> None:
    add(services, 3)
    listing = LeadListing(services.leads, LeadQuery(sort=SortKey.NAME, descending=False))
    first = listing.row(0)
    assert first is not None and listing.index_of(first.id) == 0
    renamed = services.leads.update(first.id, {"company": "Renamed"})
    assert listing.replace(renamed) == 0
    assert listing.row(0) == renamed


def test_broad_search_counts_stop_at_the_cap(services: Services, monkeypatch: object) -> None:
    import app.services.lead_listing as module

    add(services, 12, prefix="Broad")
    monkeypatch.setattr(module, "SEARCH_COUNT_CAP", 5)  # type: ignore[attr-defined]
    listing = LeadListing(services.leads, LeadQuery(search="Broad"), page_size=100)
    assert listing.count == 5 and not listing.count_is_exact and listing.needs_keys
    listing.attach_keys(services.leads.ordered_keys(listing.query))
    assert listing.count == 12 and listing.count_is_exact
    assert SEARCH_COUNT_CAP == 10_000
