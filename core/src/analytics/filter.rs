//! Filters, sort and pages of SPEC 4.7.
//!
//! Every filter field is optional; set fields must all match. List fields (`direction`,
//! `outcome`, ...) match when the record's value is any of the listed ones and accept a single
//! value in JSON too (`"direction": "inbound"`). Text comparisons ignore ASCII case except
//! `agent` ids, which compare exactly.

use crate::{CallRecord, Direction, EndedReasonCategory, Error, Outcome, Provider};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use std::cmp::Ordering;
use std::str::FromStr;

/// The largest page `limit` (a larger one is lowered to it).
pub const MAX_PAGE_LIMIT: usize = 1000;

/// Record filters (SPEC 4.7). JSON field names are camelCase; `{}` matches every record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CallFilter {
    /// Any of these directions.
    #[serde(
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub direction: Vec<Direction>,
    /// Any of these outcomes.
    #[serde(
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub outcome: Vec<Outcome>,
    /// Any of these raw status words (ASCII case ignored).
    #[serde(
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub raw_status: Vec<String>,
    /// Any of these providers.
    #[serde(
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub provider: Vec<Provider>,
    /// Exactly this tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The agent's email (case ignored) or id (exact).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The assistant's name (case ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assistant: Option<String>,
    /// The queue (case ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// The business number: the same digits (`+1 (555) 000-1` matches `+15550001`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_number: Option<String>,
    /// The customer number contains these digits (other characters of the search are ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_number_search: Option<String>,
    /// The customer name contains this text (case ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_name_search: Option<String>,
    /// Started at or after this instant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    /// Started before this instant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
    /// `duration_s >= this` (calls without a duration fail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_duration_s: Option<f64>,
    /// `duration_s <= this` (calls without a duration fail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_duration_s: Option<f64>,
    /// Has (true) or lacks (false) a recording URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_recording: Option<bool>,
    /// Has (true) or lacks (false) transcript turns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_transcript: Option<bool>,
    /// Carries at least one of these tags (case ignored).
    #[serde(
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags_any: Vec<String>,
    /// Carries every one of these tags (case ignored).
    #[serde(
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags_all: Vec<String>,
    /// Any of these ended-reason categories (calls without a reason fail).
    #[serde(
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ended_reason_category: Vec<EndedReasonCategory>,
}

fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        Many(Vec<T>),
        One(T),
    }
    Ok(match Option::<OneOrMany<T>>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::Many(v)) => v,
        Some(OneOrMany::One(x)) => vec![x],
    })
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn same_text(a: Option<&str>, want: &str) -> bool {
    a.is_some_and(|a| a.trim().eq_ignore_ascii_case(want.trim()))
}

fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

impl CallFilter {
    /// Check the numeric filters.
    pub fn validate(&self) -> crate::Result<()> {
        for (option, value) in [
            ("minDurationS", self.min_duration_s),
            ("maxDurationS", self.max_duration_s),
        ] {
            if value.is_some_and(|v| !v.is_finite()) {
                return Err(Error::InvalidOption {
                    option: option.into(),
                    reason: "must be a finite number".into(),
                });
            }
        }
        Ok(())
    }

