//! Where a PSA connection may go. Any integration's Manager chooses its site, so the site is
//! untrusted: a name that resolves to this machine, the private network Steward runs in, or a
//! cloud's metadata service (169.254.169.254) would let them reach what only Steward can. Every
//! PSA client connects through [`guarded`]: a site named by address is checked when the client is
//! built, a site named by host name each time it is resolved (so a name that changes its answer
//! after it was entered is caught too). Loopback is allowed only behind the operator's setting
//! (`STEWARD_PSA_ALLOW_LOOPBACK`), which the demo's built-in simulator and the tests turn on.
//! A refusal says the address is not one Steward connects to, never which ports answer.

use crate::psa::ConnectorError;
use app::model::PsaKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Which addresses a PSA connection may reach besides public ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reach {
    /// 127.0.0.0/8, ::1 and `localhost`: the demo's simulator and the tests' simulators.
    pub allow_loopback: bool,
}

impl Reach {
    /// Loopback allowed (the demo and the tests).
    pub const LOOPBACK: Reach = Reach {
        allow_loopback: true,
    };

    /// Whether a connection to `ip` is refused.
    pub fn refuses(self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(v4) => self.refuses_v4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => self.refuses_v4(v4),
                None => self.refuses_v6(v6),
            },
        }
    }

    fn refuses_v4(self, ip: Ipv4Addr) -> bool {
        let [a, b, ..] = ip.octets();
        if ip.is_loopback() {
            return !self.allow_loopback;
        }
        ip.is_private()
            || ip.is_link_local()
            || ip.is_unspecified()
            || ip.is_broadcast()
            || ip.is_multicast()
            || ip.is_documentation()
            // 0.0.0.0/8, carrier-grade NAT 100.64.0.0/10, 192.0.0.0/24, benchmarking
            // 198.18.0.0/15, reserved 240.0.0.0/4.
            || a == 0
            || (a == 100 && (64..128).contains(&b))
            || (a == 192 && b == 0 && ip.octets()[2] == 0)
            || (a == 198 && (b == 18 || b == 19))
            || a >= 240
    }

    fn refuses_v6(self, ip: Ipv6Addr) -> bool {
        if ip.is_loopback() {
            return !self.allow_loopback;
        }
        let first = ip.segments()[0];
        ip.is_unspecified()
            || ip.is_multicast()
            // Unique local fc00::/7, link-local fe80::/10, site-local fec0::/10.
            || (first & 0xfe00) == 0xfc00
            || (first & 0xffc0) == 0xfe80
            || (first & 0xffc0) == 0xfec0
            // IPv4-compatible ::a.b.c.d and NAT64 64:ff9b::/96 carry an IPv4 address.
            || (ip.segments()[..6] == [0; 6])
            || (first == 0x64 && ip.segments()[1] == 0xff9b)
    }

    /// Checks a site named by address (`https://10.0.0.5`, `http://[::1]:8080`) or `localhost`
    /// before anything is sent; a host name is checked when it resolves.
    pub fn check_site(self, psa: PsaKind, site: &str) -> Result<(), ConnectorError> {
        let refused = || ConnectorError::Transport {
            psa,
            endpoint: site.to_string(),
            message: self.refusal(),
        };
        let url = url::Url::parse(site).map_err(|_| refused())?;
        match url.host() {
            Some(url::Host::Ipv4(ip)) if self.refuses(IpAddr::V4(ip)) => Err(refused()),
            Some(url::Host::Ipv6(ip)) if self.refuses(IpAddr::V6(ip)) => Err(refused()),
            Some(url::Host::Domain(d))
                if !self.allow_loopback
                    && (d.eq_ignore_ascii_case("localhost")
                        || d.to_ascii_lowercase().ends_with(".localhost")) =>
            {
                Err(refused())
            }
            Some(_) => Ok(()),
            None => Err(refused()),
        }
    }

    fn refusal(self) -> String {
        if self.allow_loopback {
            "the PSA's address is in a private network, which Steward does not connect \
                to"
            .into()
        } else {
            "the PSA's address is in a private network or on this machine, which \
                Steward does not connect to (an operator may allow this machine with \
                STEWARD_PSA_ALLOW_LOOPBACK)"
                .into()
        }
    }
}

