//! What the operations act on besides the lab's state: the route server, the running
//! speakers, and the channels new speakers and background work report on.

use super::speakers::{Running, Tagged};
use route_server::runtime::RouteServerHandle;
use tokio::sync::mpsc;

/// Work finished in the background, reported back to the run's loop.
#[derive(Debug)]
pub enum Done {
    /// The route server removed connection `connection`'s client.
    Removed {
        /// The connection's index.
        connection: usize,
        /// The sessions removed, or why the route server refused.
        result: Result<Vec<String>, String>,
    },
    /// The route server re-keyed connection `connection`'s client (Cease 6/6, added back
    /// with the new TCP-MD5 key).
    Rekeyed {
        /// The connection's index.
        connection: usize,
        /// Done, or what failed.
        result: Result<(), String>,
    },
}

/// What the operations need besides the lab.
pub struct Ctx<'a> {
    /// The route server.
    pub rs: &'a RouteServerHandle,
    /// The lab's speakers, by index.
    pub running: &'a mut Vec<Running>,
    /// Where new speakers send their events.
    pub events: &'a mpsc::Sender<Tagged>,
    /// Where background work reports.
    pub done: &'a mpsc::Sender<Done>,
}
