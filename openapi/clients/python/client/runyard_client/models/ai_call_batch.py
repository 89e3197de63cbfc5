from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.ai_call_in import AiCallIn


T = TypeVar("T", bound="AiCallBatch")


@_attrs_define
class AiCallBatch:
    """Model calls of one attempt.

    Attributes:
        attempt (int): The attempt the calls were made in.
        calls (list[AiCallIn]): 1 to 1000 calls.
    """

    attempt: int
    calls: list[AiCallIn]

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        calls = []
        for calls_item_data in self.calls:
            calls_item = calls_item_data.to_dict()
            calls.append(calls_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attempt": attempt,
                "calls": calls,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ai_call_in import AiCallIn  # noqa: PLC0415

        d = dict(src_dict)
        attempt = d.pop("attempt")

        calls = []
        _calls = d.pop("calls")
        for calls_item_data in _calls:
            calls_item = AiCallIn.from_dict(calls_item_data)

            calls.append(calls_item)

        ai_call_batch = cls(
            attempt=attempt,
            calls=calls,
        )

        return ai_call_batch
