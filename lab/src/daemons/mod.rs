//! External BGP daemons that peerlab starts on loopback and stops by their own pid: BIRD 2,
//! GoBGP, OpenBGPD, FRR's bgpd and peerlab's own route server as a separate process. Each
//! daemon's launch line is written here once and used by the bench (`peerlab bench --target
//! bird`), the interop tests and the lab.
//!
//! [`start`] takes a [`Launch`] — which daemon, its configuration text, the address its BGP
//! listens on — writes the configuration into a fresh scratch directory, starts the daemon in
//! the foreground with its logs there, waits (bounded) until it listens on that port and
//! refuses it when it listens anywhere but loopback. The [`Running`] handle kills it (and the
//! processes it forked) by pid when dropped and removes the scratch directory (kept with
//! `PEERLAB_KEEP_LOGS=1`).
//!
//! Network safety: a `listen` address outside loopback is refused before anything starts;
//! the configuration binds BGP to loopback (BIRD: `strict bind on` with a loopback `local`;
//! gobgpd: a loopback `local-address-list`; OpenBGPD: `listen on` a loopback address, checked
//! before it starts; FRR: `-l ADDR` on its launch line), which the check from /proc confirms
//! once the daemon listens; every control channel is local by its launch line (BIRD's,
//! OpenBGPD's and FRR's control sockets in the scratch directory, gobgpd's gRPC API on
//! `--api-hosts 127.0.0.1:PORT` with pprof off, peerlab's HTTP API on `--api 127.0.0.1:PORT`);
//! no daemon touches the kernel's routing table (BIRD and GoBGP have no kernel protocol in
//! peerlab's configurations, OpenBGPD gets `fib-update no`, FRR runs without zebra).
//!
//! # Layout
//! - [`kind`]: which daemon ([`Daemon`]), dispatching to each daemon's module.
//! - [`line`]: what a launch line is made of, the log level, the log files' names.
//! - [`launch`]: what to start ([`Launch`]) and [`start`].
//! - [`program`]: finding an installed program.
//! - [`bird`], [`gobgp`], [`openbgpd`], [`frr`], [`peerlab`]: each daemon's command line and
//!   control client.
//! - [`running`]: the handle of a started daemon: its pids, logs, control, stop.
//! - [`procfs`]: processes and TCP sockets from /proc: a process's descendants, who listens
//!   where, loopback checks, free ports.

pub mod bird;
pub mod frr;
pub mod gobgp;
pub mod kind;
pub mod launch;
pub mod line;
pub mod openbgpd;
pub mod peerlab;
pub mod procfs;
pub mod program;
pub mod running;

pub use kind::Daemon;
pub use launch::{start, Launch, START_LIMIT};
pub use line::LogLevel;
pub use procfs::free_port;
pub use program::find_program;
pub use running::{scratch_dir, Running};
