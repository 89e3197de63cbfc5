"""Contains all the data models used in inputs/outputs"""

from .ack_command import AckCommand
from .add_member import AddMember
from .agent_task import AgentTask
from .ai_call import AiCall
from .ai_call_batch import AiCallBatch
from .ai_call_in import AiCallIn
from .ai_call_list import AiCallList
from .ai_call_status import AiCallStatus
from .ai_calls_accepted import AiCallsAccepted
from .approval import Approval
from .approval_decision import ApprovalDecision
from .artifact import Artifact
from .artifact_list import ArtifactList
from .batch_complete import BatchComplete
from .batch_complete_result import BatchCompleteResult
from .cancel_job import CancelJob
from .claim_request import ClaimRequest
from .claim_response import ClaimResponse
from .claimed_job import ClaimedJob
from .command import Command
from .command_list import CommandList
from .command_status import CommandStatus
from .complete_item import CompleteItem
from .complete_request import CompleteRequest
from .complete_task import CompleteTask
from .completion_result import CompletionResult
from .create_job import CreateJob
from .create_job_batch import CreateJobBatch
from .create_task import CreateTask
from .create_workspace import CreateWorkspace
from .event_source import EventSource
from .fail_request import FailRequest
from .failure_kind import FailureKind
from .health import Health
from .heartbeat_request import HeartbeatRequest
from .heartbeat_response import HeartbeatResponse
from .job import Job
from .job_batch import JobBatch
from .job_detail import JobDetail
from .job_event import JobEvent
from .job_event_list import JobEventList
from .job_list import JobList
from .job_status import JobStatus
from .lease import Lease
from .log_batch import LogBatch
from .log_entry import LogEntry
from .log_entry_in import LogEntryIn
from .log_level import LogLevel
from .log_list import LogList
from .log_stream import LogStream
from .log_stream_item import LogStreamItem
from .logs_accepted import LogsAccepted
from .member import Member
from .member_list import MemberList
from .minute_throughput import MinuteThroughput
from .pause_kind import PauseKind
from .pause_task import PauseTask
from .paused_request import PausedRequest
from .percentiles import Percentiles
from .problem import Problem
from .readiness import Readiness
from .register_runner import RegisterRunner
from .release_request import ReleaseRequest
from .role import Role
from .runner import Runner
from .runner_commands import RunnerCommands
from .runner_list import RunnerList
from .runner_load import RunnerLoad
from .runner_registered import RunnerRegistered
from .send_command import SendCommand
from .skip_artifact import SkipArtifact
from .snapshot_info import SnapshotInfo
from .status_count import StatusCount
from .step import Step
from .step_phase import StepPhase
from .step_report_in import StepReportIn
from .step_status import StepStatus
from .step_type import StepType
from .suspend_request import SuspendRequest
from .task_detail import TaskDetail
from .task_event import TaskEvent
from .task_event_list import TaskEventList
from .task_list import TaskList
from .task_outcome import TaskOutcome
from .task_snapshot import TaskSnapshot
from .task_status import TaskStatus
from .update_workspace import UpdateWorkspace
from .usage import Usage
from .usage_group_by import UsageGroupBy
from .usage_item import UsageItem
from .usage_report import UsageReport
from .workspace import Workspace
from .workspace_event import WorkspaceEvent
from .workspace_event_list import WorkspaceEventList
from .workspace_list import WorkspaceList
from .workspace_settings import WorkspaceSettings
from .workspace_settings_patch import WorkspaceSettingsPatch
from .workspace_stats import WorkspaceStats

__all__ = (
    "AckCommand",
    "AddMember",
    "AgentTask",
    "AiCall",
    "AiCallBatch",
    "AiCallIn",
    "AiCallList",
    "AiCallsAccepted",
    "AiCallStatus",
    "Approval",
    "ApprovalDecision",
    "Artifact",
    "ArtifactList",
    "BatchComplete",
    "BatchCompleteResult",
    "CancelJob",
    "ClaimedJob",
    "ClaimRequest",
    "ClaimResponse",
    "Command",
    "CommandList",
    "CommandStatus",
    "CompleteItem",
    "CompleteRequest",
    "CompleteTask",
    "CompletionResult",
    "CreateJob",
    "CreateJobBatch",
    "CreateTask",
    "CreateWorkspace",
    "EventSource",
    "FailRequest",
    "FailureKind",
    "Health",
    "HeartbeatRequest",
    "HeartbeatResponse",
    "Job",
    "JobBatch",
    "JobDetail",
    "JobEvent",
    "JobEventList",
    "JobList",
    "JobStatus",
    "Lease",
    "LogBatch",
    "LogEntry",
    "LogEntryIn",
    "LogLevel",
    "LogList",
    "LogsAccepted",
    "LogStream",
    "LogStreamItem",
    "Member",
    "MemberList",
    "MinuteThroughput",
    "PausedRequest",
    "PauseKind",
    "PauseTask",
    "Percentiles",
    "Problem",
    "Readiness",
    "RegisterRunner",
    "ReleaseRequest",
    "Role",
    "Runner",
    "RunnerCommands",
    "RunnerList",
    "RunnerLoad",
    "RunnerRegistered",
    "SendCommand",
    "SkipArtifact",
    "SnapshotInfo",
    "StatusCount",
    "Step",
    "StepPhase",
    "StepReportIn",
    "StepStatus",
    "StepType",
    "SuspendRequest",
    "TaskDetail",
    "TaskEvent",
    "TaskEventList",
    "TaskList",
    "TaskOutcome",
    "TaskSnapshot",
    "TaskStatus",
    "UpdateWorkspace",
    "Usage",
    "UsageGroupBy",
    "UsageItem",
    "UsageReport",
    "Workspace",
    "WorkspaceEvent",
    "WorkspaceEventList",
    "WorkspaceList",
    "WorkspaceSettings",
    "WorkspaceSettingsPatch",
    "WorkspaceStats",
)
