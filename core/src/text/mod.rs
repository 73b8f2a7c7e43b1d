//! Text analytics of call summaries and transcripts: sentiment, keywords, intent (SPEC 4.6).

pub mod sentiment;
