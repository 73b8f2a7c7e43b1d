"""Type stubs of the native module `callscope._callscope`."""

import os
from typing import Any, Dict, Iterable, Optional, Sequence, Union

import polars

__version__: str

Document = Union[str, bytes]
Documents = Union[Document, Sequence[Document]]  # one document, or a list read as one input
Paths = Union[str, "os.PathLike[str]", Iterable[Union[str, "os.PathLike[str]"]]]
Provider = str  # 'justcall' | 'twilio' | 'mightycall' | 'vapi' | 'retell' | 'callcenter' | 'callapi' | 'asterisk' | 'freeswitch' | 'generic'

class CallscopeError(Exception):
    """Base class of every callscope error; `code` is the core variant name."""

    code: str

class SourceReadError(CallscopeError): ...
class ParseError(CallscopeError): ...
class UnknownProviderError(CallscopeError): ...
class RejectedError(CallscopeError): ...
class InvalidOptionError(CallscopeError): ...
class LimitError(CallscopeError): ...
class SignatureError(CallscopeError): ...

class RecordsTable:
    """Records as an Arrow table (Arrow PyCapsule interface)."""

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object: ...
    def to_polars(self) -> polars.DataFrame: ...
    def __len__(self) -> int: ...

def ingest(
    input: Documents,
    *,
    source: str = "input",
    provider: Optional[Provider] = None,
    source_tz: Optional[str] = None,
    strict: bool = False,
    **more: Any,
) -> Dict[str, Any]:
    """Normalize call records: {"records": [...], "report": {...}} with snake_case keys."""

def ingest_arrow(
    input: Documents,
    *,
    source: str = "input",
    provider: Optional[Provider] = None,
    source_tz: Optional[str] = None,
    strict: bool = False,
    **more: Any,
) -> RecordsTable:
    """The records of an ingest as an Arrow table."""

def report(
    input: Documents,
    *,
    source: str = "input",
    **options: Any,
) -> Dict[str, Any]:
    """The SPEC 6 report of one input, with snake_case keys."""

def ingest_files(
    paths: Paths,
    *,
    provider: Optional[Provider] = None,
    source_tz: Optional[str] = None,
    strict: bool = False,
    **more: Any,
) -> Dict[str, Any]:
    """`ingest` over files and folders, read as `callscope ingest` reads them."""

def ingest_files_arrow(
    paths: Paths,
    *,
    provider: Optional[Provider] = None,
    source_tz: Optional[str] = None,
    strict: bool = False,
    **more: Any,
) -> RecordsTable:
    """The records of `ingest_files` as an Arrow table."""

def report_files(paths: Paths, **options: Any) -> Dict[str, Any]:
    """The SPEC 6 report of files and folders, read as `callscope report` reads them."""

def _snake_case_keys(value: Any) -> Any:
    """The camelCase -> snake_case key conversion of results (extra objects kept)."""
