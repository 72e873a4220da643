//! The ROA file (`import.rpki.roa_file`) while the route server runs: read at start (by
//! [`super::check`]), read again when it changes (its modification time, length or inode,
//! polled every [`super::RuntimeOptions::roa_poll`]) and when asked
//! ([`RouteServerHandle::reload_roas`], which `peerlab route-server` calls on SIGHUP).
//!
//! A new ROA set is applied to every route already held, without resetting any session:
//! accepted routes that became RPKI-invalid are withdrawn from the other clients, rejected
//! ones that are no longer invalid are sent to them. A file that does not load changes
//! nothing: the ROAs in use stay (as OpenBGPD keeps its last good `roa-set` when a reload
//! fails), and the problem is logged (polling) or returned (reload).

use super::handle::{Parts, RouteServerHandle, RuntimeError};
use super::table_task::Job;
use crate::config::{err, ConfigError};
use crate::rpki::RoaTable;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Weak;
use std::time::{Duration, SystemTime};
use tokio::sync::mpsc;
use tracing::{info, warn};

/// What identifies one version of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

/// The stamp of the file at `path` now (`None` when it cannot be read).
fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        modified: m.modified().ok(),
        len: m.len(),
        inode: m.ino(),
    })
}

/// ROAs read from the file, with the stamp of the version read.
#[derive(Debug)]
pub(crate) struct LoadedRoas {
    pub table: RoaTable,
    pub stamp: Option<Stamp>,
}

/// Reads the ROA file: its stamp first (so a change while reading is seen at the next poll),
/// then the ROAs. Errors name `import.rpki.roa_file` and the fix.
pub(crate) fn read(path: &Path) -> (Option<Stamp>, Result<LoadedRoas, ConfigError>) {
    let before = stamp(path);
    let loaded = RoaTable::load(path)
        .map(|table| LoadedRoas { table, stamp: before })
        .map_err(|e| {
            err(
                "import.rpki.roa_file",
                format!("{}: {}", path.display(), e.0),
                "point it at the JSON that routinator (`routinator vrps --format json`) or rpki-client (`-j`) \
                 writes, or remove `roa_file` and turn `reject_invalid` off",
            )
        });
    (before, loaded)
}

impl RouteServerHandle {
    /// Reads `import.rpki.roa_file` again and applies it to every route held (no session is
    /// reset); the number of ROAs now in use. When the file does not load, the ROAs in use
    /// stay and the error names the field.
    pub async fn reload_roas(&self) -> Result<usize, RuntimeError> {
        self.load_roas(false).await.map(|n| n.unwrap_or_default())
    }

    /// Like [`RouteServerHandle::reload_roas`], but only when the file changed since it was
    /// last read; `None` when it did not.
    async fn load_roas(&self, only_if_changed: bool) -> Result<Option<usize>, RuntimeError> {
        let Some(path) = self.parts.config.import.rpki.roa_file.clone() else {
            return Err(RuntimeError::BadRequest(
                "`import.rpki.roa_file` is not set: there is no ROA file to reload".to_owned(),
            ));
        };
        // Held to the end: one reload at a time, so an older read never replaces a newer one.
        let mut last = self.parts.roa_stamp.lock().await;
        if only_if_changed && stamp(&path) == *last {
            return Ok(None);
        }
        let shown = path.display().to_string();
        let (seen, read) = tokio::task::spawn_blocking(move || read(&path))
            .await
            .map_err(|e| RuntimeError::Io(format!("reading the ROA file: {e}")))?;
        *last = seen;
        let loaded = read.map_err(|e| RuntimeError::Config(format!("{e}; the ROAs in use are kept")))?;
        let count = loaded.table.len();
        self.run(move |t| t.set_roas(loaded.table)).await?;
        info!(file = %shown, roas = count, "ROA file loaded; routes re-evaluated");
        Ok(Some(count))
    }
}

/// Polls the ROA file every `every` and applies a changed one; ends when the route server is
/// gone (it holds neither the table's queue nor the parts alive).
pub(crate) async fn watch(jobs: mpsc::WeakSender<Job>, parts: Weak<Parts>, every: Duration, path: PathBuf) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let (Some(jobs), Some(parts)) = (jobs.upgrade(), parts.upgrade()) else {
            return;
        };
        let handle = RouteServerHandle::new(jobs, parts);
        if let Err(e) = handle.load_roas(true).await {
            if e == RuntimeError::Stopped {
                return;
            }
            warn!(file = %path.display(), error = %e, "ROA file changed but not loaded");
        }
    }
}
