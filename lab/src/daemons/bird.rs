//! BIRD 2's launch line: `bird -f -c CONF -s SOCKET` — in the foreground, its control socket
//! in the scratch directory, its log a file there (a `log` line put before the
//! configuration).

use super::LogLevel;
use std::path::Path;
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

/// `bird` in the foreground with `conf` and its control socket in `dir`.
pub(super) fn command(program: &Path, dir: &Path, conf: &Path) -> Command {
    let mut c = Command::new(program);
    c.arg("-f").arg("-c").arg(conf).arg("-s").arg(dir.join(CONTROL_SOCKET));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bird_runs_in_the_foreground_with_its_control_socket_in_the_scratch_directory() {
        let c = command(
            Path::new("/usr/sbin/bird"),
            Path::new("/tmp/d"),
            Path::new("/tmp/d/bird.conf"),
        );
        let args: Vec<_> = c.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(args, ["-f", "-c", "/tmp/d/bird.conf", "-s", "/tmp/d/bird.ctl"]);
        let text = with_log("router id 10.0.0.1;", Path::new("/tmp/d/daemon.log"), LogLevel::Debug);
        assert_eq!(text, "log \"/tmp/d/daemon.log\" all;\nrouter id 10.0.0.1;");
    }
}
