"""PackedIds: the created leads a large import remembers, 16 bytes each, read like a list."""

from __future__ import annotations

import pytest

from app.domain.ids import PackedIds, new_id


def test_packed_ids_read_back_like_the_list_they_were_given() -> None:
    ids = [new_id() for _ in range(1203)]
    packed = PackedIds()
    packed.extend(ids[:700])
    packed.extend(ids[700:])
    assert len(packed) == 1203 and list(packed) == ids
    assert packed[0] == ids[0] and packed[-1] == ids[-1]
    assert packed[500:1000] == ids[500:1000] and packed[1000:5000] == ids[1000:]
    with pytest.raises(IndexError):
        packed[1203]
    assert not PackedIds()
