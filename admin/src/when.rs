//! Times as IT's tool writes them: UTC, to the second, the same in every list and report.

/// Unix seconds as `2026-12-07T09:00:00Z`; empty for a time outside what chrono can show.
pub fn time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}
