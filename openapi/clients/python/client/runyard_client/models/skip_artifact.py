from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SkipArtifact")


@_attrs_define
class SkipArtifact:
    """An artifact the job declared but did not produce.

    Attributes:
        attempt (int):
        reason (str): Why it is missing, 1–1000 characters.
        metadata (Any | Unset): A JSON object kept with the artifact.
        step_ordinal (int | None | Unset):
    """

    attempt: int
    reason: str
    metadata: Any | Unset = UNSET
    step_ordinal: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        reason = self.reason

        metadata = self.metadata

        step_ordinal: int | None | Unset
        if isinstance(self.step_ordinal, Unset):
            step_ordinal = UNSET
        else:
            step_ordinal = self.step_ordinal

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attempt": attempt,
                "reason": reason,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if step_ordinal is not UNSET:
            field_dict["step_ordinal"] = step_ordinal

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        reason = d.pop("reason")

        metadata = d.pop("metadata", UNSET)

        def _parse_step_ordinal(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        step_ordinal = _parse_step_ordinal(d.pop("step_ordinal", UNSET))

        skip_artifact = cls(
            attempt=attempt,
            reason=reason,
            metadata=metadata,
            step_ordinal=step_ordinal,
        )

        return skip_artifact
