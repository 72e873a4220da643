//! A running lab for the tests: `peerlab run --api 127.0.0.1:0 --until interrupted`, its
//! API and its subcommands.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Longest wait for anything the lab does.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A running lab: the child process, its API address and everything it wrote on stderr.
pub struct Lab {
    /// The `peerlab run` process.
    pub child: Child,
    /// Its API's address.
    pub api: String,
    stderr: Arc<Mutex<String>>,
}

impl Lab {
    /// Starts the example lab and waits until every connection is Active.
    pub fn start() -> Lab {
        Lab::start_with(&[], &[])
    }

    /// Starts the lab with `extra` arguments (e.g. a peering file) and `env` set.
    pub fn start_with(extra: &[&str], env: &[(&str, &str)]) -> Lab {
        let mut child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
            .args([
                "run",
                "--api",
                "127.0.0.1:0",
                "--until",
                "interrupted",
                "--timeout",
                "300",
            ])
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("peerlab run starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let pipe = child.stderr.take().expect("stderr");
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Some(a) = line.strip_prefix("peerlab run: API listening on http://") {
                    let _ = tx.send(a.to_owned());
                }
                let mut s = sink.lock().expect("stderr buffer");
                s.push_str(&line);
                s.push('\n');
            }
        });
        let api = match rx.recv_timeout(PATIENCE) {
            Ok(a) => a,
            Err(e) => {
                let _ = child.kill();
                let status = child.wait();
                panic!(
                    "the lab prints its API address ({e}); it ended {status:?}; stderr:\n{}",
                    stderr.lock().expect("stderr buffer")
                );
            }
        };
        let lab = Lab { child, api, stderr };
        lab.wait_for("every connection Active", |s| {
            let c = s["connections"].as_array().expect("connections");
            !c.is_empty() && c.iter().all(|c| c["connectionState"] == "Active")
        });
        lab
    }

    /// `peerlab args… --api ADDR`: (exit code, stdout parsed as JSON or Null, stderr).
    pub fn cli(&self, args: &[&str]) -> (Option<i32>, Value, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
            .args(args)
            .args(["--api", &self.api])
            .output()
            .expect("peerlab runs");
        let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.code(), v, String::from_utf8_lossy(&out.stderr).into_owned())
    }

    /// `peerlab status --json`.
    pub fn status(&self) -> Value {
        let (code, v, err) = self.cli(&["status", "--json"]);
        assert_eq!(code, Some(0), "{err}");
        v
    }

    /// Polls the status until `done` holds (bounded); the status then.
    pub fn wait_for(&self, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let s = self.status();
            if done(&s) {
                return s;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "gave up waiting for {what}; status: {s}\nstderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The peering resource.
    pub fn peering(&self) -> Value {
        let s = self.status();
        let name = s["peering"].as_str().expect("peering name").to_owned();
        get(&self.api, &format!("/peerings/{name}"))
    }

    /// Everything the lab wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr buffer").clone()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A GET on the lab's API (through a minimal HTTP/1.1 exchange on loopback).
pub fn get(api: &str, path: &str) -> Value {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(api).expect("the API answers");
    s.set_read_timeout(Some(PATIENCE)).expect("timeout");
    write!(s, "GET {path} HTTP/1.1\r\nHost: {api}\r\nConnection: close\r\n\r\n").expect("request");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("answer");
    let body = text.split_once("\r\n\r\n").expect("HTTP answer").1;
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A request with a JSON body to the lab's API; the answer.
pub fn send(api: &str, method: &str, path: &str, body: &Value) -> super::api::Reply {
    super::api::request(
        api,
        method,
        path,
        &[("Content-Type", "application/json")],
        &body.to_string(),
    )
    .expect("the API answers")
}

/// The example peering file as TOML, changed by `edit`, in a temporary file.
pub fn example_file(tag: &str, edit: impl FnOnce(&mut toml::Value)) -> std::path::PathBuf {
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["validate", "--example"])
        .output()
        .expect("peerlab runs");
    let mut doc: toml::Value = toml::from_str(&String::from_utf8_lossy(&out.stdout)).expect("TOML");
    edit(&mut doc);
    let path = std::env::temp_dir().join(format!("peerlab-{tag}-{}.toml", std::process::id()));
    std::fs::write(&path, toml::to_string(&doc).expect("TOML out")).expect("temp file");
    path
}
