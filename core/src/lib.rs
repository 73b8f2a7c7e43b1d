//! # callscope
//!
//! Normalize phone-call records from every provider (JustCall, Twilio, MightyCall, Vapi,
//! Retell, call-center event streams, call-management APIs, Asterisk and FreeSWITCH CDRs, or
//! your own columns) into one [`CallRecord`], and compute the analytics that call-center and
//! voice-AI dashboards show: summary, contact-center KPIs, breakdowns, ended reasons,
//! concurrency series, Erlang C staffing, intents and keywords with sentiment.
//!
//! ```
//! use callscope::analytics::{summary, AnalyticsOptions};
//! use callscope::ingest::{ingest_bytes, IngestOptions};
//!
//! // A Retell call object; the provider is detected from the payload's shape.
//! let body = br#"{"call_id":"c1","call_type":"phone_call","call_status":"ended",
//!   "direction":"inbound","start_timestamp":1700000000000,"end_timestamp":1700000060000,
//!   "duration_ms":55000,"disconnection_reason":"user_hangup",
//!   "from_number":"+14155550100","to_number":"+14155550199"}"#;
//! let out = ingest_bytes("retell.json", body, &IngestOptions::default())?;
//! assert_eq!(out.report.records_out, 1);
//! let call = &out.records[0];
//! assert_eq!(call.id, "retell:c1");
//! assert_eq!(call.duration_s, Some(60.0)); // end - start
//! assert_eq!(call.talk_s, Some(55.0)); // duration_ms
//!
//! let s = summary(&out.records, &AnalyticsOptions::default());
//! assert_eq!((s.total_calls, s.answered_calls), (1, 1));
//! # Ok::<(), callscope::Error>(())
//! ```
//!
//! The flow of data follows the modules: [`providers`] parse each source into partial
//! records, [`ingest`] detects, reads, folds and accounts for every item, [`model`] holds the
//! normalized record, [`analytics`] computes the metrics as mergeable aggregates, [`text`]
//! scores sentiment, keywords and intents, [`views`] returns the seed APIs' JSON shapes and
//! [`report`] renders the `callscope report` document.
//!
//! ## Features
//! - `parallel` (default): rayon-parallel parsing and aggregation; off for WASM.
//! - `phone` (default): E.164 normalization with libphonenumber metadata.
//! - `cli`: the `callscope` binary (`ingest`, `report`, `text`).
//! - `polars`: records as a polars `DataFrame` (used by the Python binding).

#![deny(missing_docs)]

pub mod analytics;
pub mod casing;
#[cfg(feature = "cli")]
pub mod cli;
pub mod error;
pub mod files;
#[cfg(feature = "polars")]
pub mod frame;
pub mod ingest;
pub mod model;
pub mod phone;
pub mod providers;
pub mod redact;
pub mod report;
pub mod signature;
pub mod text;
pub mod time;
pub mod views;

pub use error::{Error, Result};
pub use model::*;