    /// Whether a record passes every set filter.
    pub fn matches(&self, r: &CallRecord) -> bool {
        let any_of = |list: &[String], value: Option<&str>| {
            list.is_empty() || list.iter().any(|w| same_text(value, w))
        };
        (self.direction.is_empty() || self.direction.contains(&r.direction))
            && (self.outcome.is_empty() || self.outcome.contains(&r.outcome))
            && any_of(&self.raw_status, r.raw_status.as_deref())
            && (self.provider.is_empty() || self.provider.contains(&r.provider))
            && self
                .tenant
                .as_deref()
                .is_none_or(|t| r.tenant.as_deref() == Some(t))
            && self.agent.as_deref().is_none_or(|want| {
                r.agent.as_ref().is_some_and(|a| {
                    same_text(a.email.as_deref(), want) || a.id.as_deref() == Some(want.trim())
                })
            })
            && self
                .assistant
                .as_deref()
                .is_none_or(|w| same_text(r.assistant.as_deref(), w))
            && self
                .queue
                .as_deref()
                .is_none_or(|w| same_text(r.queue.as_deref(), w))
            && self.business_number.as_deref().is_none_or(|want| {
                r.business_number.as_deref().is_some_and(|have| {
                    let (a, b) = (digits(have), digits(want));
                    if b.is_empty() {
                        same_text(Some(have), want)
                    } else {
                        a == b
                    }
                })
            })
            && self.customer_number_search.as_deref().is_none_or(|search| {
                let needle = digits(search);
                needle.is_empty()
                    || r.customer_number
                        .as_deref()
                        .is_some_and(|n| digits(n).contains(&needle))
            })
            && self.customer_name_search.as_deref().is_none_or(|search| {
                r.customer_name
                    .as_deref()
                    .is_some_and(|n| contains_ignoring_case(n, search.trim()))
            })
            && self.from.is_none_or(|from| r.started_at >= from)
            && self.to.is_none_or(|to| r.started_at < to)
            && self
                .min_duration_s
                .is_none_or(|min| r.duration_s.is_some_and(|d| d >= min))
            && self
                .max_duration_s
                .is_none_or(|max| r.duration_s.is_some_and(|d| d <= max))
            && self.has_recording.is_none_or(|want| {
                r.recording_url
                    .as_deref()
                    .is_some_and(|u| !u.trim().is_empty())
                    == want
            })
            && self
                .has_transcript
                .is_none_or(|want| r.transcript.is_empty() != want)
            && (self.tags_any.is_empty()
                || self
                    .tags_any
                    .iter()
                    .any(|t| r.tags.iter().any(|have| have.eq_ignore_ascii_case(t))))
            && self
                .tags_all
                .iter()
                .all(|t| r.tags.iter().any(|have| have.eq_ignore_ascii_case(t)))
            && (self.ended_reason_category.is_empty()
                || r.ended_reason
                    .as_ref()
                    .is_some_and(|e| self.ended_reason_category.contains(&e.category)))
    }
}

/// What a list sorts by: `started_at`, the duration, or another numeric field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SortField {
    /// `started_at` (the default).
    #[default]
    StartedAt,
    /// `answered_at`.
    AnsweredAt,
    /// `ended_at`.
    EndedAt,
    /// `duration_s` (also accepted as `duration`).
    #[serde(alias = "duration")]
    DurationS,
    /// `talk_s`.
    TalkS,
    /// `wait_s`.
    WaitS,
    /// `wrap_up_s`.
    WrapUpS,
    /// `cost`.
    Cost,
    /// `quality.mos`.
    Mos,
    /// `quality.jitter_ms`.
    JitterMs,
    /// `quality.packet_loss`.
    PacketLoss,
    /// `quality.rtt_ms`.
    RttMs,
    /// Number of transfers.
    Transfers,
}

impl SortField {
    /// The sort value of a record; `None` sorts last in both orders.
    fn value(self, r: &CallRecord) -> Option<f64> {
        let instant = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp_micros() as f64);
        let q = r.quality.as_ref();
        match self {
            SortField::StartedAt => instant(Some(r.started_at)),
            SortField::AnsweredAt => instant(r.answered_at),
            SortField::EndedAt => instant(r.ended_at),
            SortField::DurationS => r.duration_s,
            SortField::TalkS => r.talk_s,
            SortField::WaitS => r.wait_s,
            SortField::WrapUpS => r.wrap_up_s,
            SortField::Cost => r.cost,
            SortField::Mos => q.and_then(|q| q.mos),
            SortField::JitterMs => q.and_then(|q| q.jitter_ms),
            SortField::PacketLoss => q.and_then(|q| q.packet_loss),
            SortField::RttMs => q.and_then(|q| q.rtt_ms),
            SortField::Transfers => Some(r.transfers.len() as f64),
        }
        .filter(|v| !v.is_nan())
    }
}

impl FromStr for SortField {
    type Err = Error;

