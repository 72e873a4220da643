//! BIRD 2's launch line: `bird -f -c CONF -s SOCKET` — in the foreground, its control socket
//! in the scratch directory, its log a file there (a `log` line put before the
//! configuration).

use super::{Line, LogLevel};
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

    #[test]
    fn bird_runs_in_the_foreground_with_its_control_socket_in_the_scratch_directory() {
        let line = Line {
            program: Path::new("/usr/sbin/bird"),
            dir: Path::new("/tmp/d"),
            conf: Path::new("/tmp/d/bird.conf"),
            log: LogLevel::Normal,
            api: None,
            listen: "127.0.0.1:1790".parse().unwrap(),
        };
        let c = command(&line);
        let args: Vec<_> = c.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(args, ["-f", "-c", "/tmp/d/bird.conf", "-s", "/tmp/d/bird.ctl"]);
        let text = with_log("router id 10.0.0.1;", Path::new("/tmp/d/daemon.log"), LogLevel::Debug);
        assert_eq!(text, "log \"/tmp/d/daemon.log\" all;\nrouter id 10.0.0.1;");
    }
}
