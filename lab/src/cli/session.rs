//! `peerlab session add CONN --ipv4 PREFIX | --ipv6 PREFIX`: add the IPv4 or IPv6 session an
//! Active connection lacks (PATCH .../connections/{id}/bgpSession); the session shows
//! `PendingAdd`, then its FSM states up to `Established`. `peerlab session update` changes
//! one ([`super::session_update`]).

use super::api_client::{fail, find, print_json, ApiTarget};
use clap::{Args, Subcommand};
use ipnet::IpNet;
use serde_json::{json, Value};
use std::net::IpAddr;
use std::process::ExitCode;

/// Arguments of `peerlab session`.
#[derive(Args, Debug)]
pub struct SessionArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: SessionAction,
}

/// `peerlab session` actions.
#[derive(Subcommand, Debug)]
pub enum SessionAction {
    /// Add a session to an Active connection.
    Add(SessionAddArgs),
    /// Change a session of an Active connection: its max-prefix limit, the TCP-MD5 key.
    Update(super::session_update::SessionUpdateArgs),
}

/// Arguments of `peerlab session add`.
#[derive(Args, Debug)]
pub struct SessionAddArgs {
    /// The connectionIdentifier.
    pub connection: String,
    /// The IPv4 session prefix (/31: Microsoft the first address, the peer the second).
    #[arg(long, conflicts_with = "ipv6", required_unless_present = "ipv6")]
    pub ipv4: Option<IpNet>,
    /// The IPv6 session prefix (/127: Microsoft the first address, the peer the second).
    #[arg(long)]
    pub ipv6: Option<IpNet>,
    /// Wait until the session is Established.
    #[arg(long)]
    pub wait: bool,
    /// The lab's API.
    #[command(flatten)]
    pub target: ApiTarget,
}

/// Microsoft's and the peer's addresses in a session prefix: a /31 or /127 gives its two
/// addresses, a /30 or /126 its first two hosts.
pub fn session_ends(net: IpNet, v4: bool) -> Result<(IpAddr, IpAddr), String> {
    let (short, long) = if v4 { (30, 31) } else { (126, 127) };
    if net.addr().is_ipv4() != v4 {
        return Err(format!(
            "{net}: an {} prefix is needed",
            if v4 { "IPv4" } else { "IPv6" }
        ));
    }
    let hosts: Vec<IpAddr> = net.hosts().filter(|h| *h != net.network()).take(4).collect();
    if net.prefix_len() == long {
        let all: Vec<IpAddr> = match net {
            IpNet::V4(n) => vec![IpAddr::V4(n.network()), IpAddr::V4(n.broadcast())],
            IpNet::V6(n) => vec![IpAddr::V6(n.network()), IpAddr::V6(n.broadcast())],
        };
        return Ok((all[0], all[1]));
    }
    if net.prefix_len() == short && hosts.len() >= 2 {
        return Ok((hosts[0], hosts[1]));
    }
    Err(format!("{net}: a session prefix is a /{long} or a /{short}"))
}

/// Runs `peerlab session`.
pub fn run(args: &SessionArgs) -> ExitCode {
    let a = match &args.action {
        SessionAction::Add(a) => a,
        SessionAction::Update(u) => return super::session_update::run(u),
    };
    let (net, v4) = match (a.ipv4, a.ipv6) {
        (Some(n), _) => (n, true),
        (_, Some(n)) => (n, false),
        _ => {
            eprintln!("peerlab session add: give --ipv4 or --ipv6");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    let (ms, peer) = match session_ends(net, v4) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("peerlab session add: {e}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    let (fam, key) = if v4 { ("IPv4", "V4") } else { ("IPv6", "V6") };
    let body = json!({
        format!("sessionPrefix{key}"): net.to_string(),
        format!("microsoftSession{fam}Address"): ms.to_string(),
        format!("peerSession{fam}Address"): peer.to_string(),
    });
    let id = &a.connection;
    let result = a.target.peering().and_then(|p| {
        let v = a.target.call(
            "PATCH",
            &format!("/peerings/{p}/connections/{id}/bgpSession"),
            Some(&body),
        )?;
        if !a.wait {
            return Ok(v);
        }
        let field = format!("sessionState{key}");
        let peering = a.target.wait(&format!("/peerings/{p}"), |v| {
            find(v, id)
                .and_then(|c| c.pointer(&format!("/bgpSession/{field}")))
                .and_then(Value::as_str)
                == Some("Established")
        })?;
        Ok(find(&peering, id).cloned().unwrap_or(Value::Null))
    });
    match result {
        Ok(v) => {
            print_json(&v);
            ExitCode::SUCCESS
        }
        Err(e) => fail("session add", &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_31_gives_both_addresses_and_a_30_its_two_hosts() {
        let (ms, peer) = session_ends("185.1.76.4/31".parse().unwrap(), true).unwrap();
        assert_eq!(
            (ms.to_string(), peer.to_string()),
            ("185.1.76.4".into(), "185.1.76.5".into())
        );
        let (ms, peer) = session_ends("10.0.0.0/30".parse().unwrap(), true).unwrap();
        assert_eq!(
            (ms.to_string(), peer.to_string()),
            ("10.0.0.1".into(), "10.0.0.2".into())
        );
        let (ms, peer) = session_ends("2001:7f8:ab::4/127".parse().unwrap(), false).unwrap();
        assert_eq!(
            (ms.to_string(), peer.to_string()),
            ("2001:7f8:ab::4".into(), "2001:7f8:ab::5".into())
        );
        assert!(session_ends("10.0.0.0/24".parse().unwrap(), true).is_err());
        assert!(session_ends("10.0.0.0/31".parse().unwrap(), false).is_err());
    }
}
