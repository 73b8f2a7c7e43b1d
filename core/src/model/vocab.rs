//! The closed vocabularies of the normalized record: provider, direction, outcome and
//! ended-reason category (SPEC sections 2, 2.1 and 2.2).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A closed vocabulary: every value, and each value's place among them.
pub(crate) trait Vocabulary: Copy + Ord + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// This value's place in [`Vocabulary::ALL`].
    fn index(self) -> usize;
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $word:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// This value's place in [`ALL`](Self::ALL) (its declaration order).
            pub const fn index(self) -> usize {
                self as usize
            }

            /// The wire word of this value (the same word serde writes).
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word,)+ }
            }
        }

        impl Vocabulary for $name {
            const ALL: &'static [$name] = $name::ALL;
            fn index(self) -> usize {
                $name::index(self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = crate::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err(crate::Error::InvalidOption {
                        option: stringify!($name).to_ascii_lowercase(),
                        reason: format!("unknown value {s:?}"),
                    }),
                }
            }
        }
    };
}

vocabulary! {
    /// The source system a record came from.
    Provider {
        /// JustCall (v2.1 REST, v1 legacy, webhooks).
        JustCall => "justcall",
        /// Twilio Programmable Voice.
        Twilio => "twilio",
        /// MightyCall (calls, journal, voicemails, webhooks).
        MightyCall => "mightycall",
        /// Vapi voice AI.
        Vapi => "vapi",
        /// Retell AI.
        Retell => "retell",
        /// The event stream of the FastAPI call-center seed system.
        CallCenter => "callcenter",
        /// The call-management record of the Supabase/Twilio seed API.
        CallApi => "callapi",
        /// Asterisk CDR (cdr_csv, cdr_custom).
        Asterisk => "asterisk",
        /// FreeSWITCH CDR (mod_cdr_csv, mod_json_cdr).
        FreeSwitch => "freeswitch",
        /// User-mapped columns of CSV, JSON or NDJSON.
        Generic => "generic",
    }
}

vocabulary! {
    /// Direction of a call relative to the business.
    Direction {
        /// A customer called the business.
        Inbound => "inbound",
        /// The business called out.
        Outbound => "outbound",
        /// Between two parties of the business.
        Internal => "internal",
        /// The source does not say.
        Unknown => "unknown",
    }
}

vocabulary! {
    /// What happened to a call (SPEC 2.1).
    Outcome {
        /// Connected to a person or an assistant.
        Answered => "answered",
        /// Inbound, not answered.
        Missed => "missed",
        /// Outbound, not answered by the other side.
        Unanswered => "unanswered",
        /// Busy signal.
        Busy => "busy",
        /// Went to voicemail.
        Voicemail => "voicemail",
        /// Technical failure, invalid number, provider or pipeline error.
        Failed => "failed",
        /// Canceled before it rang.
        Canceled => "canceled",
        /// Not finished: queued, ringing, in progress.
        Active => "active",
        /// The source says nothing usable.
        Unknown => "unknown",
    }
}

vocabulary! {
    /// Why a call ended, grouped (SPEC 2.2).
    EndedReasonCategory {
        /// The customer hung up.
        CustomerEnded => "customer-ended",
        /// The human agent or the assistant hung up.
        AgentEnded => "agent-ended",
        /// Transferred away.
        Transferred => "transferred",
        /// Ended in voicemail.
        Voicemail => "voicemail",
        /// Nobody answered.
        NoAnswer => "no-answer",
        /// Busy.
        Busy => "busy",
        /// Ended for silence.
        SilenceTimeout => "silence-timeout",
        /// Hit the maximum duration.
        MaxDuration => "max-duration",
        /// Canceled.
        Canceled => "canceled",
        /// Provider, pipeline or network fault.
        Error => "error",
        /// Anything else.
        Other => "other",
    }
}

impl Outcome {
    /// The no-answer rule of SPEC 7: `missed` on inbound calls, `unanswered` otherwise.
    pub fn no_answer(direction: Direction) -> Outcome {
        if direction == Direction::Inbound {
            Outcome::Missed
        } else {
            Outcome::Unanswered
        }
    }

    /// Whether the outcome is in the `missedCalls` set of SPEC 4.1.
    pub fn is_missed_set(self) -> bool {
        matches!(
            self,
            Outcome::Missed | Outcome::Unanswered | Outcome::Busy | Outcome::Canceled
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for o in Outcome::ALL {
            assert_eq!(o.as_str().parse::<Outcome>().unwrap(), *o);
            assert_eq!(
                serde_json::to_string(o).unwrap(),
                format!("\"{}\"", o.as_str())
            );
        }
        for p in Provider::ALL {
            assert_eq!(p.as_str().parse::<Provider>().unwrap(), *p);
        }
        for c in EndedReasonCategory::ALL {
            assert_eq!(c.as_str().parse::<EndedReasonCategory>().unwrap(), *c);
        }
        assert_eq!(EndedReasonCategory::ALL.len(), 11);
        assert_eq!(Outcome::ALL.len(), 9);
        assert_eq!(Provider::ALL.len(), 10);
    }

    #[test]
    fn each_value_is_at_its_index_of_all() {
        // the summary counts by these indexes: a value's index must be its place in ALL
        let places = |all: &[usize]| all.iter().copied().eq(0..all.len());
        assert!(places(
            &Outcome::ALL.iter().map(|v| v.index()).collect::<Vec<_>>()
        ));
        assert!(places(
            &Direction::ALL.iter().map(|v| v.index()).collect::<Vec<_>>()
        ));
        assert!(places(
            &Provider::ALL.iter().map(|v| v.index()).collect::<Vec<_>>()
        ));
        assert!(places(
            &EndedReasonCategory::ALL
                .iter()
                .map(|v| v.index())
                .collect::<Vec<_>>()
        ));
        assert_eq!(Outcome::Unknown.index(), 8);
    }

    #[test]
    fn no_answer_depends_on_direction() {
        assert_eq!(Outcome::no_answer(Direction::Inbound), Outcome::Missed);
        assert_eq!(Outcome::no_answer(Direction::Outbound), Outcome::Unanswered);
        assert_eq!(Outcome::no_answer(Direction::Unknown), Outcome::Unanswered);
    }
}
