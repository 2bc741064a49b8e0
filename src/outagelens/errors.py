"""One base class for every error OutageLens raises on purpose; one subclass per domain.

Boundaries (CLI, HTTP) translate these once: the CLI prints the message and exits 2,
the server answers 400 with the message. Messages say what was wrong and where.
"""

from __future__ import annotations


class OutageLensError(Exception):
    """Base class of all deliberate OutageLens errors."""


class CatalogError(OutageLensError):
    """A catalog file or catalog data is invalid; names file, entity and field where known."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        entity: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.file = file
        self.entity = entity
        self.field = field
        self.line = line
        self.reason = message
        where = []
        if file:
            where.append(f"{file}:{line}" if line is not None else file)
        if entity:
            where.append(f"entity '{entity}'")
        if field:
            where.append(f"field '{field}'")
        prefix = ": ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class CatalogErrors(CatalogError):
    """Several catalog problems found at once; the message lists each on its own line."""

    def __init__(self, errors: list[CatalogError]) -> None:
        self.errors = errors
        lines = [str(e) for e in errors]
        OutageLensError.__init__(
            self,
            f"{len(errors)} problem(s) in catalog:\n" + "\n".join(f"  - {line}" for line in lines),
        )
        self.file = errors[0].file if errors else None
        self.entity = errors[0].entity if errors else None
        self.field = errors[0].field if errors else None
        self.line = errors[0].line if errors else None
        self.reason = str(self)


class UnknownEntityError(OutageLensError):
    """An entity id was asked for that the catalog does not hold."""

    def __init__(self, entity: str, suggestions: list[str] | None = None) -> None:
        self.entity = entity
        hint = f" (did you mean: {', '.join(suggestions)}?)" if suggestions else ""
        super().__init__(f"unknown entity '{entity}'{hint}")


class SignalError(OutageLensError):
    """A signal (alert, series, change, alarm, hazard) is malformed; names source and field."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None) -> None:
        self.source = source
        self.line = line
        where = source or ""
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}" if where else message)


class ScenarioError(OutageLensError):
    """A simulation scenario is invalid."""


class InvestigationError(OutageLensError):
    """The investigation could not run on the given inputs."""


class StoreError(OutageLensError):
    """The store is unavailable or rejected an operation."""


class InboxClaimError(StoreError):
    """Inbox rows of a batch were already processed (by another worker): nothing was stored."""


class ConfigError(OutageLensError):
    """A configuration value is missing or invalid; names the key."""
