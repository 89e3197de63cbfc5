from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateJob")


@_attrs_define
class CreateJob:
    """A job to enqueue.

    Example:
        {'labels': ['linux'], 'max_attempts': 3, 'payload': {'ref': 'main', 'repo': 'acme/web'}, 'priority': 10,
            'timeout_seconds': 1800, 'type': 'build'}

    Attributes:
        type_ (str): What kind of job: runners dispatch on it (e.g. `command`).
        agent_task_id (None | Unset | UUID): The agent task this job belongs to.
        approval_timeout_seconds (int | None | Unset): How long an approval may take, 1 s to 30 days (2592000), counted
            from when the
            job starts waiting for one: at create with `requires_approval`, or each time its
            runner stops at a `GATE` step. Past it the system rejects: the job becomes
            `FAILED` with `failure_kind` `approval_timeout`, and an approval record
            (`rejected`, by `system`) says so. Without `requires_approval` it applies only to
            the job's gates. Default: no timeout.
        backoff_seconds (int | None | Unset): Base of the exponential backoff between attempts, 0–3600 s (default 10).
        labels (list[str] | None | Unset): Only runners with all of these labels may claim the job.
        max_attempts (int | None | Unset): Attempts before the job fails for good, 1..=100 (default 3).
        payload (Any | Unset): Free-form input for the runner (default `{}`).
        priority (int | None | Unset): Higher runs first, -100..=100 (default 0).
        requires_approval (bool | None | Unset): Hold the job as `PENDING` until an admin approves it.
        run_after (datetime.datetime | None | Unset): Do not run before this time.
        secrets (Any | Unset): Values for the claiming runner only, e.g. `{"API_KEY": "sk-..."}`: names are
            environment variable names, values strings. Never returned by any read; the
            reference runner exports them to `command` jobs and masks them in logs.
        timeout_seconds (int | None | Unset): Time allowed for one attempt (default 3600).
    """

    type_: str
    agent_task_id: None | Unset | UUID = UNSET
    approval_timeout_seconds: int | None | Unset = UNSET
    backoff_seconds: int | None | Unset = UNSET
    labels: list[str] | None | Unset = UNSET
    max_attempts: int | None | Unset = UNSET
    payload: Any | Unset = UNSET
    priority: int | None | Unset = UNSET
    requires_approval: bool | None | Unset = UNSET
    run_after: datetime.datetime | None | Unset = UNSET
    secrets: Any | Unset = UNSET
    timeout_seconds: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        agent_task_id: None | str | Unset
        if isinstance(self.agent_task_id, Unset):
            agent_task_id = UNSET
        elif isinstance(self.agent_task_id, UUID):
            agent_task_id = str(self.agent_task_id)
        else:
            agent_task_id = self.agent_task_id

        approval_timeout_seconds: int | None | Unset
        if isinstance(self.approval_timeout_seconds, Unset):
            approval_timeout_seconds = UNSET
        else:
            approval_timeout_seconds = self.approval_timeout_seconds

        backoff_seconds: int | None | Unset
        if isinstance(self.backoff_seconds, Unset):
            backoff_seconds = UNSET
        else:
            backoff_seconds = self.backoff_seconds

        labels: list[str] | None | Unset
        if isinstance(self.labels, Unset):
            labels = UNSET
        elif isinstance(self.labels, list):
            labels = self.labels

        else:
            labels = self.labels

        max_attempts: int | None | Unset
        if isinstance(self.max_attempts, Unset):
            max_attempts = UNSET
        else:
            max_attempts = self.max_attempts

        payload = self.payload

        priority: int | None | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        else:
            priority = self.priority

        requires_approval: bool | None | Unset
        if isinstance(self.requires_approval, Unset):
            requires_approval = UNSET
        else:
            requires_approval = self.requires_approval

        run_after: None | str | Unset
        if isinstance(self.run_after, Unset):
            run_after = UNSET
        elif isinstance(self.run_after, datetime.datetime):
            run_after = self.run_after.isoformat()
        else:
            run_after = self.run_after

        secrets = self.secrets

        timeout_seconds: int | None | Unset
        if isinstance(self.timeout_seconds, Unset):
            timeout_seconds = UNSET
        else:
            timeout_seconds = self.timeout_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
            }
        )
        if agent_task_id is not UNSET:
            field_dict["agent_task_id"] = agent_task_id
        if approval_timeout_seconds is not UNSET:
            field_dict["approval_timeout_seconds"] = approval_timeout_seconds
        if backoff_seconds is not UNSET:
            field_dict["backoff_seconds"] = backoff_seconds
        if labels is not UNSET:
            field_dict["labels"] = labels
        if max_attempts is not UNSET:
            field_dict["max_attempts"] = max_attempts
        if payload is not UNSET:
            field_dict["payload"] = payload
        if priority is not UNSET:
            field_dict["priority"] = priority
        if requires_approval is not UNSET:
            field_dict["requires_approval"] = requires_approval
        if run_after is not UNSET:
            field_dict["run_after"] = run_after
        if secrets is not UNSET:
            field_dict["secrets"] = secrets
        if timeout_seconds is not UNSET:
            field_dict["timeout_seconds"] = timeout_seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = d.pop("type")

        def _parse_agent_task_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                agent_task_id_type_0 = UUID(data)

                return agent_task_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        agent_task_id = _parse_agent_task_id(d.pop("agent_task_id", UNSET))

        def _parse_approval_timeout_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        approval_timeout_seconds = _parse_approval_timeout_seconds(d.pop("approval_timeout_seconds", UNSET))

        def _parse_backoff_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        backoff_seconds = _parse_backoff_seconds(d.pop("backoff_seconds", UNSET))

        def _parse_labels(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                labels_type_0 = cast(list[str], data)

                return labels_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        labels = _parse_labels(d.pop("labels", UNSET))

        def _parse_max_attempts(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_attempts = _parse_max_attempts(d.pop("max_attempts", UNSET))

        payload = d.pop("payload", UNSET)

        def _parse_priority(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))

        def _parse_requires_approval(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        requires_approval = _parse_requires_approval(d.pop("requires_approval", UNSET))

        def _parse_run_after(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                run_after_type_0 = datetime.datetime.fromisoformat(data)

                return run_after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        run_after = _parse_run_after(d.pop("run_after", UNSET))

        secrets = d.pop("secrets", UNSET)

        def _parse_timeout_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        timeout_seconds = _parse_timeout_seconds(d.pop("timeout_seconds", UNSET))

        create_job = cls(
            type_=type_,
            agent_task_id=agent_task_id,
            approval_timeout_seconds=approval_timeout_seconds,
            backoff_seconds=backoff_seconds,
            labels=labels,
            max_attempts=max_attempts,
            payload=payload,
            priority=priority,
            requires_approval=requires_approval,
            run_after=run_after,
            secrets=secrets,
            timeout_seconds=timeout_seconds,
        )

        return create_job
