//! RPKI origin validation (RFC 6811) against a local ROA set, read from the JSON that
//! routinator and rpki-client export:
//! `{"roas":[{"asn":"AS13335" or 13335,"prefix":"1.1.1.0/24","maxLength":24,"ta":"apnic"}]}`.
//!
//! Routinator (`--format json` / `jsonext`) writes the ASN as `"AS13335"`, rpki-client
//! (`-j`) as the number `13335`; both spell the other members `prefix` and `maxLength` and
//! add members of their own (`ta`, `expires`, `source`, `metadata`, `aspas`, `bgpsec_keys`),
//! which are ignored. A ROA without `maxLength` allows only its own length (RFC 6482 §3.3).

use crate::hash::FxHashMap;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::Read;
use std::path::Path;

/// The largest ROA file read: 256 MiB (a full routinator `json` export is some 40 MiB), so
/// that a wrong path cannot exhaust memory.
pub const MAX_ROA_FILE: u64 = 256 << 20;

/// The RFC 6811 validation state of a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RpkiState {
    /// A covering ROA matches the origin ASN and the prefix length.
    Valid,
    /// Covering ROAs exist but none matches.
    Invalid,
    /// No ROA covers the prefix.
    NotFound,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum JsonAsn {
    Number(u32),
    Text(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonRoa {
    asn: JsonAsn,
    prefix: IpNet,
    max_length: Option<u8>,
}

#[derive(Deserialize)]
struct JsonRoas {
    roas: Vec<JsonRoa>,
}

/// Why a ROA file did not load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoaError(pub String);

impl fmt::Display for RoaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ROA file: {}", self.0)
    }
}

impl std::error::Error for RoaError {}

/// A set of ROAs indexed by (address, length) for covering-prefix lookups.
#[derive(Clone, Debug, Default)]
pub struct RoaTable {
    /// (family 4/6, network as u128, length) → [(asn, max length)].
    roas: FxHashMap<(u8, u128, u8), Vec<(u32, u8)>>,
    /// Which prefix lengths occur, per family, so a lookup probes only those.
    lengths_v4: Vec<u8>,
    lengths_v6: Vec<u8>,
    count: usize,
}

fn key(net: &IpNet) -> (u8, u128) {
    match net {
        IpNet::V4(n) => (4, u32::from(n.network()) as u128),
        IpNet::V6(n) => (6, u128::from(n.network())),
    }
}

