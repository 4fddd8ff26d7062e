//! Per-address limits on uploads: a token bucket per IP, refilled continuously, so that one
//! address cannot flood the gateway with PDF rendering.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

pub(crate) struct Limiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl Limiter {
    pub(crate) fn new(per_minute: u32) -> Limiter {
        Limiter {
            per_minute,
            buckets: Mutex::default(),
        }
    }

    /// Whether `ip` may start one more upload now; `Err(seconds)` until it may.
    pub(crate) fn allow(&self, ip: IpAddr) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let rate = capacity / 60.0;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            // Addresses that have refilled completely carry no state worth keeping.
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < capacity
            });
        }
        let (tokens, at) = buckets.entry(ip).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate).ceil() as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_allows_a_burst_then_refuses() {
        let l = Limiter::new(3);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(l.allow(ip).is_ok());
        assert!(l.allow(ip).is_ok());
        assert!(l.allow(ip).is_ok());
        let wait = l.allow(ip).unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert!(l.allow("192.0.2.2".parse().unwrap()).is_ok(), "per address");
        assert!(Limiter::new(0).allow(ip).is_ok());
    }
}