    /// The camelCase or snake_case name (`startedAt`, `started_at`, `duration`, `talkS`, ...).
    fn from_str(s: &str) -> crate::Result<Self> {
        let camel: String = {
            let mut out = String::new();
            let mut upper = false;
            for c in s.trim().chars() {
                if c == '_' {
                    upper = true;
                } else if upper {
                    out.extend(c.to_uppercase());
                    upper = false;
                } else {
                    out.push(c);
                }
            }
            out
        };
        serde_json::from_value(serde_json::Value::String(camel)).map_err(|_| Error::InvalidOption {
            option: "sort".into(),
            reason: format!("unknown sort field {s:?}"),
        })
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Smallest first.
    Asc,
    /// Largest / newest first (the default).
    #[default]
    Desc,
}

/// A filtered, sorted, paged list request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListQuery {
    /// Which records.
    pub filter: CallFilter,
    /// Sort key (default `startedAt`).
    pub sort: SortField,
    /// Sort direction (default `desc`, newest first).
    pub order: SortOrder,
    /// 1-based page (0 is read as 1).
    pub page: usize,
    /// Items per page, 1 to [`MAX_PAGE_LIMIT`] (default 50; out-of-range values are clamped).
    pub limit: usize,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            filter: CallFilter::default(),
            sort: SortField::StartedAt,
            order: SortOrder::Desc,
            page: 1,
            limit: 50,
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// Page position: `{currentPage, totalPages, totalCount, perPage, hasNext, hasPrev}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// 1-based page number.
    pub current_page: usize,
    /// ceil(totalCount / perPage); 0 when nothing matched.
    pub total_pages: usize,
    /// Records matching the filter.
    pub total_count: usize,
    /// The limit used.
    pub per_page: usize,
    /// A later page exists.
    pub has_next: bool,
    /// An earlier page exists.
    pub has_prev: bool,
}

