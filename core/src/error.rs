//! The one error type of callscope.

/// Everything that can go wrong, by family. Messages say what and where, lowercase.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A source could not be read at all.
    #[error("cannot read {source_name}: {cause}")]
    Io {
        /// File name or `-`.
        source_name: String,
        /// The I/O error.
        #[source]
        cause: std::io::Error,
    },
    /// A document is not valid JSON / CSV / form text.
    #[error("{source_name}: invalid {format} at {location}: {reason}")]
    Syntax {
        /// File name or label of the input.
        source_name: String,
        /// `json`, `ndjson`, `csv` or `form`.
        format: &'static str,
        /// Line / column or record index.
        location: String,
        /// What the parser said.
        reason: String,
    },
    /// No provider could be recognised from the payload's shape.
    #[error("{source_name}: cannot detect the provider of item {index}: {reason}")]
    UnknownProvider {
        /// File name or label.
        source_name: String,
        /// Item index.
        index: usize,
        /// Which shapes were looked for.
        reason: String,
    },
    /// Strict mode rejected a record.
    #[error("{source_name}: record {index} rejected at {path}: {reason}")]
    Rejected {
        /// File name or label.
        source_name: String,
        /// Item index (line number for line formats).
        index: usize,
        /// JSON path or column.
        path: String,
        /// Why.
        reason: String,
    },
    /// An option or argument has a bad value.
    #[error("invalid option {option}: {reason}")]
    InvalidOption {
        /// The option's name.
        option: String,
        /// Why.
        reason: String,
    },
    /// A documented size or depth limit was exceeded.
    #[error("{source_name}: limit exceeded: {what}")]
    Limit {
        /// File name or label.
        source_name: String,
        /// Which limit.
        what: String,
    },
    /// A webhook signature header is malformed (a wrong signature is `Ok(false)`, not this).
    #[error("malformed signature: {0}")]
    Signature(String),
}

impl Error {
    /// The variant's name, used as `err.code` in Node and `Error.name` in WASM.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "Io",
            Error::Syntax { .. } => "Syntax",
            Error::UnknownProvider { .. } => "UnknownProvider",
            Error::Rejected { .. } => "Rejected",
            Error::InvalidOption { .. } => "InvalidOption",
            Error::Limit { .. } => "Limit",
            Error::Signature(_) => "Signature",
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
