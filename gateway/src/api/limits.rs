//! Rate limits: uploads and signing orders per address, status polls per submission, failed
//! case-API logins per address.
//!
//! A limit is a generic cell rate algorithm (GCRA): each key keeps one time, the "theoretical
//! arrival time" of its next request; a request is allowed while that time is no further ahead
//! than the burst, and pushes it one interval on. The truth is in the store, so the limits hold
//! across instances behind a load balancer; each instance first applies the same limit in its
//! own memory, so a flood is refused without a write to the store.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use crate::store::{Store, StoreError};

/// One limit: `per_minute` requests a minute for each key, `burst` of them at once.
pub(crate) struct Limit {
    name: &'static str,
    interval_ms: i64,
    tolerance_ms: i64,
    local: Mutex<HashMap<String, i64>>,
}

/// Whether a request fits under a key's `tat` (theoretical arrival time, ms) at `now`: the new
/// time, or how many ms until it would fit.
fn gcra(tat: i64, now: i64, cost: i64, tolerance: i64) -> Result<i64, i64> {
    let tat = tat.max(now);
    if tat - now > tolerance {
        Err(tat - now - tolerance)
    } else {
        Ok(tat + cost)
    }
}

/// Whole seconds to wait, at least one (for `Retry-After`).
fn seconds(ms: i64) -> u64 {
    (ms.max(1) as u64).div_ceil(1000)
}

impl Limit {
    /// `None` when `per_minute` is 0 (no limit).
    pub(crate) fn new(name: &'static str, per_minute: u32, burst: u32) -> Option<Limit> {
        if per_minute == 0 {
            return None;
        }
        let interval_ms = 60_000 / i64::from(per_minute);
        Some(Limit {
            name,
            interval_ms,
            tolerance_ms: interval_ms * i64::from(burst.max(1) - 1),
            local: Mutex::default(),
        })
    }

    /// Takes one request for `key`; `Ok(Err(seconds))` to wait when the limit is reached.
    pub(crate) async fn take(
        &self,
        store: &dyn Store,
        key: &str,
    ) -> Result<Result<(), u64>, StoreError> {
        self.charge(store, key, self.interval_ms).await
    }

    /// Whether `key` is within its limit now, without using any of it.
    pub(crate) async fn check(
        &self,
        store: &dyn Store,
        key: &str,
    ) -> Result<Result<(), u64>, StoreError> {
        self.charge(store, key, 0).await
    }

    async fn charge(
        &self,
        store: &dyn Store,
        key: &str,
        cost: i64,
    ) -> Result<Result<(), u64>, StoreError> {
        let now = chrono::Utc::now().timestamp_millis();
        if let Err(wait) = self.local(key, now, cost) {
            return Ok(Err(seconds(wait)));
        }
        let key = format!("{}:{key}", self.name);
        Ok(store
            .take_limit(&key, now, cost, self.tolerance_ms)
            .await?
            .map_err(seconds))
    }

    fn local(&self, key: &str, now: i64, cost: i64) -> Result<(), i64> {
        let mut tats = self.local.lock().unwrap_or_else(|e| e.into_inner());
        if tats.len() > 100_000 {
            // Keys whose time has passed are as good as new.
            tats.retain(|_, tat| *tat > now);
        }
        let tat = tats.get(key).copied().unwrap_or(now);
        let next = gcra(tat, now, cost, self.tolerance_ms)?;
        tats.insert(key.to_string(), next);
        Ok(())
    }
}

/// What a limit per client counts: an IPv4 address, or an IPv6 client's /64 (one household's
/// or one phone's network, where each device picks addresses at will).
pub(crate) fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_rate() {
        // 6 a minute, 3 at once: three now, then one every 10 s.
        let (cost, tolerance) = (10_000, 20_000);
        let mut tat = 0;
        for _ in 0..3 {
            tat = gcra(tat, 0, cost, tolerance).unwrap();
        }
        assert_eq!(gcra(tat, 0, cost, tolerance), Err(10_000));
        assert!(gcra(tat, 10_000, cost, tolerance).is_ok());
        assert!(
            gcra(tat, 0, 0, tolerance).is_err(),
            "a check sees the limit too"
        );
    }

    #[test]
    fn an_ipv6_network_counts_as_one_client() {
        let a = client_key("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = client_key("2001:db8:1:2:ffff:1:2:3".parse().unwrap());
        let c = client_key("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(client_key("192.0.2.1".parse().unwrap()), "192.0.2.1");
    }
}
