//! Prometheus-style metrics at `/metrics`: check-ins, refusals by their fixed code, latency.
//! Labels are codes only, never a device id (a fleet's worth of series) or anything a phone sent.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Reason {
    pub reason: String,
}

pub struct Metrics {
    registry: Registry,
    pub checkins: Counter,
    pub refusals: Family<Reason, Counter>,
    pub latency: Histogram,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("televisit_relay");
        let checkins = Counter::default();
        let refusals = Family::<Reason, Counter>::default();
        // 1 ms to about 4 s.
        let latency = Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.001, 2.0, 13));
        registry.register("checkins", "Check-ins recorded", checkins.clone());
        registry.register("refusals", "Requests refused, by reason", refusals.clone());
        registry.register("checkin_seconds", "Time to answer a check-in", latency.clone());
        Metrics { registry, checkins, refusals, latency }
    }

    pub fn refused(&self, code: &str) {
        self.refusals.get_or_create(&Reason { reason: code.to_owned() }).inc();
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
