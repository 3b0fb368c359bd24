"""Steps of the plan that live in other apps register here (dependencies point one way).

`channels_app` registers steps 3 and 7 in its AppConfig.ready(); `strategy` never imports
it. A provider is `completeness(entity) -> StepCheck list` and `export(entity) -> list of
(heading, lines)` for the Markdown and PDF exports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

CompletenessFn = Callable[[object], list["Check"]]
ExportFn = Callable[[object], list[tuple[str, list[str]]]]


@dataclass(frozen=True)
class Check:
    """One thing a step needs. `missing` is the plain-Spanish sentence shown when not `ok`."""

    ok: bool
    missing: str
    warning: bool = False  # a warning does not lower the score, it is only shown


_COMPLETENESS: dict[int, CompletenessFn] = {}
_EXPORT: dict[int, ExportFn] = {}


def register_step(number: int, *, completeness: CompletenessFn | None = None,
                  export: ExportFn | None = None) -> None:
    if completeness is not None:
        _COMPLETENESS[number] = completeness
    if export is not None:
        _EXPORT[number] = export


def completeness_provider(number: int) -> CompletenessFn | None:
    return _COMPLETENESS.get(number)


def export_provider(number: int) -> ExportFn | None:
    return _EXPORT.get(number)
