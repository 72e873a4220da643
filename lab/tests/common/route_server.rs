//! `peerlab route-server` as a child process for the tests: its configuration in a scratch
//! directory, optionally a lowered file-descriptor limit, everything it writes on stderr, and
//! a stop by its own pid.

use peerlab_tests::daemons;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Writes `text` as `rs.toml` in a fresh scratch directory; its path.
pub fn write_config(text: &str) -> PathBuf {
    let dir = daemons::scratch_dir("rs-cli");
    let path = dir.join("rs.toml");
    std::fs::write(&path, text).expect("config written");
    path
}

/// Removes the scratch directory of a config written by [`write_config`].
pub fn remove(config: &Path) {
    if let Some(dir) = config.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Stops the child by its pid with SIGTERM and waits (bounded); its exit code.
pub fn terminate(child: &mut Child) -> Option<i32> {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// A running `peerlab route-server`.
pub struct RouteServer {
    pub child: Child,
    /// `127.0.0.1:PORT` of its API.
    pub api: String,
    config: PathBuf,
    stderr: Arc<Mutex<String>>,
    /// The thread copying stderr; it ends when the process has exited.
    reader: Option<std::thread::JoinHandle<()>>,
}

impl RouteServer {
    /// Starts `peerlab route-server` on `config_text` with its API on a free loopback port
    /// and `extra` arguments, with at most `nofile` open files when given (`ulimit -n` in the
    /// shell that then becomes peerlab), `env` set; waits until the API answers.
    pub fn start(config_text: &str, extra: &[&str], nofile: Option<u32>, env: &[(&str, &str)]) -> RouteServer {
        let config = write_config(config_text);
        let api = format!("127.0.0.1:{}", daemons::free_port());
        let mut cmd = match nofile {
            Some(n) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                    .arg(env!("CARGO_BIN_EXE_peerlab"));
                c
            }
            None => Command::new(env!("CARGO_BIN_EXE_peerlab")),
        };
        cmd.args(["route-server", "--config"])
            .arg(&config)
            .args(["--api", &api, "--duration", "300"])
            .args(extra)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("peerlab starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().expect("stderr");
        let sink = stderr.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().expect("stderr buffer");
                s.push_str(&line);
                s.push('\n');
            }
        });
        let rs = RouteServer {
            child,
            api,
            config,
            stderr,
            reader: Some(reader),
        };
        let start = Instant::now();
        while super::api::request(&rs.api, "GET", "/stats", &[], "")
            .map(|r| r.status)
            .ok()
            != Some(200)
        {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the API did not answer on {}; stderr:\n{}",
                rs.api,
                rs.stderr()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        rs
    }

    /// Everything written on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr buffer").clone()
    }

    /// SIGTERM by pid; the exit code. Once it returns, [`RouteServer::stderr`] holds
    /// everything the process wrote.
    pub fn terminate(&mut self) -> Option<i32> {
        let code = terminate(&mut self.child);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        code
    }
}

impl Drop for RouteServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        remove(&self.config);
    }
}
