//! BIRD 2's launch line: `bird -f -c CONF -s SOCKET` — in the foreground, its control socket
//! in the scratch directory, its log a file there (a `log` line put before the
//! configuration).

use super::line::{Line, LogLevel};
use std::path::{Path, PathBuf};
use std::process::Command;

/// BIRD's control socket in the scratch directory (for `birdc -s`).
pub const CONTROL_SOCKET: &str = "bird.ctl";

/// The configuration with a first line that sends BIRD's log to `log`.
pub(super) fn with_log(config: &str, log: &Path, level: LogLevel) -> String {
    let classes = match level {
        LogLevel::Normal => "{ info, warning, error, fatal }",
        LogLevel::Debug => "all",
    };
    format!("log \"{}\" {classes};\n{config}", log.display())
}

/// `bird` in the foreground with its configuration and its control socket in the scratch
/// directory.
pub(super) fn command(line: &Line<'_>) -> Command {
    let mut c = Command::new(line.program);
    c.arg("-f")
        .arg("-c")
        .arg(line.conf)
        .arg("-s")
        .arg(line.dir.join(CONTROL_SOCKET));
    c
}

/// `birdc -s SOCKET`.
pub(super) fn control(program: PathBuf, dir: &Path) -> Command {
    let mut c = Command::new(program);
    c.arg("-s").arg(dir.join(CONTROL_SOCKET));
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daemons::line::args_of;

    #[test]
    fn bird_runs_in_the_foreground_with_its_control_socket_in_the_scratch_directory() {
        let line = Line::example("/usr/sbin/bird", "/tmp/d/bird.conf", LogLevel::Normal, None);
        let args = args_of(&command(&line));
        assert_eq!(args, ["-f", "-c", "/tmp/d/bird.conf", "-s", "/tmp/d/bird.ctl"]);
        let text = with_log("router id 10.0.0.1;", Path::new("/tmp/d/daemon.log"), LogLevel::Debug);
        assert_eq!(text, "log \"/tmp/d/daemon.log\" all;\nrouter id 10.0.0.1;");
    }
}