/// Filter, sort and page records. Records without the sort value come last in either order;
/// ties keep a stable order by `id`. A page past the end is empty.
pub fn list_calls<'a>(records: &'a [CallRecord], query: &ListQuery) -> Page<&'a CallRecord> {
    let mut matched: Vec<&CallRecord> =
        records.iter().filter(|r| query.filter.matches(r)).collect();
    let field = query.sort;
    matched.sort_by(|a, b| {
        let by_value = match (field.value(a), field.value(b)) {
            (Some(x), Some(y)) => {
                let o = x.total_cmp(&y);
                if query.order == SortOrder::Desc {
                    o.reverse()
                } else {
                    o
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        by_value.then_with(|| a.id.cmp(&b.id))
    });
    let per_page = query.limit.clamp(1, MAX_PAGE_LIMIT);
    let current_page = query.page.max(1);
    let total_count = matched.len();
    let total_pages = total_count.div_ceil(per_page);
    let items = matched
        .into_iter()
        .skip((current_page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    Page {
        items,
        pagination: Pagination {
            current_page,
            total_pages,
            total_count,
            per_page,
            has_next: current_page < total_pages,
            has_prev: current_page > 1,
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::analytics::testing::{at, call, finished};
    use crate::{Agent, EndedReason, Quality, TranscriptTurn};

    fn records() -> Vec<CallRecord> {
        use Direction::*;
        use Outcome::*;
        let mut a = finished("a", Inbound, Answered, "2024-01-01T10:00:00Z", 120.0);
        a.agent = Some(Agent {
            id: Some("7".into()),
            email: Some("ann@x.co".into()),
            name: None,
        });
        a.customer_number = Some("+15551234567".into());
        a.customer_name = Some("María López".into());
        a.business_number = Some("+15550001".into());
        a.tags = vec!["VIP".into(), "renewal".into()];
        a.recording_url = Some("https://r/a.mp3".into());
        a.raw_status = Some("completed".into());
        a.tenant = Some("T1".into());
        a.queue = Some("Sales".into());
        a.cost = Some(0.5);
        a.quality = Some(Quality {
            mos: Some(4.2),
            ..Default::default()
        });
        let mut b = finished("b", Outbound, Unanswered, "2024-01-01T11:00:00Z", 30.0);
        b.customer_number = Some("+44 20 7946 0000".into());
        b.tags = vec!["renewal".into()];
        b.transcript = vec![TranscriptTurn {
            speaker: "bot".into(),
            start_s: None,
            end_s: None,
            text: "hi".into(),
            confidence: None,
            language: None,
        }];
        b.ended_reason = Some(EndedReason {
            category: EndedReasonCategory::NoAnswer,
            raw: "no-answer".into(),
        });
        b.provider = Provider::Twilio;
        b.assistant = Some("Riley".into());
        let c = call("c", Inbound, Active, "2024-01-01T12:00:00Z");
        vec![a, b, c]
    }

    fn ids(filter: CallFilter) -> Vec<String> {
        let rs = records();
        let q = ListQuery {
            filter,
            order: SortOrder::Asc,
            ..Default::default()
        };
        list_calls(&rs, &q)
            .items
            .iter()
            .map(|r| r.provider_call_id.clone())
            .collect()
    }

    #[test]
    fn every_filter() {
        let f = CallFilter::default;
        assert_eq!(ids(f()), ["a", "b", "c"]);
        assert_eq!(
            ids(CallFilter {
                direction: vec![Direction::Inbound],
                ..f()
            }),
            ["a", "c"]
        );
        assert_eq!(
            ids(CallFilter {
                outcome: vec![Outcome::Active, Outcome::Unanswered],
                ..f()
            }),
            ["b", "c"]
        );
        assert_eq!(
            ids(CallFilter {
                raw_status: vec!["COMPLETED".into()],
                ..f()
            }),
            ["a"]
        );
        assert_eq!(
            ids(CallFilter {
                provider: vec![Provider::Twilio],
                ..f()
            }),
            ["b"]
        );
        assert_eq!(
            ids(CallFilter {
                tenant: Some("T1".into()),
                ..f()
            }),
            ["a"]
        );
        assert_eq!(
            ids(CallFilter {
                agent: Some("ANN@x.co".into()),
                ..f()
            }),
            ["a"]
        );
        assert_eq!(
            ids(CallFilter {
                agent: Some("7".into()),
                ..f()
            }),
            ["a"]
        );
        assert!(
            ids(CallFilter {
                agent: Some("8".into()),
                ..f()
            })
            .is_empty()
        );
        assert_eq!(
            ids(CallFilter {
                assistant: Some("riley".into()),
                ..f()
            }),
            ["b"]
        );
        assert_eq!(
            ids(CallFilter {
                queue: Some("sales".into()),
                ..f()
            }),
            ["a"]
        );
        assert_eq!(
            ids(CallFilter {
                business_number: Some("+1 (555) 000-1".into()),
                ..f()
            }),
            ["a"]
        );
        assert_eq!(
            ids(CallFilter {
                customer_number_search: Some("555-123".into()),
                ..f()
            }),
            ["a"]
        );
        assert_eq!(
            ids(CallFilter {
                customer_number_search: Some("7946".into()),
                ..f()
            }),
            ["b"]
        );
        assert_eq!(
            ids(CallFilter {
                customer_name_search: Some("lópez".into()),
                ..f()
            }),
            ["a"]
        );
        assert_eq!(
            ids(CallFilter {
                from: Some(at("2024-01-01T11:00:00Z")),
                ..f()
            }),
            ["b", "c"]
        );
        assert_eq!(
            ids(CallFilter {
                to: Some(at("2024-01-01T11:00:00Z")),
                ..f()
            }),
            ["a"]
        );
        assert_eq!(
            ids(CallFilter {
                min_duration_s: Some(30.0),
                ..f()
            }),
            ["a", "b"]
        );
        assert_eq!(
            ids(CallFilter {
                max_duration_s: Some(30.0),
                ..f()
            }),
            ["b"]
        );
        assert_eq!(
            ids(CallFilter {
                has_recording: Some(true),
                ..f()
            }),
            ["a"]
        );
        assert_eq!(
            ids(CallFilter {
                has_recording: Some(false),
                ..f()
            }),
            ["b", "c"]
        );
        assert_eq!(
            ids(CallFilter {
                has_transcript: Some(true),
                ..f()
            }),
            ["b"]
        );
        assert_eq!(
            ids(CallFilter {
                tags_any: vec!["vip".into(), "nope".into()],
                ..f()
            }),
            ["a"]
        );
        assert_eq!(
            ids(CallFilter {
                tags_all: vec!["renewal".into()],
                ..f()
            }),
            ["a", "b"]
        );
        assert_eq!(
            ids(CallFilter {
                tags_all: vec!["renewal".into(), "vip".into()],
                ..f()
            }),
            ["a"]
        );
        assert_eq!(
            ids(CallFilter {
                ended_reason_category: vec![EndedReasonCategory::NoAnswer],
                ..f()
            }),
            ["b"]
        );
    }

    #[test]
    fn filter_json_accepts_one_or_many() {
        let f: CallFilter = serde_json::from_str(
            r#"{"direction":"inbound","outcome":["answered","missed"],"hasRecording":true}"#,
        )
        .unwrap();
        assert_eq!(f.direction, vec![Direction::Inbound]);
        assert_eq!(f.outcome, vec![Outcome::Answered, Outcome::Missed]);
        assert_eq!(f.has_recording, Some(true));
        assert_eq!(serde_json::to_string(&CallFilter::default()).unwrap(), "{}");
    }

    #[test]
    fn sort_and_pages() {
        let rs = records();
        // durations a 120, b 30, c none: desc -> a, b, then c (missing values last)
        let q = ListQuery {
            sort: SortField::DurationS,
            order: SortOrder::Desc,
            ..Default::default()
        };
        let got: Vec<&str> = list_calls(&rs, &q)
            .items
            .iter()
            .map(|r| r.provider_call_id.as_str())
            .collect();
        assert_eq!(got, ["a", "b", "c"]);
        let q = ListQuery {
            sort: SortField::DurationS,
            order: SortOrder::Asc,
            ..Default::default()
        };
        let got: Vec<&str> = list_calls(&rs, &q)
            .items
            .iter()
            .map(|r| r.provider_call_id.as_str())
            .collect();
        assert_eq!(got, ["b", "a", "c"]);
        // default: started_at, newest first
        let got: Vec<&str> = list_calls(&rs, &ListQuery::default())
            .items
            .iter()
            .map(|r| r.provider_call_id.as_str())
            .collect();
        assert_eq!(got, ["c", "b", "a"]);
        // 3 records, 2 per page: page 2 holds one; totalPages = ceil(3 / 2) = 2
        let q = ListQuery {
            page: 2,
            limit: 2,
            ..Default::default()
        };
        let p = list_calls(&rs, &q);
        assert_eq!(p.items.len(), 1);
        assert_eq!(
            p.pagination,
            Pagination {
                current_page: 2,
                total_pages: 2,
                total_count: 3,
                per_page: 2,
                has_next: false,
                has_prev: true
            }
        );
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["pagination"]["totalCount"], 3);
        assert_eq!(json["pagination"]["hasPrev"], true);
        assert_eq!(json["items"][0]["providerCallId"], "a");
        // past the end: empty; limit clamps to 1000
        let p = list_calls(
            &rs,
            &ListQuery {
                page: 9,
                limit: 5000,
                ..Default::default()
            },
        );
        assert!(p.items.is_empty());
        assert_eq!(p.pagination.per_page, MAX_PAGE_LIMIT);
        assert!(!p.pagination.has_next);
        let p = list_calls(&[], &ListQuery::default());
        assert_eq!(
            (
                p.pagination.total_pages,
                p.pagination.has_next,
                p.pagination.has_prev
            ),
            (0, false, false)
        );
    }

    #[test]
    fn sort_field_names() {
        assert_eq!(
            "started_at".parse::<SortField>().unwrap(),
            SortField::StartedAt
        );
        assert_eq!(
            "duration".parse::<SortField>().unwrap(),
            SortField::DurationS
        );
        assert_eq!("talkS".parse::<SortField>().unwrap(), SortField::TalkS);
        assert_eq!("mos".parse::<SortField>().unwrap(), SortField::Mos);
        assert!("name".parse::<SortField>().is_err());
        let q: ListQuery =
            serde_json::from_str(r#"{"sort":"cost","order":"asc","page":3}"#).unwrap();
        assert_eq!(
            (q.sort, q.order, q.page, q.limit),
            (SortField::Cost, SortOrder::Asc, 3, 50)
        );
    }
}
