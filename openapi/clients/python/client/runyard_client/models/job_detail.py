from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.failure_kind import FailureKind
from ..models.job_status import JobStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.approval import Approval
    from ..models.job_event import JobEvent
    from ..models.lease import Lease
    from ..models.step import Step
    from ..models.usage import Usage


T = TypeVar("T", bound="JobDetail")


@_attrs_define
class JobDetail:
    """A job with its steps and its first events.

    Attributes:
        approvals (list[Approval]): Every approval decision on the job, oldest first.
        attempt (int): Attempts started so far.
        backoff_seconds (int):
        created_at (datetime.datetime):
        created_by (str): Who created it: `user:<sub>`.
        events (list[JobEvent]): The job's first events (up to 500); page through the rest with `/events`.
        id (UUID):
        labels (list[str]):
        max_attempts (int):
        payload (Any):
        priority (int):
        requires_approval (bool):
        run_after (datetime.datetime):
        status (JobStatus): Where a job is in its life.
        steps (list[Step]):
        suspensions (int): Attempts that ended in a suspend: `attempt` counts them, `max_attempts` does not.
        timeout_seconds (int):
        type_ (str):
        updated_at (datetime.datetime):
        usage (Usage): What a job, a task, a group or a workspace used. A job counts its model calls when it
            has any, else the tokens and cost its steps reported (never both).
        workspace_id (UUID):
        agent_task_id (None | Unset | UUID):
        approval_deadline (datetime.datetime | None | Unset): While it waits for an approval with a timeout: when the
            system rejects it
            (`FAILED`, `approval_timeout`).
        approval_timeout_seconds (int | None | Unset): How long an approval may take once the job waits for one; null:
            no timeout.
        cancel_reason (None | str | Unset): Why, as given with the cancel (`task_cancelled` when its task was
            cancelled).
        cancel_requested_at (datetime.datetime | None | Unset):
        cancelled_by (None | str | Unset): Who asked for a cancel: `user:<sub>` or `system`.
        error (Any | Unset):
        events_next_cursor (None | str | Unset): Set when the job has more events than shown: pass it as `cursor` to
            `/events`.
        failure_kind (FailureKind | None | Unset): Why the job ended without success (`FAILED` or `CANCELLED`); null
            otherwise.
        finished_at (datetime.datetime | None | Unset):
        idempotency_key (None | str | Unset):
        lease (Lease | None | Unset):
        max_wait_until (datetime.datetime | None | Unset): While `SUSPENDED`: past this it becomes `FAILED`
            (`suspend_timeout`).
        next_poll_at (datetime.datetime | None | Unset): While `SUSPENDED`: when it becomes `QUEUED` again.
        pause_requested_at (datetime.datetime | None | Unset):
        progress (Any | Unset):
        result (Any | Unset):
        started_at (datetime.datetime | None | Unset):
    """

    approvals: list[Approval]
    attempt: int
    backoff_seconds: int
    created_at: datetime.datetime
    created_by: str
    events: list[JobEvent]
    id: UUID
    labels: list[str]
    max_attempts: int
    payload: Any
    priority: int
    requires_approval: bool
    run_after: datetime.datetime
    status: JobStatus
    steps: list[Step]
    suspensions: int
    timeout_seconds: int
    type_: str
    updated_at: datetime.datetime
    usage: Usage
    workspace_id: UUID
    agent_task_id: None | Unset | UUID = UNSET
    approval_deadline: datetime.datetime | None | Unset = UNSET
    approval_timeout_seconds: int | None | Unset = UNSET
    cancel_reason: None | str | Unset = UNSET
    cancel_requested_at: datetime.datetime | None | Unset = UNSET
    cancelled_by: None | str | Unset = UNSET
    error: Any | Unset = UNSET
    events_next_cursor: None | str | Unset = UNSET
    failure_kind: FailureKind | None | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    idempotency_key: None | str | Unset = UNSET
    lease: Lease | None | Unset = UNSET
    max_wait_until: datetime.datetime | None | Unset = UNSET
    next_poll_at: datetime.datetime | None | Unset = UNSET
    pause_requested_at: datetime.datetime | None | Unset = UNSET
    progress: Any | Unset = UNSET
    result: Any | Unset = UNSET
    started_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.lease import Lease  # noqa: PLC0415

        approvals = []
        for approvals_item_data in self.approvals:
            approvals_item = approvals_item_data.to_dict()
            approvals.append(approvals_item)

        attempt = self.attempt

        backoff_seconds = self.backoff_seconds

        created_at = self.created_at.isoformat()

        created_by = self.created_by

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        id = str(self.id)

        labels = self.labels

        max_attempts = self.max_attempts

        payload = self.payload

        priority = self.priority

        requires_approval = self.requires_approval

        run_after = self.run_after.isoformat()

        status = self.status.value

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        suspensions = self.suspensions

        timeout_seconds = self.timeout_seconds

        type_ = self.type_

        updated_at = self.updated_at.isoformat()

        usage = self.usage.to_dict()

        workspace_id = str(self.workspace_id)

        agent_task_id: None | str | Unset
        if isinstance(self.agent_task_id, Unset):
            agent_task_id = UNSET
        elif isinstance(self.agent_task_id, UUID):
            agent_task_id = str(self.agent_task_id)
        else:
            agent_task_id = self.agent_task_id

        approval_deadline: None | str | Unset
        if isinstance(self.approval_deadline, Unset):
            approval_deadline = UNSET
        elif isinstance(self.approval_deadline, datetime.datetime):
            approval_deadline = self.approval_deadline.isoformat()
        else:
            approval_deadline = self.approval_deadline

        approval_timeout_seconds: int | None | Unset
        if isinstance(self.approval_timeout_seconds, Unset):
            approval_timeout_seconds = UNSET
        else:
            approval_timeout_seconds = self.approval_timeout_seconds

        cancel_reason: None | str | Unset
        if isinstance(self.cancel_reason, Unset):
            cancel_reason = UNSET
        else:
            cancel_reason = self.cancel_reason

        cancel_requested_at: None | str | Unset
        if isinstance(self.cancel_requested_at, Unset):
            cancel_requested_at = UNSET
        elif isinstance(self.cancel_requested_at, datetime.datetime):
            cancel_requested_at = self.cancel_requested_at.isoformat()
        else:
            cancel_requested_at = self.cancel_requested_at

        cancelled_by: None | str | Unset
        if isinstance(self.cancelled_by, Unset):
            cancelled_by = UNSET
        else:
            cancelled_by = self.cancelled_by

        error = self.error

        events_next_cursor: None | str | Unset
        if isinstance(self.events_next_cursor, Unset):
            events_next_cursor = UNSET
        else:
            events_next_cursor = self.events_next_cursor

        failure_kind: None | str | Unset
        if isinstance(self.failure_kind, Unset):
            failure_kind = UNSET
        elif isinstance(self.failure_kind, FailureKind):
            failure_kind = self.failure_kind.value
        else:
            failure_kind = self.failure_kind

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        idempotency_key: None | str | Unset
        if isinstance(self.idempotency_key, Unset):
            idempotency_key = UNSET
        else:
            idempotency_key = self.idempotency_key

        lease: dict[str, Any] | None | Unset
        if isinstance(self.lease, Unset):
            lease = UNSET
        elif isinstance(self.lease, Lease):
            lease = self.lease.to_dict()
        else:
            lease = self.lease

        max_wait_until: None | str | Unset
        if isinstance(self.max_wait_until, Unset):
            max_wait_until = UNSET
        elif isinstance(self.max_wait_until, datetime.datetime):
            max_wait_until = self.max_wait_until.isoformat()
        else:
            max_wait_until = self.max_wait_until

        next_poll_at: None | str | Unset
        if isinstance(self.next_poll_at, Unset):
            next_poll_at = UNSET
        elif isinstance(self.next_poll_at, datetime.datetime):
            next_poll_at = self.next_poll_at.isoformat()
        else:
            next_poll_at = self.next_poll_at

        pause_requested_at: None | str | Unset
        if isinstance(self.pause_requested_at, Unset):
            pause_requested_at = UNSET
        elif isinstance(self.pause_requested_at, datetime.datetime):
            pause_requested_at = self.pause_requested_at.isoformat()
        else:
            pause_requested_at = self.pause_requested_at

        progress = self.progress

        result = self.result

        started_at: None | str | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        elif isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "approvals": approvals,
                "attempt": attempt,
                "backoff_seconds": backoff_seconds,
                "created_at": created_at,
                "created_by": created_by,
                "events": events,
                "id": id,
                "labels": labels,
                "max_attempts": max_attempts,
                "payload": payload,
                "priority": priority,
                "requires_approval": requires_approval,
                "run_after": run_after,
                "status": status,
                "steps": steps,
                "suspensions": suspensions,
                "timeout_seconds": timeout_seconds,
                "type": type_,
                "updated_at": updated_at,
                "usage": usage,
                "workspace_id": workspace_id,
            }
        )
        if agent_task_id is not UNSET:
            field_dict["agent_task_id"] = agent_task_id
        if approval_deadline is not UNSET:
            field_dict["approval_deadline"] = approval_deadline
        if approval_timeout_seconds is not UNSET:
            field_dict["approval_timeout_seconds"] = approval_timeout_seconds
        if cancel_reason is not UNSET:
            field_dict["cancel_reason"] = cancel_reason
        if cancel_requested_at is not UNSET:
            field_dict["cancel_requested_at"] = cancel_requested_at
        if cancelled_by is not UNSET:
            field_dict["cancelled_by"] = cancelled_by
        if error is not UNSET:
            field_dict["error"] = error
        if events_next_cursor is not UNSET:
            field_dict["events_next_cursor"] = events_next_cursor
        if failure_kind is not UNSET:
            field_dict["failure_kind"] = failure_kind
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if idempotency_key is not UNSET:
            field_dict["idempotency_key"] = idempotency_key
        if lease is not UNSET:
            field_dict["lease"] = lease
        if max_wait_until is not UNSET:
            field_dict["max_wait_until"] = max_wait_until
        if next_poll_at is not UNSET:
            field_dict["next_poll_at"] = next_poll_at
        if pause_requested_at is not UNSET:
            field_dict["pause_requested_at"] = pause_requested_at
        if progress is not UNSET:
            field_dict["progress"] = progress
        if result is not UNSET:
            field_dict["result"] = result
        if started_at is not UNSET:
            field_dict["started_at"] = started_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.approval import Approval  # noqa: PLC0415
        from ..models.job_event import JobEvent  # noqa: PLC0415
        from ..models.lease import Lease  # noqa: PLC0415
        from ..models.step import Step  # noqa: PLC0415
        from ..models.usage import Usage  # noqa: PLC0415

        d = dict(src_dict)
        approvals = []
        _approvals = d.pop("approvals")
        for approvals_item_data in _approvals:
            approvals_item = Approval.from_dict(approvals_item_data)

            approvals.append(approvals_item)

        attempt = d.pop("attempt")

        backoff_seconds = d.pop("backoff_seconds")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_by = d.pop("created_by")

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = JobEvent.from_dict(events_item_data)

            events.append(events_item)

        id = UUID(d.pop("id"))

        labels = cast(list[str], d.pop("labels"))

        max_attempts = d.pop("max_attempts")

        payload = d.pop("payload")

        priority = d.pop("priority")

        requires_approval = d.pop("requires_approval")

        run_after = datetime.datetime.fromisoformat(d.pop("run_after"))

        status = JobStatus(d.pop("status"))

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = Step.from_dict(steps_item_data)

            steps.append(steps_item)

        suspensions = d.pop("suspensions")

        timeout_seconds = d.pop("timeout_seconds")

        type_ = d.pop("type")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        usage = Usage.from_dict(d.pop("usage"))

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

        def _parse_approval_deadline(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                approval_deadline_type_0 = datetime.datetime.fromisoformat(data)

                return approval_deadline_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        approval_deadline = _parse_approval_deadline(d.pop("approval_deadline", UNSET))

        def _parse_approval_timeout_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        approval_timeout_seconds = _parse_approval_timeout_seconds(d.pop("approval_timeout_seconds", UNSET))

        def _parse_cancel_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cancel_reason = _parse_cancel_reason(d.pop("cancel_reason", UNSET))

        def _parse_cancel_requested_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                cancel_requested_at_type_0 = datetime.datetime.fromisoformat(data)

                return cancel_requested_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        cancel_requested_at = _parse_cancel_requested_at(d.pop("cancel_requested_at", UNSET))

        def _parse_cancelled_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cancelled_by = _parse_cancelled_by(d.pop("cancelled_by", UNSET))

        error = d.pop("error", UNSET)

        def _parse_events_next_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        events_next_cursor = _parse_events_next_cursor(d.pop("events_next_cursor", UNSET))

        def _parse_failure_kind(data: object) -> FailureKind | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                failure_kind_type_0 = FailureKind(data)

                return failure_kind_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FailureKind | None | Unset, data)

        failure_kind = _parse_failure_kind(d.pop("failure_kind", UNSET))

        def _parse_finished_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))

        def _parse_idempotency_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        idempotency_key = _parse_idempotency_key(d.pop("idempotency_key", UNSET))

        def _parse_lease(data: object) -> Lease | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                lease_type_0 = Lease.from_dict(data)

                return lease_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Lease | None | Unset, data)

        lease = _parse_lease(d.pop("lease", UNSET))

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

        def _parse_next_poll_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_poll_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_poll_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_poll_at = _parse_next_poll_at(d.pop("next_poll_at", UNSET))

        def _parse_pause_requested_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                pause_requested_at_type_0 = datetime.datetime.fromisoformat(data)

                return pause_requested_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        pause_requested_at = _parse_pause_requested_at(d.pop("pause_requested_at", UNSET))

        progress = d.pop("progress", UNSET)

        result = d.pop("result", UNSET)

        def _parse_started_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        started_at = _parse_started_at(d.pop("started_at", UNSET))

        job_detail = cls(
            approvals=approvals,
            attempt=attempt,
            backoff_seconds=backoff_seconds,
            created_at=created_at,
            created_by=created_by,
            events=events,
            id=id,
            labels=labels,
            max_attempts=max_attempts,
            payload=payload,
            priority=priority,
            requires_approval=requires_approval,
            run_after=run_after,
            status=status,
            steps=steps,
            suspensions=suspensions,
            timeout_seconds=timeout_seconds,
            type_=type_,
            updated_at=updated_at,
            usage=usage,
            workspace_id=workspace_id,
            agent_task_id=agent_task_id,
            approval_deadline=approval_deadline,
            approval_timeout_seconds=approval_timeout_seconds,
            cancel_reason=cancel_reason,
            cancel_requested_at=cancel_requested_at,
            cancelled_by=cancelled_by,
            error=error,
            events_next_cursor=events_next_cursor,
            failure_kind=failure_kind,
            finished_at=finished_at,
            idempotency_key=idempotency_key,
            lease=lease,
            max_wait_until=max_wait_until,
            next_poll_at=next_poll_at,
            pause_requested_at=pause_requested_at,
            progress=progress,
            result=result,
            started_at=started_at,
        )

        job_detail.additional_properties = d
        return job_detail

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
