//! Reading the ExaBGP conformance vectors the repository carries in `tests/vectors/exabgp`
//! (their source, commit and licence: `tests/vectors/README.md`).
//!
//! Two formats (see `tests/vectors/README.md`): `encoding/*.ci` scenarios, whose first line names an
//! ExaBGP `.conf` that gives the session context, and `decoding/*` three-line files.

use bgp_core::SessionContext;
use std::fs;
use std::path::{Path, PathBuf};

/// One message of a vector file, with where it came from and what ExaBGP said it means.
#[derive(Clone, Debug)]
pub struct Vector {
    /// `file:line` of the raw message, for failure reports.
    pub origin: String,
    /// The whole message, header included.
    pub raw: Vec<u8>,
    /// ExaBGP's JSON decode, when the file has one for this message.
    pub json: Option<serde_json::Value>,
    /// The session context the message was encoded for.
    pub ctx: SessionContext,
}

/// The ExaBGP vectors folder, or a panic that says where it was looked for.
pub fn exabgp_dir() -> PathBuf {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/exabgp"));
    assert!(
        dir.is_dir(),
        "conformance vectors not found at {} (they are part of the repository: tests/vectors/exabgp)",
        dir.display()
    );
    dir.to_path_buf()
}

fn sorted_files(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && keep(p))
        .collect();
    files.sort();
    files
}

/// The text inside the first `name {` … `}` block of `text` (not nested-aware beyond one
/// level of inner braces), or `None`.
fn block<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let start = text.find(&format!("{name} {{"))? + name.len() + 2;
    let mut depth = 1;
    for (i, c) in text[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&text[start..start + i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The session context an ExaBGP configuration negotiates, as far as the wire format goes:
/// `asn4 disable` turns 4-octet AS off; `add-path` in the capability block turns ADD-PATH on for
/// the unicast families the `add-path { }` block lists (both when there is no such block);
/// `nexthop true` turns extended next hop on.
pub fn context_from_conf(conf: &str) -> SessionContext {
    let mut ctx = SessionContext::default();
    let capability = block(conf, "capability").unwrap_or("");
    if capability.contains("asn4 disable") {
        ctx.four_octet_as = false;
    }
    if capability.contains("nexthop true") {
        ctx.extended_next_hop = true;
    }
    let add_path_cap = capability
        .lines()
        .any(|l| l.trim_start().starts_with("add-path") && !l.contains("disable"));
    if add_path_cap {
        match block(conf, "\tadd-path").or_else(|| block(conf, " add-path")) {
            Some(families) => {
                ctx.add_path_ipv4 = families.contains("ipv4 unicast");
                ctx.add_path_ipv6 = families.contains("ipv6 unicast");
            }
            None => {
                ctx.add_path_ipv4 = true;
                ctx.add_path_ipv6 = true;
            }
        }
    }
    ctx
}

/// Hex to bytes, ignoring `:` separators.
pub fn unhex(s: &str) -> Result<Vec<u8>, String> {
    let clean: String = s.chars().filter(|c| *c != ':' && !c.is_whitespace()).collect();
    hex::decode(&clean).map_err(|e| format!("bad hex: {e}"))
}

/// Every message of every `encoding/*.ci` file, or the list of files that could not be read.
pub fn encoding_vectors() -> (Vec<Vector>, Vec<String>) {
    let dir = exabgp_dir().join("encoding");
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for path in sorted_files(&dir, |p| p.extension().is_some_and(|e| e == "ci")) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        let conf_name = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("option:file:"))
            .map(str::trim);
        let ctx = match conf_name.map(|c| fs::read_to_string(dir.join(c))) {
            Some(Ok(conf)) => context_from_conf(&conf),
            Some(Err(e)) => {
                problems.push(format!("{name}:1: cannot read the .conf it names: {e}"));
                continue;
            }
            None => {
                problems.push(format!("{name}:1: first line is not option:file:NAME.conf"));
                continue;
            }
        };
        // A json line belongs to the latest raw line before it with the same key; failing
        // that (conf-watchdog.ci numbers its json lines apart from its raw lines), to the
        // latest raw line that has no json yet.
        let mut pending: Vec<(String, usize)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let mut parts = line.splitn(3, ':');
            let (Some(key), Some(kind), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            match kind {
                "raw" => match unhex(rest) {
                    Ok(raw) => {
                        pending.retain(|(k, _)| k != key);
                        pending.push((key.to_string(), out.len()));
                        out.push(Vector {
                            origin: format!("{name}:{}", i + 1),
                            raw,
                            json: None,
                            ctx,
                        });
                    }
                    Err(e) => problems.push(format!("{name}:{}: {e}", i + 1)),
                },
                "json" => {
                    let pos = pending
                        .iter()
                        .position(|(k, _)| k == key)
                        .or_else(|| pending.len().checked_sub(1));
                    let Some(pos) = pos else {
                        problems.push(format!("{name}:{}: json line with no raw line before it", i + 1));
                        continue;
                    };
                    let (_, idx) = pending.remove(pos);
                    match serde_json::from_str(rest) {
                        Ok(v) => out[idx].json = Some(v),
                        Err(e) => problems.push(format!("{name}:{}: bad json: {e}", i + 1)),
                    }
                }
                _ => {}
            }
        }
    }
    (out, problems)
}

