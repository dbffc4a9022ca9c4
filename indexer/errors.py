"""The indexer's exceptions, each one line worth showing to a person as it is."""


class ParseError(Exception):
    """A file that is not an Atlas page or cannot be read; `str()` is the reason."""


class SourceError(Exception):
    """A source argument that does not exist or holds nothing readable."""


class BuildError(Exception):
    """A build that could not produce a new version; the old index is untouched.
    `failures`: the inputs it skipped, if that is why (each names its source)."""

    def __init__(self, message: str, failures: list | None = None) -> None:
        super().__init__(message)
        self.failures = list(failures or [])


class IndexUnavailable(Exception):
    """The index directory is missing, empty or damaged; `str()` says which."""
