//! # callscope
//!
//! Normalize phone-call records from every provider (JustCall, Twilio, MightyCall, Vapi,
//! Retell, call-center event streams, Asterisk and FreeSWITCH CDRs, or your own columns) into
//! one [`CallRecord`], and compute the analytics that call-center and voice-AI dashboards show.

#![deny(missing_docs)]

pub mod analytics;
#[cfg(feature = "cli")]
pub mod cli;
pub mod error;
pub mod ingest;
pub mod model;
pub mod phone;
pub mod providers;
pub mod redact;
pub mod time;

pub use error::{Error, Result};
pub use model::*;
