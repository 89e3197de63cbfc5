from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.log_entry_in import LogEntryIn


T = TypeVar("T", bound="LogBatch")


@_attrs_define
class LogBatch:
    """
    Attributes:
        attempt (int):
        entries (list[LogEntryIn]): 1 to 5000 entries.
    """

    attempt: int
    entries: list[LogEntryIn]

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        entries = []
        for entries_item_data in self.entries:
            entries_item = entries_item_data.to_dict()
            entries.append(entries_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attempt": attempt,
                "entries": entries,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.log_entry_in import LogEntryIn  # noqa: PLC0415

        d = dict(src_dict)
        attempt = d.pop("attempt")

        entries = []
        _entries = d.pop("entries")
        for entries_item_data in _entries:
            entries_item = LogEntryIn.from_dict(entries_item_data)

            entries.append(entries_item)

        log_batch = cls(
            attempt=attempt,
            entries=entries,
        )

        return log_batch
