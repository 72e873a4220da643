//! Helpers shared by the CLI tests: running the built binary and reading the vectors.
#![allow(dead_code)]

pub mod api;
pub mod lab;
pub mod route_server;

#[allow(unused_imports)]
pub use route_server::terminate;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// What a run of `peerlab` produced.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
}

impl Run {
    /// Stdout lines parsed as JSON.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }
}

/// Runs `peerlab args…` with `stdin` as input.
pub fn peerlab(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("peerlab starts");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_string();
    let writer = std::thread::spawn(move || input.write_all(data.as_bytes()));
    let out = child.wait_with_output().expect("peerlab runs");
    writer.join().expect("writer thread").expect("stdin written");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

/// Starts `peerlab route-server --config CONFIG --api 127.0.0.1:API ARGS…` with stderr piped
/// (read it after stopping the child).
pub fn spawn_route_server(config: &std::path::Path, api: u16, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["route-server", "--config"])
        .arg(config)
        .args(["--api", &format!("127.0.0.1:{api}")])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("peerlab starts")
}

/// The ExaBGP vectors the repository carries (`tests/vectors/exabgp`).
pub fn exabgp_vectors() -> PathBuf {
    peerlab_tests::vectors::exabgp_dir()
}

/// Sorted files of a vectors sub-folder with the given extension (any when empty).
pub fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(exabgp_vectors().join(dir))
        .expect("vectors folder readable")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| ext.is_empty() || p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v
}

/// One scenario of `encoding/`: the context flags from its `.conf` and its `raw:` messages.
pub struct Scenario {
    pub name: String,
    pub flags: Vec<&'static str>,
    pub raws: Vec<String>,
}

fn has_words(conf: &str, words: &[&str]) -> bool {
    conf.lines().any(|l| {
        let w: Vec<&str> = l
            .split(|c: char| c.is_whitespace() || c == ';')
            .filter(|s| !s.is_empty())
            .collect();
        w.starts_with(words)
    })
}

/// Every `encoding/*.ci` scenario with at least one `raw:` line.
pub fn encoding_scenarios() -> Vec<Scenario> {
    let dir = exabgp_vectors().join("encoding");
    files("encoding", "ci")
        .into_iter()
        .filter_map(|ci| {
            let text = std::fs::read_to_string(&ci).expect("ci readable");
            let conf_name = text.lines().next()?.strip_prefix("option:file:")?.trim().to_string();
            let conf = std::fs::read_to_string(dir.join(&conf_name)).expect("conf readable");
            let mut flags = Vec::new();
            if has_words(&conf, &["asn4", "disable"]) {
                flags.push("--asn2");
            }
            if has_words(&conf, &["add-path"]) {
                flags.extend(["--add-path", "ipv4-unicast,ipv6-unicast"]);
            }
            if has_words(&conf, &["nexthop", "true"]) || has_words(&conf, &["nexthop", "{"]) {
                flags.push("--extended-next-hop");
            }
            let raws: Vec<String> = text
                .lines()
                .filter_map(|l| {
                    let (n, rest) = l.split_once(':')?;
                    let raw = rest.strip_prefix("raw:")?;
                    n.bytes()
                        .all(|b| b.is_ascii_digit())
                        .then(|| raw.replace(':', "").trim().to_lowercase())
                })
                .collect();
            let name = ci.file_name()?.to_string_lossy().into_owned();
            (!raws.is_empty()).then_some(Scenario { name, flags, raws })
        })
        .collect()
}

/// The messages of `decoding/*`, whole (UPDATE bodies given without a header get one);
/// NLRI-only fragments are left out. Each with its ExaBGP JSON line.
pub fn decoding_messages() -> Vec<(String, String, serde_json::Value)> {
    files("decoding", "")
        .into_iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(&f).expect("vector readable");
            let mut lines = text.lines();
            let kind = lines.next()?;
            let hex: String = lines
                .next()?
                .chars()
                .filter(|c| !c.is_whitespace() && *c != ':')
                .collect();
            let exa = serde_json::from_str(lines.next()?).expect("ExaBGP JSON");
            let mut hex = hex.to_lowercase();
            if kind.starts_with("nlri") {
                return None;
            }
            if !hex.starts_with(&"f".repeat(32)) {
                hex = format!("{}{:04x}02{hex}", "f".repeat(32), hex.len() / 2 + 19);
            }
            Some((f.file_name()?.to_string_lossy().into_owned(), hex, exa))
        })
        .collect()
}

/// The example's customers and prefixes, read from `peerlab validate --example` (no copy).
pub fn example_customers() -> Vec<(u32, Vec<String>, bool)> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["validate", "--example"])
        .output()
        .expect("peerlab runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let doc: toml::Value = toml::from_str(&text).expect("the example is TOML");
    let registered: std::collections::BTreeSet<i64> = doc["registeredAsns"]
        .as_array()
        .expect("registeredAsns")
        .iter()
        .filter_map(|r| r["asn"].as_integer())
        .collect();
    doc["lab"]["customers"]
        .as_array()
        .expect("lab.customers")
        .iter()
        .map(|c| {
            let asn = c["asn"].as_integer().expect("asn");
            let prefixes = ["prefixesV4", "prefixesV6"]
                .iter()
                .flat_map(|k| c.get(*k).and_then(|v| v.as_array()).cloned().unwrap_or_default())
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect();
            (asn as u32, prefixes, registered.contains(&asn))
        })
        .collect()
}
