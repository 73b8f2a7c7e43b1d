"""callscope: normalize phone-call records from every provider and compute call analytics.

The functions are the Rust core's, with snake_case keys and keyword-only options.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence, Union

from ._callscope import (
    CallscopeError,
    InvalidOptionError,
    LimitError,
    ParseError,
    RecordsTable,
    RejectedError,
    SignatureError,
    SourceReadError,
    UnknownProviderError,
    __version__,
    _snake_case_keys,
    ingest,
    ingest_arrow,
    ingest_files,
    ingest_files_arrow,
    report,
    report_files,
)

if TYPE_CHECKING:
    import polars


def ingest_frame(
    input: Union[str, bytes, Sequence[Union[str, bytes]]],
    *,
    source: str = "input",
    provider: Optional[str] = None,
    source_tz: Optional[str] = None,
    strict: bool = False,
    **more: Any,
) -> "polars.DataFrame":
    """The records of `ingest(...)` as a polars DataFrame (through the Arrow C stream)."""
    return ingest_arrow(
        input, source=source, provider=provider, source_tz=source_tz, strict=strict, **more
    ).to_polars()


def ingest_files_frame(
    paths: Union[str, "os.PathLike[str]", Iterable[Union[str, "os.PathLike[str]"]]],
    *,
    provider: Optional[str] = None,
    source_tz: Optional[str] = None,
    strict: bool = False,
    **more: Any,
) -> "polars.DataFrame":
    """The records of `ingest_files(...)` (files and folders) as a polars DataFrame."""
    return ingest_files_arrow(
        paths, provider=provider, source_tz=source_tz, strict=strict, **more
    ).to_polars()


__all__ = [
    "CallscopeError",
    "InvalidOptionError",
    "LimitError",
    "ParseError",
    "RecordsTable",
    "RejectedError",
    "SignatureError",
    "SourceReadError",
    "UnknownProviderError",
    "__version__",
    "ingest",
    "ingest_arrow",
    "ingest_files",
    "ingest_files_arrow",
    "ingest_files_frame",
    "ingest_frame",
    "report",
    "report_files",
]
