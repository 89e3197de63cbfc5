from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="FailRequest")


@_attrs_define
class FailRequest:
    """
    Attributes:
        attempt (int):
        error (Any): What went wrong: text or any JSON.
        retryable (bool | None | Unset): Whether another attempt may succeed (default true).
    """

    attempt: int
    error: Any
    retryable: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        error = self.error

        retryable: bool | None | Unset
        if isinstance(self.retryable, Unset):
            retryable = UNSET
        else:
            retryable = self.retryable

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attempt": attempt,
                "error": error,
            }
        )
        if retryable is not UNSET:
            field_dict["retryable"] = retryable

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        error = d.pop("error")

        def _parse_retryable(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        retryable = _parse_retryable(d.pop("retryable", UNSET))

        fail_request = cls(
            attempt=attempt,
            error=error,
            retryable=retryable,
        )

        return fail_request
