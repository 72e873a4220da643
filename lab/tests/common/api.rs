//! HTTP/1.1 on loopback for the API tests, written by hand so the tests see exactly what a
//! server answers (status, content type, body), including to requests no client library
//! would send.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// What a server answered.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Reply {
    /// The body as JSON (panics, showing the answer, when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    /// Whether this is an error answer in the APIs' shape: JSON `{"error": {"code",
    /// "message"}}` with both strings, and `application/json`.
    pub fn is_json_error(&self) -> bool {
        let v: serde_json::Value = serde_json::from_str(&self.body).unwrap_or_default();
        self.content_type.starts_with("application/json")
            && v["error"]["code"].is_string()
            && v["error"]["message"].is_string()
    }
}

/// One request on its own connection (`Connection: close`) to `addr` (`127.0.0.1:PORT`).
pub fn request(addr: &str, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> std::io::Result<Reply> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes())?;
    s.write_all(body.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text.as_str(), ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let content_type = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-type").then(|| v.trim().to_owned())
        })
        .unwrap_or_default();
    Ok(Reply {
        status,
        content_type,
        body: body.to_owned(),
    })
}

/// One request without a body to `127.0.0.1:port`; (status, body).
pub fn http(port: u16, method: &str, path: &str) -> std::io::Result<(u16, String)> {
    let r = request(&format!("127.0.0.1:{port}"), method, path, &[], "")?;
    Ok((r.status, r.body))
}

/// `body` as JSON (panics, showing it, when it is not).
pub fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}
