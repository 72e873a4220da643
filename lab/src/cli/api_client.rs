//! The HTTP client (ureq) the lab's subcommands (`connection`, `session`, `asn`, `prefix`,
//! `deprovision`, `status`) use to call a running `peerlab run`'s API: loopback only, one
//! request per connection, JSON in and out, bounded in time.

use clap::Args;
use serde_json::Value;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Where the running lab's API is.
#[derive(Args, Debug, Clone)]
pub struct ApiTarget {
    /// The lab's API (`peerlab run --api`), a loopback address.
    #[arg(long, default_value = super::run::DEFAULT_API)]
    pub api: SocketAddr,
    /// The peering's name; default: the one the lab runs.
    #[arg(long)]
    pub peering: Option<String>,
    /// Longest wait, in seconds: for the API's answer and, with --wait, for the change to
    /// take effect.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
}

/// A failed call: the API could not be reached (`status` 0) or refused the request.
#[derive(Debug, Clone)]
pub struct CallError {
    /// HTTP status, 0 when there was no answer.
    pub status: u16,
    /// What happened, with the API's error code and message when it gave one.
    pub message: String,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.status == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "HTTP {}: {}", self.status, self.message)
        }
    }
}

impl ApiTarget {
    /// One request; the answer's JSON body on 2xx.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, CallError> {
        if !self.api.ip().is_loopback() {
            return Err(CallError {
                status: 0,
                message: format!("--api {}: the lab's API is on loopback only", self.api),
            });
        }
        let limit = Duration::from_secs(self.timeout.max(1));
        let (status, text) = exchange(self.api, limit, method, path, body).map_err(|e| CallError {
            status: 0,
            message: format!(
                "cannot reach the lab's API at {}: {e} (is `peerlab run --until interrupted` running?)",
                self.api
            ),
        })?;
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if (200..300).contains(&status) {
            return Ok(json);
        }
        let message = match json.get("error") {
            Some(e) => {
                let code = e.get("code").and_then(Value::as_str).unwrap_or("Error");
                let msg = e.get("message").and_then(Value::as_str).unwrap_or("");
                match e.get("target").and_then(Value::as_str) {
                    Some(t) => format!("{code}: {msg} (field `{t}`)"),
                    None => format!("{code}: {msg}"),
                }
            }
            None => json.to_string(),
        };
        Err(CallError { status, message })
    }

    /// The peering's name: `--peering`, or the one the lab runs.
    pub fn peering(&self) -> Result<String, CallError> {
        if let Some(p) = &self.peering {
            return Ok(p.clone());
        }
        let list = self.call("GET", "/peerings", None)?;
        list.pointer("/value/0/name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| CallError {
                status: 0,
                message: "the lab's API lists no peering".to_owned(),
            })
    }

    /// Polls `GET path` until `done` holds for the answer (at most `--timeout`); the last answer.
    pub fn wait(&self, path: &str, done: impl Fn(&Value) -> bool) -> Result<Value, CallError> {
        let timeout = Duration::from_secs(self.timeout);
        let start = Instant::now();
        loop {
            let v = self.call("GET", path, None)?;
            if done(&v) {
                return Ok(v);
            }
            if start.elapsed() >= timeout {
                return Err(CallError {
                    status: 0,
                    message: format!("gave up waiting after {} s; last answer: {v}", timeout.as_secs()),
                });
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Sends one request (ureq, no TLS) and reads the whole answer: its status and body text.
fn exchange(
    addr: SocketAddr,
    limit: Duration,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<(u16, String), String> {
    let agent = ureq::AgentBuilder::new().timeout(limit).build();
    let request = agent
        .request(method, &format!("http://{addr}{path}"))
        .set("Accept", "application/json");
    let answer = match body {
        Some(b) => request.send_json(b),
        None => request.call(),
    };
    let response = match answer {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(ureq::Error::Transport(t)) => return Err(t.to_string()),
    };
    let status = response.status();
    let text = response.into_string().map_err(|e| e.to_string())?;
    Ok((status, text))
}

/// The connection `id` in a peering resource as the API returns it.
pub fn find<'a>(peering: &'a Value, id: &str) -> Option<&'a Value> {
    peering
        .pointer("/properties/direct/connections")?
        .as_array()?
        .iter()
        .find(|c| c.get("connectionIdentifier").and_then(Value::as_str) == Some(id))
}

/// Prints `v` as pretty JSON on stdout.
pub fn print_json(v: &Value) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("cannot write JSON: {e}"),
    }
}

/// The exit status of a failed call: 2 when the API could not be reached, 1 when it refused.
pub fn fail(cmd: &str, e: &CallError) -> std::process::ExitCode {
    eprintln!("peerlab {cmd}: {e}");
    std::process::ExitCode::from(if e.status == 0 {
        super::EXIT_USAGE
    } else {
        super::EXIT_FAILED_INPUT
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_loopback_api_is_refused_without_connecting() {
        let t = ApiTarget {
            api: "192.0.2.1:8180".parse().unwrap(),
            peering: None,
            timeout: 1,
        };
        let e = t.call("GET", "/peerings", None).unwrap_err();
        assert_eq!(e.status, 0);
        assert!(e.message.contains("loopback"), "{e}");
    }
}
