//! The citizen's address behind the municipality's reverse proxy or load balancer.
//!
//! The gateway speaks plain HTTP behind a proxy that holds TLS, so the TCP peer is the proxy.
//! BankID's `endUserIp` must be the citizen's own address (BankID compares it with the
//! device's, and the risk assessment uses it), and the upload limit must count citizens, not
//! the one proxy all of them come through. `X-Forwarded-For` is believed only as far as it was
//! written by proxies the municipality named: a citizen can put anything in the header, but a
//! trusted proxy appends the address it saw, so the first address from the right that is not a
//! trusted proxy is the client.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` entries are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A proxy on the gateway's own machine (nginx or HAProxy beside it), the usual setup.
    pub fn loopback() -> TrustedProxies {
        TrustedProxies(vec![
            "127.0.0.0/8".parse().expect("a network"),
            "::1/128".parse().expect("a network"),
        ])
    }

    /// `ip` as [`unmapped`] gives it.
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The address of the client that made the request that reached us from `peer`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = unmapped(peer);
        if !self.trusts(client) {
            return client;
        }
        // Several headers count as one list, in order (RFC 9110 §5.3).
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect::<Vec<_>>();
        for hop in hops.into_iter().rev() {
            // An entry that is not an address was not written by a proxy we trust: the last
            // address a trusted proxy vouched for is all that is known.
            let Some(ip) = parse_hop(hop) else {
                break;
            };
            client = unmapped(ip);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

impl std::str::FromStr for TrustedProxies {
    type Err = String;

    /// Comma-separated addresses or networks: `127.0.0.1, 10.0.0.0/8, ::1`; empty for none.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{p:?} är varken en adress eller ett nät (10.0.0.0/8)"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

/// An `X-Forwarded-For` entry: an address, or one with a port (`192.0.2.1:443`, `[::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// An IPv4 client seen through an IPv6 socket (`::ffff:192.0.2.1`) is the IPv4 address.
fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_direct_client_is_its_own_address_whatever_it_claims() {
        let p = TrustedProxies::loopback();
        let h = headers(&["198.51.100.9"]);
        assert_eq!(p.client(ip("203.0.113.5"), &h), ip("203.0.113.5"));
        assert_eq!(
            TrustedProxies::default().client(ip("127.0.0.1"), &h),
            ip("127.0.0.1"),
            "no proxy trusted: the header is ignored"
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_address_it_saw_counts() {
        let p = TrustedProxies::loopback();
        assert_eq!(
            p.client(ip("127.0.0.1"), &headers(&["203.0.113.5"])),
            ip("203.0.113.5")
        );
        assert_eq!(
            p.client(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1"),
            "a local client without a proxy"
        );
    }

    #[test]
    fn an_address_the_citizen_wrote_before_the_proxys_is_not_believed() {
        let p: TrustedProxies = "127.0.0.1, 10.0.0.0/8".parse().unwrap();
        // The client sent "X-Forwarded-For: 198.51.100.9"; the load balancer (10.0.0.2)
        // appended what it saw, and nginx on the gateway's host appended the balancer.
        let h = headers(&["198.51.100.9, 203.0.113.5", "10.0.0.2"]);
        assert_eq!(p.client(ip("127.0.0.1"), &h), ip("203.0.113.5"));
    }

    #[test]
    fn garbage_stops_at_the_last_vouched_address() {
        let p = TrustedProxies::loopback();
        let h = headers(&["203.0.113.5, unknown"]);
        assert_eq!(p.client(ip("127.0.0.1"), &h), ip("127.0.0.1"));
        let h = headers(&["[2001:db8::7]:51000"]);
        assert_eq!(p.client(ip("::1"), &h), ip("2001:db8::7"));
        let h = headers(&["::ffff:203.0.113.5"]);
        assert_eq!(p.client(ip("::ffff:127.0.0.1"), &h), ip("203.0.113.5"));
    }

    #[test]
    fn the_setting_is_read_or_refused_clearly() {
        assert!("".parse::<TrustedProxies>().unwrap().0.is_empty());
        assert_eq!(
            "10.1.2.3, fd00::/8"
                .parse::<TrustedProxies>()
                .unwrap()
                .0
                .len(),
            2
        );
        let e = "10.0.0.0/8, lastbalanseraren"
            .parse::<TrustedProxies>()
            .unwrap_err();
        assert!(e.contains("lastbalanseraren"), "{e}");
    }
}
