from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SuspendRequest")


@_attrs_define
class SuspendRequest:
    """Suspend a job until a poll time, spending no attempt.

    Attributes:
        attempt (int):
        max_wait_until (datetime.datetime | None | Unset): Past this time the job fails with `failure_kind:
            "suspend_timeout"` instead.
        poll_after_seconds (float | None | Unset): Queue the job again after this many seconds, 0–2592000 (30 days).
            Give this or
            `until`.
        state (Any | Unset): Up to 64 KiB of JSON the next claims hand back as `suspended_state`.
        until (datetime.datetime | None | Unset): Queue the job again at this time (at most 30 days ahead). Give this or
            `poll_after_seconds`.
    """

    attempt: int
    max_wait_until: datetime.datetime | None | Unset = UNSET
    poll_after_seconds: float | None | Unset = UNSET
    state: Any | Unset = UNSET
    until: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        max_wait_until: None | str | Unset
        if isinstance(self.max_wait_until, Unset):
            max_wait_until = UNSET
        elif isinstance(self.max_wait_until, datetime.datetime):
            max_wait_until = self.max_wait_until.isoformat()
        else:
            max_wait_until = self.max_wait_until

        poll_after_seconds: float | None | Unset
        if isinstance(self.poll_after_seconds, Unset):
            poll_after_seconds = UNSET
        else:
            poll_after_seconds = self.poll_after_seconds

        state = self.state

        until: None | str | Unset
        if isinstance(self.until, Unset):
            until = UNSET
        elif isinstance(self.until, datetime.datetime):
            until = self.until.isoformat()
        else:
            until = self.until

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attempt": attempt,
            }
        )
        if max_wait_until is not UNSET:
            field_dict["max_wait_until"] = max_wait_until
        if poll_after_seconds is not UNSET:
            field_dict["poll_after_seconds"] = poll_after_seconds
        if state is not UNSET:
            field_dict["state"] = state
        if until is not UNSET:
            field_dict["until"] = until

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        def _parse_max_wait_until(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                max_wait_until_type_0 = datetime.datetime.fromisoformat(data)

                return max_wait_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        max_wait_until = _parse_max_wait_until(d.pop("max_wait_until", UNSET))

        def _parse_poll_after_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        poll_after_seconds = _parse_poll_after_seconds(d.pop("poll_after_seconds", UNSET))

        state = d.pop("state", UNSET)

        def _parse_until(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                until_type_0 = datetime.datetime.fromisoformat(data)

                return until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        until = _parse_until(d.pop("until", UNSET))

        suspend_request = cls(
            attempt=attempt,
            max_wait_until=max_wait_until,
            poll_after_seconds=poll_after_seconds,
            state=state,
            until=until,
        )

        return suspend_request
