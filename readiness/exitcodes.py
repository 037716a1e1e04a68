"""Documented exit codes: every command ends with one of these."""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    RUNTIME_ERROR = 1  # something went wrong: Graph refused, a damaged file, an output not written, ...
    USAGE = 2  # bad options or arguments, an input file that does not exist (Click uses 2 as well)
    FINDINGS = 3  # findings at or above --fail-on
    CHANGES_PENDING = 4  # `playbook plan --detailed-exitcode` found changes
    APPLY_INCOMPLETE = 5  # an apply stopped before every change was made
    DATA_INCOMPLETE = 6  # some data could not be read (faults, wait cap): the result is incomplete
    FLEET_INCOMPLETE = 7  # `fleet audit`: one or more tenants failed (the others were audited)
    INTERRUPTED = 130  # Ctrl-C
    PIPE_CLOSED = 141  # the reader of the output went away (`| head`): quietly, as a program SIGPIPE ends (128 + 13)
