//! The normalized call record and its vocabularies (SPEC section 2).

pub(crate) mod buffers;
mod draft;
mod record;
mod vocab;

pub(crate) use draft::call_key;
pub use draft::{CallDraft, FieldIssue};
pub use record::{
    Agent, CallRecord, EndedReason, Extra, MAX_SECONDS, Quality, Transcript, TranscriptTurn,
    Transfer, Violation,
};
pub(crate) use record::{after_seconds, round_non_negative};
pub(crate) use vocab::Vocabulary;
pub use vocab::{Direction, EndedReasonCategory, Outcome, Provider};