/// `AS13335`, `as13335` or `13335`: digits only after the optional `AS`, at most 10 of them.
fn parse_asn(s: &str) -> Option<u32> {
    let digits = s.strip_prefix("AS").or_else(|| s.strip_prefix("as")).unwrap_or(s);
    if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl RoaTable {
    /// Parses the routinator / rpki-client JSON export.
    pub fn from_json(text: &str) -> Result<RoaTable, RoaError> {
        let doc: JsonRoas = serde_json::from_str(text).map_err(|e| RoaError(e.to_string()))?;
        let mut t = RoaTable::default();
        for (i, r) in doc.roas.into_iter().enumerate() {
            let asn = match r.asn {
                JsonAsn::Number(n) => n,
                JsonAsn::Text(s) => parse_asn(&s).ok_or_else(|| {
                    let shown: String = s.chars().take(24).collect();
                    RoaError(format!(
                        "roas[{i}].asn: `{shown}` is not an ASN like \"AS13335\" or 13335"
                    ))
                })?,
            };
            let max = r.max_length.unwrap_or(r.prefix.prefix_len());
            if max < r.prefix.prefix_len() || max > r.prefix.max_prefix_len() {
                return Err(RoaError(format!(
                    "roas[{i}].maxLength: {max} is outside {}..={}",
                    r.prefix.prefix_len(),
                    r.prefix.max_prefix_len()
                )));
            }
            t.add(r.prefix, asn, max);
        }
        Ok(t)
    }

    /// Reads and parses the ROA file at `path` (see [`RoaTable::from_json`]): a regular file
    /// of at most [`MAX_ROA_FILE`] octets.
    pub fn load(path: &Path) -> Result<RoaTable, RoaError> {
        let cannot = |e: std::io::Error| RoaError(format!("cannot read it: {e}"));
        let file = std::fs::File::open(path).map_err(cannot)?;
        if !file.metadata().map_err(cannot)?.is_file() {
            return Err(RoaError("not a regular file".to_owned()));
        }
        let mut text = String::new();
        file.take(MAX_ROA_FILE + 1).read_to_string(&mut text).map_err(cannot)?;
        if text.len() as u64 > MAX_ROA_FILE {
            return Err(RoaError(format!(
                "larger than {} MiB, far beyond a full RPKI export",
                MAX_ROA_FILE >> 20
            )));
        }
        RoaTable::from_json(&text)
    }

    /// Adds one ROA.
    pub fn add(&mut self, prefix: IpNet, asn: u32, max_length: u8) {
        let (fam, addr) = key(&prefix);
        let len = prefix.prefix_len();
        self.roas.entry((fam, addr, len)).or_default().push((asn, max_length));
        let lengths = if fam == 4 {
            &mut self.lengths_v4
        } else {
            &mut self.lengths_v6
        };
        if !lengths.contains(&len) {
            lengths.push(len);
            lengths.sort_unstable();
        }
        self.count += 1;
    }

    /// Number of ROAs.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are no ROAs.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// RFC 6811 §2: the state of `prefix` originated by `origin` (`None`: the path ends in an
    /// AS_SET, which no ROA matches).
    pub fn validate(&self, prefix: IpNet, origin: Option<u32>) -> RpkiState {
        let (fam, addr) = key(&prefix);
        let len = prefix.prefix_len();
        let (bits, lengths) = if fam == 4 {
            (32u32, &self.lengths_v4)
        } else {
            (128u32, &self.lengths_v6)
        };
        let mut covered = false;
        for &l in lengths.iter().take_while(|&&l| l <= len) {
            let shift = bits - l as u32;
            let net = if l == 0 { 0 } else { (addr >> shift) << shift };
            let Some(roas) = self.roas.get(&(fam, net, l)) else {
                continue;
            };
            covered = true;
            if let Some(o) = origin {
                if o != 0 && roas.iter().any(|&(asn, max)| asn == o && len <= max) {
                    return RpkiState::Valid;
                }
            }
        }
        if covered {
            RpkiState::Invalid
        } else {
            RpkiState::NotFound
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROAS: &str = r#"{"metadata":{"generated":1},"roas":[
        {"asn":"AS13335","prefix":"1.1.1.0/24","maxLength":24,"ta":"apnic"},
        {"asn":64500,"prefix":"2001:db8::/32","maxLength":48,"ta":"ripe"},
        {"asn":"AS0","prefix":"203.0.113.0/24","maxLength":24,"ta":"arin"}]}"#;

    fn net(s: &str) -> IpNet {
        s.parse().expect("prefix")
    }

    #[test]
    fn routinator_json_gives_valid_invalid_and_not_found() {
        let t = RoaTable::from_json(ROAS).expect("ROAs");
        assert_eq!(t.len(), 3);
        assert_eq!(t.validate(net("1.1.1.0/24"), Some(13335)), RpkiState::Valid);
        assert_eq!(t.validate(net("1.1.1.0/24"), Some(64501)), RpkiState::Invalid);
        assert_eq!(
            t.validate(net("1.1.1.128/25"), Some(13335)),
            RpkiState::Invalid,
            "longer than maxLength"
        );
        assert_eq!(t.validate(net("2001:db8:1::/48"), Some(64500)), RpkiState::Valid);
        assert_eq!(t.validate(net("8.8.8.0/24"), Some(15169)), RpkiState::NotFound);
        assert_eq!(
            t.validate(net("203.0.113.0/24"), Some(0)),
            RpkiState::Invalid,
            "AS0 ROA matches nothing"
        );
        assert_eq!(t.validate(net("1.1.1.0/24"), None), RpkiState::Invalid, "AS_SET origin");
    }

    #[test]
    fn a_bad_asn_is_reported_with_its_position() {
        let e = RoaTable::from_json(r#"{"roas":[{"asn":"ASx","prefix":"1.1.1.0/24","maxLength":24}]}"#)
            .expect_err("bad ASN");
        assert!(e.0.contains("roas[0].asn"), "{e}");
        for bad in ["+13335", "ASAS13335", "AS", "AS4294967296", "13 335"] {
            let text = format!(r#"{{"roas":[{{"asn":"{bad}","prefix":"1.1.1.0/24","maxLength":24}}]}}"#);
            assert!(RoaTable::from_json(&text).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn only_a_regular_file_is_read() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let e = RoaTable::load(dir).expect_err("a directory");
        assert!(e.0.contains("not a regular file"), "{e}");
        let e = RoaTable::load(&dir.join("no-such-roas.json")).expect_err("missing");
        assert!(e.0.contains("cannot read it"), "{e}");
    }

    #[test]
    fn rpki_client_json_with_numeric_asns_and_extra_members_loads() {
        let t = RoaTable::from_json(
            r#"{"metadata":{"buildmachine":"x","roas":2},"roas":[
                {"asn":13335,"prefix":"20.2.0.0/16","maxLength":16,"ta":"arin","expires":1700000000},
                {"asn":"as64500","prefix":"2001:db8::/32","ta":"ripe"}],
                "bgpsec_keys":[],"aspas":[]}"#,
        )
        .expect("ROAs");
        assert_eq!(t.len(), 2);
        assert_eq!(t.validate(net("20.2.0.0/16"), Some(13335)), RpkiState::Valid);
        assert_eq!(t.validate(net("20.2.0.0/16"), Some(1002)), RpkiState::Invalid);
        assert_eq!(
            t.validate(net("2001:db8:1::/48"), Some(64500)),
            RpkiState::Invalid,
            "no maxLength: only the ROA's own length"
        );
        assert_eq!(t.validate(net("2001:db8::/32"), Some(64500)), RpkiState::Valid);
    }
}