/// Resolves host names as the system does, then drops the addresses `Reach` refuses; a name
/// with nothing left is refused.
struct Guard(Reach);

impl reqwest::dns::Resolve for Guard {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let reach = self.0;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> =
                all.into_iter().filter(|a| !reach.refuses(a.ip())).collect();
            if allowed.is_empty() {
                return Err(reach.refusal().into());
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The most of one answer Steward reads: a page of 1,000 records is a few megabytes, so an
/// answer past this is not a PSA's page (a hostile or broken site), and reading on would only
/// fill memory.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// What [`text`] gives for an answer past the bound; [`bounded`] turns it into the error.
const TOO_LARGE: &str = "\u{0}steward: the answer was too large";

/// One exchange with a PSA: the answer's status, headers and body (read within the bound of
/// [`text`]), or why no answer came.
pub async fn exchange(
    req: reqwest::RequestBuilder,
) -> Result<(u16, reqwest::header::HeaderMap, String), reqwest::Error> {
    let resp = req.send().await?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    Ok((status, headers, text(resp).await?))
}

/// An answer's body as text, read a chunk at a time and never past [`MAX_ANSWER_BYTES`] (an
/// answer that says it is larger is not read at all).
pub async fn text(mut resp: reqwest::Response) -> Result<String, reqwest::Error> {
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Ok(TOO_LARGE.into());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Ok(TOO_LARGE.into());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The text [`text`] read, or the error for an answer past the bound.
pub fn bounded(psa: PsaKind, endpoint: &str, text: String) -> Result<String, ConnectorError> {
    if text == TOO_LARGE {
        return Err(ConnectorError::Malformed {
            psa,
            endpoint: endpoint.to_string(),
            message: format!(
                "the answer was larger than {} MB, far more than a page of records; it \
                    was not read",
                MAX_ANSWER_BYTES >> 20
            ),
        });
    }
    Ok(text)
}

/// A client builder whose every connection goes through the guard.
pub fn guarded(reach: Reach) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(Guard(reach)))
        // No proxy from the environment: it would resolve the site where the guard cannot see.
        .no_proxy()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_addresses_are_refused() {
        let strict = Reach::default();
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(strict.refuses(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::6810:84e5", "8.8.8.8"] {
            assert!(!strict.refuses(ip.parse().unwrap()), "{ip}");
        }
        assert!(!Reach::LOOPBACK.refuses("127.0.0.1".parse().unwrap()));
        assert!(!Reach::LOOPBACK.refuses("::1".parse().unwrap()));
        assert!(Reach::LOOPBACK.refuses("10.0.0.1".parse().unwrap()));
    }

    #[test]
    fn sites_named_by_address_are_checked_before_anything_is_sent() {
        let psa = PsaKind::ConnectwiseManage;
        let strict = Reach::default();
        for site in [
            "http://127.0.0.1:9000",
            "https://[::1]",
            "https://10.0.0.5",
            "https://localhost",
            "https://api.localhost",
            "https://169.254.169.254",
        ] {
            let err = strict.check_site(psa, site).unwrap_err();
            assert!(err.to_string().contains("private network"), "{site}: {err}");
            assert!(!err.to_string().contains("port"), "{err}");
        }
        assert!(strict
            .check_site(psa, "https://na.myconnectwise.net")
            .is_ok());
        assert!(Reach::LOOPBACK
            .check_site(psa, "http://127.0.0.1:9000")
            .is_ok());
        assert!(Reach::LOOPBACK.check_site(psa, "https://10.0.0.5").is_err());
    }

    /// A host name is checked when it resolves: `localhost` is in every machine's hosts file.
    #[tokio::test]
    async fn a_name_that_resolves_to_this_machine_is_refused_when_it_resolves() {
        use reqwest::dns::{Name, Resolve};
        use std::str::FromStr;
        let refused = Guard(Reach::default())
            .resolve(Name::from_str("localhost").unwrap())
            .await
            .err()
            .expect("refused");
        assert!(refused.to_string().contains("on this machine"), "{refused}");
        let Ok(allowed) = Guard(Reach::LOOPBACK)
            .resolve(Name::from_str("localhost").unwrap())
            .await
        else {
            panic!("localhost is allowed with loopback");
        };
        assert!(allowed.into_iter().all(|a| a.ip().is_loopback()));
    }
}
