//! `peerlab decode`: BGP messages in, one JSON object per message out.

use super::context::ContextArgs;
use super::hexinput::{parse_line, Line};
use super::input::read_all;
use super::{status, EXIT_USAGE};
use bgp_core::error::BgpError;
use bgp_core::json::{checked_frame_to_json, error_to_json, frame_to_json};
use bgp_core::{framer, SessionContext};
use bytes::{Bytes, BytesMut};
use clap::Args;
use serde_json::{json, Value};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// A realistic UPDATE (4-octet AS session): two IPv4 /24s from AS 64511 via 64500 with
/// ORIGIN, AS_PATH, NEXT_HOP, MED, COMMUNITIES (one well-known) and LARGE_COMMUNITY.
pub const EXAMPLE_UPDATE: &str = concat!(
    "ffffffffffffffffffffffffffffffff006802000000494001010040020a02020000fbf40000fbff",
    "400304c000020180040400000064c0080cfbf40064fbff00c8ffffff01c020180000fbf400000001",
    "000000010000fbff000000020000001418c6336418cb0071",
);

/// Arguments of `peerlab decode`.
#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// File to read (default: stdin): one hex message per line, or a binary stream with --binary.
    pub file: Option<PathBuf>,
    /// Read a raw stream of messages instead of hex lines.
    #[arg(long)]
    pub binary: bool,
    /// Decode a built-in example UPDATE instead of reading input.
    #[arg(long, conflicts_with_all = ["file", "binary"])]
    pub example: bool,
    #[command(flatten)]
    pub context: ContextArgs,
}

/// Runs the subcommand: 0 when every message decoded cleanly, 1 when any line failed, 2 when
/// the input could not be read.
pub fn run(args: &DecodeArgs) -> ExitCode {
    let ctx = args.context.context();
    let input = if args.example {
        EXAMPLE_UPDATE.as_bytes().to_vec()
    } else {
        match read_all(args.file.as_deref()) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("peerlab decode: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
        }
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let result = if args.binary {
        decode_stream(input, &ctx, &mut out)
    } else {
        decode_lines(&String::from_utf8_lossy(&input), &ctx, &mut out)
    };
    match result.and_then(|failed| out.flush().map(|()| failed)) {
        Ok(failed) => status(failed),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peerlab decode: cannot write output: {e}");
            status(true)
        }
    }
}

fn write_line(out: &mut impl Write, v: &Value) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")
}

/// Writes the line of one decoded frame; true when it had an error.
fn write_decoded(decoded: (Value, Option<BgpError>), out: &mut impl Write) -> std::io::Result<bool> {
    let (v, error) = decoded;
    if let Some(e) = &error {
        tracing::debug!(error = %e, "message did not decode cleanly");
    }
    write_line(out, &v)?;
    Ok(error.is_some())
}

/// One hex message per line. Returns whether any line failed.
fn decode_lines(text: &str, ctx: &SessionContext, out: &mut impl Write) -> std::io::Result<bool> {
    let mut failed = false;
    for (i, line) in text.lines().enumerate() {
        match parse_line(line) {
            Ok(Line::Skip) => {}
            Ok(Line::Message(bytes)) => failed |= write_decoded(frame_to_json(Bytes::from(bytes), ctx), out)?,
            Err(e) => {
                failed = true;
                write_line(out, &json!({"error": {"message": format!("line {}: {e}", i + 1)}}))?;
            }
        }
    }
    Ok(failed)
}

/// A raw stream split by the framer. A framing error ends the stream: nothing after it can be
/// trusted to start a message.
fn decode_stream(input: Vec<u8>, ctx: &SessionContext, out: &mut impl Write) -> std::io::Result<bool> {
    let mut buf = BytesMut::from(&input[..]);
    let mut failed = false;
    while !buf.is_empty() {
        match framer::try_parse(&mut buf, ctx.max_message_len()) {
            Ok(Some(frame)) => failed |= write_decoded(checked_frame_to_json(frame, ctx), out)?,
            Ok(None) => {
                let msg = format!("truncated message at the end of the input: {} octets left", buf.len());
                write_line(out, &json!({"error": {"message": msg}}))?;
                return Ok(true);
            }
            Err(e) => {
                write_line(out, &Value::Object(error_to_json(&e)))?;
                return Ok(true);
            }
        }
    }
    Ok(failed)
}
