//! `peerlab encode`: JSON messages in (as `peerlab decode` writes them), one lowercase hex
//! message per line out.

use super::context::ContextArgs;
use super::input::read_all;
use super::{status, EXIT_USAGE};
use bgp_core::json::{hex, message_from_json};
use bgp_core::SessionContext;
use clap::Args;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `peerlab encode`.
#[derive(Args, Debug)]
pub struct EncodeArgs {
    /// File to read (default: stdin): one JSON object per line.
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub context: ContextArgs,
}

/// Runs the subcommand: 0 when every line encoded, 1 when any failed (each failure is
/// reported on stderr with its line number), 2 when the input could not be read.
pub fn run(args: &EncodeArgs) -> ExitCode {
    let ctx = args.context.context();
    let input = match read_all(args.file.as_deref()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("peerlab encode: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let result = encode_lines(&String::from_utf8_lossy(&input), &ctx, &mut out);
    match result.and_then(|failed| out.flush().map(|()| failed)) {
        Ok(failed) => status(failed),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peerlab encode: cannot write output: {e}");
            status(true)
        }
    }
}

/// The hex of one JSON line, or what is wrong with it.
fn encode_line(line: &str, ctx: &SessionContext) -> Result<String, String> {
    let v: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let msg = message_from_json(&v, ctx).map_err(|e| e.to_string())?;
    let bytes = msg.to_bytes(ctx).map_err(|e| e.to_string())?;
    Ok(hex::encode(&bytes))
}

fn encode_lines(text: &str, ctx: &SessionContext, out: &mut impl Write) -> std::io::Result<bool> {
    let mut failed = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        match encode_line(t, ctx) {
            Ok(h) => writeln!(out, "{h}")?,
            Err(e) => {
                failed = true;
                eprintln!("peerlab encode: line {}: {e}", i + 1);
            }
        }
    }
    Ok(failed)
}
