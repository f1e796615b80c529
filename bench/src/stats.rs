//! The few numbers a figure needs: a median of timed runs, a ratio to its baseline, and whether
//! the target holds. No thresholds are asserted anywhere: a missed target is reported, not failed.

use serde::Serialize;
use std::time::{Duration, Instant};

/// The median of the samples (the mean of the middle two for an even count); NaN when empty.
pub fn median(samples: &[f64]) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

/// Runs `f` `warmup` times untimed, then `runs` times, and returns each run's milliseconds.
pub fn time_runs(warmup: usize, runs: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<Vec<f64>> {
    for _ in 0..warmup {
        f()?;
    }
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        f()?;
        samples.push(ms(start.elapsed()));
    }
    Ok(samples)
}

/// As `time_runs`, but what `f` returns is dropped after the clock stops (an open store: its
/// closing is not part of opening it).
pub fn time_runs_keep<T>(
    warmup: usize,
    runs: usize,
    mut f: impl FnMut() -> anyhow::Result<T>,
) -> anyhow::Result<Vec<f64>> {
    for _ in 0..warmup {
        drop(f()?);
    }
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let kept = f()?;
        samples.push(ms(start.elapsed()));
        drop(kept);
    }
    Ok(samples)
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Items per second from a count and milliseconds.
pub fn per_second(count: u64, millis: f64) -> f64 {
    count as f64 / (millis / 1000.0)
}

/// What a target bounds: the figure itself, or its ratio to the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    MeasuredAtMost(f64),
    MeasuredAtLeast(f64),
    RatioAtMost(f64),
    RatioAtLeast(f64),
}

impl Bound {
    pub fn holds(self, measured: f64, ratio: Option<f64>) -> bool {
        match self {
            Bound::MeasuredAtMost(b) => measured <= b,
            Bound::MeasuredAtLeast(b) => measured >= b,
            Bound::RatioAtMost(b) => ratio.is_some_and(|r| r <= b),
            Bound::RatioAtLeast(b) => ratio.is_some_and(|r| r >= b),
        }
    }
}

/// One row of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub id: &'static str,
    pub figure: String,
    pub measured: f64,
    pub unit: &'static str,
    pub measured_text: String,
    pub baseline_label: String,
    pub baseline: Option<f64>,
    pub baseline_text: String,
    /// Always "how many times the baseline"; `ratio_text` says which way is better.
    pub ratio: Option<f64>,
    pub ratio_text: String,
    pub target_text: String,
    pub bounds: Vec<Bound>,
    /// None when the figure has no target.
    pub met: Option<bool>,
    pub runs: usize,
    pub samples: Vec<f64>,
    pub detail: serde_json::Value,
}

impl Figure {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: &'static str,
        figure: impl Into<String>,
        measured: f64,
        unit: &'static str,
        baseline_label: impl Into<String>,
        baseline: Option<f64>,
        ratio: Option<f64>,
        ratio_suffix: &str,
    ) -> Figure {
        Figure {
            id,
            figure: figure.into(),
            measured,
            unit,
            measured_text: quantity(measured, unit),
            baseline_label: baseline_label.into(),
            baseline,
            baseline_text: baseline.map_or_else(|| "—".to_owned(), |b| quantity(b, unit)),
            ratio,
            ratio_text: ratio.map_or_else(|| "—".to_owned(), |r| format!("{} {ratio_suffix}", times(r))),
            target_text: "—".to_owned(),
            bounds: Vec::new(),
            met: None,
            runs: 0,
            samples: Vec::new(),
            detail: serde_json::Value::Null,
        }
    }

    pub fn target(mut self, text: &str, bounds: &[Bound]) -> Figure {
        self.target_text = text.to_owned();
        self.bounds = bounds.to_vec();
        self.met =
            if bounds.is_empty() { None } else { Some(bounds.iter().all(|b| b.holds(self.measured, self.ratio))) };
        self
    }

    pub fn samples(mut self, samples: &[f64]) -> Figure {
        self.runs = samples.len();
        self.samples = samples.to_vec();
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Figure {
        self.detail = detail;
        self
    }
}

/// A value with its unit, at a precision that suits it.
pub fn quantity(value: f64, unit: &str) -> String {
    match unit {
        "entries/s" | "contacts/s" | "check-ins/s" => format!("{}/s", thousands(value.round() as u64)),
        "MB" => format!("{value:.2} MB"),
        _ if value >= 100.0 => format!("{value:.0} {unit}"),
        _ if value >= 10.0 => format!("{value:.1} {unit}"),
        _ => format!("{value:.2} {unit}"),
    }
}

pub fn times(ratio: f64) -> String {
    if ratio >= 100.0 {
        format!("{ratio:.0}×")
    } else if ratio >= 10.0 {
        format!("{ratio:.1}×")
    } else {
        format!("{ratio:.2}×")
    }
}

pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_unsorted_samples() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[7.0]), 7.0);
        assert!(median(&[]).is_nan());
        // One outlier does not move it.
        assert_eq!(median(&[1.0, 1.1, 1.2, 1.3, 500.0]), 1.2);
    }

    #[test]
    fn rates_and_formatting() {
        assert_eq!(per_second(1000, 500.0), 2000.0);
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(quantity(1_500_000.4, "entries/s"), "1,500,000/s");
        assert_eq!(quantity(2.345, "ms"), "2.35 ms");
        assert_eq!(quantity(245.6, "ms"), "246 ms");
        assert_eq!(times(151.2), "151×");
        assert_eq!(times(1.234), "1.23×");
    }

    #[test]
    fn targets_on_the_figure_and_on_the_ratio() {
        // Open to ready: at most 5 ms and at least 100 times faster than the passphrase.
        let open = |measured: f64, baseline: f64| {
            Figure::new(
                "open",
                "open",
                measured,
                "ms",
                "passphrase",
                Some(baseline),
                Some(baseline / measured),
                "faster",
            )
            .target("≤ 5 ms, ≥ 100×", &[Bound::MeasuredAtMost(5.0), Bound::RatioAtLeast(100.0)])
        };
        assert_eq!(open(2.0, 300.0).met, Some(true));
        assert_eq!(open(6.0, 3000.0).met, Some(false), "too slow, however fast the baseline");
        assert_eq!(open(2.0, 100.0).met, Some(false), "fast, but only 50 times the baseline");
        let overhead = Figure::new("append", "append", 1000.0, "entries/s", "plain", Some(1250.0), Some(1.25), "plain")
            .target("≤ 1.3×", &[Bound::RatioAtMost(1.3)]);
        assert_eq!(overhead.met, Some(true));
        let no_target = Figure::new("done", "done", 1.0, "ms", "", None, None, "");
        assert_eq!(no_target.met, None);
        assert_eq!(no_target.ratio_text, "—");
        assert!(!Bound::RatioAtMost(2.0).holds(1.0, None), "no ratio, no pass");
    }
}
