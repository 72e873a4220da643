//! The write half of a session's connection: a task that drains a bounded queue of encoded
//! messages and writes them coalesced — everything queued at the moment goes out in one
//! `write_all` — so a burst of UPDATEs costs one syscall, and a slow peer fills only its own
//! bounded queue (back-pressure on its own session, never on others).

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// Messages queued per connection before `send` waits: bounds memory per session to about
/// this many maximum-size messages.
pub const QUEUE_MESSAGES: usize = 256;

/// Largest coalesced write.
const COALESCE_BYTES: usize = 256 * 1024;

/// Sending side of a connection's write queue.
pub type WriteQueue = mpsc::Sender<Bytes>;

/// Spawns the writer task for `w`; returns the queue to send encoded messages into. The task
/// ends when the queue is closed (after flushing) or on the first write error.
pub fn spawn_writer<W>(mut w: W) -> (WriteQueue, tokio::task::JoinHandle<std::io::Result<()>>)
where
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel::<Bytes>(QUEUE_MESSAGES);
    let task = tokio::spawn(async move {
        let mut buf = BytesMut::with_capacity(64 * 1024);
        while let Some(first) = rx.recv().await {
            if rx.is_empty() {
                w.write_all(&first).await?;
            } else {
                buf.clear();
                buf.extend_from_slice(&first);
                while buf.len() < COALESCE_BYTES {
                    match rx.try_recv() {
                        Ok(m) => buf.extend_from_slice(&m),
                        Err(_) => break,
                    }
                }
                w.write_all(&buf).await?;
            }
        }
        w.flush().await?;
        w.shutdown().await
    });
    (tx, task)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn queued_messages_arrive_in_order_and_the_writer_ends_when_the_queue_closes() {
        let (a, mut b) = tokio::io::duplex(1 << 20);
        let (q, task) = spawn_writer(a);
        for i in 0..100u8 {
            q.send(Bytes::from(vec![i; 3])).await.expect("queue open");
        }
        drop(q);
        task.await.expect("join").expect("write");
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.expect("read");
        let want: Vec<u8> = (0..100u8).flat_map(|i| [i; 3]).collect();
        assert_eq!(got, want);
    }
}
