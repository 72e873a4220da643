//! Reading the input of a subcommand: a file, or stdin when none is given.

use std::io::Read;
use std::path::Path;

/// All bytes of `file`, or of stdin. The error names what could not be read.
pub fn read_all(file: Option<&Path>) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    match file {
        Some(p) => std::fs::File::open(p)
            .and_then(|mut f| f.read_to_end(&mut buf))
            .map_err(|e| format!("cannot read {}: {e}", p.display()))?,
        None => std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .map_err(|e| format!("cannot read stdin: {e}"))?,
    };
    Ok(buf)
}
