from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ClaimedJob")


@_attrs_define
class ClaimedJob:
    """A job leased to the runner that claimed it.

    Example:
        {'attempt': 1, 'id': '01938a6e-7c1a-7b3e-9f4d-2a1c5e8b9d01', 'labels': ['linux'], 'lease_expires_at':
            '2026-12-03T09:01:00Z', 'max_attempts': 3, 'next_log_seq': 1, 'payload': {'ref': 'main', 'repo': 'acme/web'},
            'priority': 10, 'timeout_seconds': 1800, 'type': 'build', 'workspace_id':
            '01938a6d-2f00-7a51-8c3e-5b7d9e0f1a22'}

    Attributes:
        attempt (int): This attempt's number: pass it on every call about the job.
        id (UUID):
        labels (list[str]):
        lease_expires_at (datetime.datetime): Heartbeat before this, or lose the job.
        max_attempts (int):
        next_log_seq (int): Number this attempt's log lines from here: earlier attempts' lines keep theirs
            (a seq is written once per job).
        payload (Any):
        priority (int):
        redact_pattern (str): The workspace's pattern for secret-looking keys (case-insensitive regular
            expression): users see values under such keys as `"[redacted]"`, so a runner masks
            them (and `secrets`) in the output it sends.
        timeout_seconds (int):
        type_ (str):
        workspace_id (UUID):
        agent_task_id (None | Unset | UUID): The agent task the job belongs to, if any.
        resume_snapshot (Any | Unset): What this job handed back when its task paused, on the first claim after the
            task's resume: continue from it. Null for a job that did not run (or handed back
            nothing) before the pause, and on every later claim.
        secrets (Any | Unset): The secrets given when the job was created (`{"NAME": "value"}`), for this runner
            only: users never see them.
        suspended_state (Any | Unset): The state the runner handed back at the job's latest suspend (`state` of
            `/suspend`): continue from it. Null when the job never suspended with a state.
        traceparent (None | str | Unset): The W3C trace context of the request that enqueued the job
            (`00-<trace id>-<span id>-<flags>`): pass it on (the reference runner sets
            `TRACEPARENT`) so the work joins the caller's trace. Null when there was none.
    """

    attempt: int
    id: UUID
    labels: list[str]
    lease_expires_at: datetime.datetime
    max_attempts: int
    next_log_seq: int
    payload: Any
    priority: int
    redact_pattern: str
    timeout_seconds: int
    type_: str
    workspace_id: UUID
    agent_task_id: None | Unset | UUID = UNSET
    resume_snapshot: Any | Unset = UNSET
    secrets: Any | Unset = UNSET
    suspended_state: Any | Unset = UNSET
    traceparent: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        id = str(self.id)

        labels = self.labels

        lease_expires_at = self.lease_expires_at.isoformat()

        max_attempts = self.max_attempts

        next_log_seq = self.next_log_seq

        payload = self.payload

        priority = self.priority

        redact_pattern = self.redact_pattern

        timeout_seconds = self.timeout_seconds

        type_ = self.type_

        workspace_id = str(self.workspace_id)

        agent_task_id: None | str | Unset
        if isinstance(self.agent_task_id, Unset):
            agent_task_id = UNSET
        elif isinstance(self.agent_task_id, UUID):
            agent_task_id = str(self.agent_task_id)
        else:
            agent_task_id = self.agent_task_id

        resume_snapshot = self.resume_snapshot

        secrets = self.secrets

        suspended_state = self.suspended_state

        traceparent: None | str | Unset
        if isinstance(self.traceparent, Unset):
            traceparent = UNSET
        else:
            traceparent = self.traceparent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempt": attempt,
                "id": id,
                "labels": labels,
                "lease_expires_at": lease_expires_at,
                "max_attempts": max_attempts,
                "next_log_seq": next_log_seq,
                "payload": payload,
                "priority": priority,
                "redact_pattern": redact_pattern,
                "timeout_seconds": timeout_seconds,
                "type": type_,
                "workspace_id": workspace_id,
            }
        )
        if agent_task_id is not UNSET:
            field_dict["agent_task_id"] = agent_task_id
        if resume_snapshot is not UNSET:
            field_dict["resume_snapshot"] = resume_snapshot
        if secrets is not UNSET:
            field_dict["secrets"] = secrets
        if suspended_state is not UNSET:
            field_dict["suspended_state"] = suspended_state
        if traceparent is not UNSET:
            field_dict["traceparent"] = traceparent

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        id = UUID(d.pop("id"))

        labels = cast(list[str], d.pop("labels"))

        lease_expires_at = datetime.datetime.fromisoformat(d.pop("lease_expires_at"))

        max_attempts = d.pop("max_attempts")

        next_log_seq = d.pop("next_log_seq")

        payload = d.pop("payload")

        priority = d.pop("priority")

        redact_pattern = d.pop("redact_pattern")

        timeout_seconds = d.pop("timeout_seconds")

        type_ = d.pop("type")

        workspace_id = UUID(d.pop("workspace_id"))

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

        resume_snapshot = d.pop("resume_snapshot", UNSET)

        secrets = d.pop("secrets", UNSET)

        suspended_state = d.pop("suspended_state", UNSET)

        def _parse_traceparent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        traceparent = _parse_traceparent(d.pop("traceparent", UNSET))

        claimed_job = cls(
            attempt=attempt,
            id=id,
            labels=labels,
            lease_expires_at=lease_expires_at,
            max_attempts=max_attempts,
            next_log_seq=next_log_seq,
            payload=payload,
            priority=priority,
            redact_pattern=redact_pattern,
            timeout_seconds=timeout_seconds,
            type_=type_,
            workspace_id=workspace_id,
            agent_task_id=agent_task_id,
            resume_snapshot=resume_snapshot,
            secrets=secrets,
            suspended_state=suspended_state,
            traceparent=traceparent,
        )

        claimed_job.additional_properties = d
        return claimed_job

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