/// Some `decoding/*` files hold an UPDATE body without its 19-octet header (they start with
/// the Withdrawn Routes Length, not the marker): put the header back.
pub fn with_update_header(raw: Vec<u8>) -> Vec<u8> {
    if raw.len() >= 16 && raw[..16].iter().all(|&b| b == 0xff) {
        return raw;
    }
    let mut msg = vec![0xff; 16];
    msg.extend_from_slice(&((raw.len() + 19) as u16).to_be_bytes());
    msg.push(bgp_core::types::msg_type::UPDATE);
    msg.extend_from_slice(&raw);
    msg
}

/// What a `decoding/*` file holds.
#[derive(Clone, Debug)]
pub enum DecodingKind {
    /// `update <afi> <safi>` (the family words, possibly empty) or `open`: a whole message.
    Message(String),
    /// `nlri …`: a bare NLRI, not a message (ExaBGP's own NLRI decoder test).
    BareNlri(String),
}

/// A `decoding/*` vector: the kind line, the vector, and its file name.
#[derive(Clone, Debug)]
pub struct DecodingVector {
    /// What the first line says.
    pub kind: DecodingKind,
    /// The bytes and ExaBGP's decode, with the context derived from the JSON.
    pub vector: Vector,
}

/// The context a decoding vector needs: the default one, with ADD-PATH when ExaBGP's JSON
/// shows path identifiers.
pub fn context_from_json(json: &serde_json::Value) -> SessionContext {
    let mut ctx = SessionContext::default();
    if json.to_string().contains("\"path-information\"") {
        ctx.add_path_ipv4 = true;
        ctx.add_path_ipv6 = true;
    }
    ctx
}

/// Every `decoding/*` file, or the list of files that could not be read.
pub fn decoding_vectors() -> (Vec<DecodingVector>, Vec<String>) {
    let dir = exabgp_dir().join("decoding");
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for path in sorted_files(&dir, |_| true) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        let lines: Vec<&str> = text.lines().collect();
        let [first, hex_line, json_line, ..] = lines[..] else {
            problems.push(format!("{name}: fewer than three lines"));
            continue;
        };
        let raw = match unhex(hex_line) {
            Ok(r) if first.starts_with("update") => with_update_header(r),
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{name}:2: {e}"));
                continue;
            }
        };
        let json: serde_json::Value = match serde_json::from_str(json_line) {
            Ok(j) => j,
            Err(e) => {
                problems.push(format!("{name}:3: bad json: {e}"));
                continue;
            }
        };
        let kind = match first.split_once(' ').map_or((first, ""), |(a, b)| (a, b)) {
            ("nlri", rest) => DecodingKind::BareNlri(rest.to_string()),
            (_, rest) => DecodingKind::Message(rest.to_string()),
        };
        let ctx = context_from_json(&json);
        out.push(DecodingVector {
            kind,
            vector: Vector {
                origin: format!("{name}:2"),
                raw,
                json: Some(json),
                ctx,
            },
        });
    }
    (out, problems)
}
