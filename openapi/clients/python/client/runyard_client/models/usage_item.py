from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UsageItem")


@_attrs_define
class UsageItem:
    """One group of the roll-up.

    Attributes:
        ai_calls (int):
        cost_usd (str): Exact US dollars as a decimal string.
        input_tokens (int):
        output_tokens (int):
        group (None | str | Unset): The group's value (a model, a provider, a job type, a task id, a day); usage only
            steps reported has model and provider `(step-reported)`; null for jobs of no task.
        subgroup (None | str | Unset): The value of the `then_by` key within the group (absent without `then_by`).
    """

    ai_calls: int
    cost_usd: str
    input_tokens: int
    output_tokens: int
    group: None | str | Unset = UNSET
    subgroup: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ai_calls = self.ai_calls

        cost_usd = self.cost_usd

        input_tokens = self.input_tokens

        output_tokens = self.output_tokens

        group: None | str | Unset
        if isinstance(self.group, Unset):
            group = UNSET
        else:
            group = self.group

        subgroup: None | str | Unset
        if isinstance(self.subgroup, Unset):
            subgroup = UNSET
        else:
            subgroup = self.subgroup

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ai_calls": ai_calls,
                "cost_usd": cost_usd,
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
            }
        )
        if group is not UNSET:
            field_dict["group"] = group
        if subgroup is not UNSET:
            field_dict["subgroup"] = subgroup

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ai_calls = d.pop("ai_calls")

        cost_usd = d.pop("cost_usd")

        input_tokens = d.pop("input_tokens")

        output_tokens = d.pop("output_tokens")

        def _parse_group(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        group = _parse_group(d.pop("group", UNSET))

        def _parse_subgroup(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subgroup = _parse_subgroup(d.pop("subgroup", UNSET))

        usage_item = cls(
            ai_calls=ai_calls,
            cost_usd=cost_usd,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            group=group,
            subgroup=subgroup,
        )

        usage_item.additional_properties = d
        return usage_item

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
