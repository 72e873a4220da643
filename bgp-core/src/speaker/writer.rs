//! The write side of a session's connection: an [`Outbox`] of encoded messages that the
//! session task writes whenever the socket takes data, coalesced — everything queued goes
//! out in one vectored write — so a burst of UPDATEs costs one syscall.
//!
//! The outbox never makes its session wait: a peer that stops reading only stops the
//! outbox from draining. The session then stops taking further UPDATEs from its owner once
//! [`Outbox::has_room`] is false (back-pressure on that session alone, memory bounded to
//! about [`HIGH_WATER`] plus one batch), while it keeps reading and running its timers; the
//! SendHoldTimer (RFC 9687) ends a connection that takes nothing for too long.

use bytes::Bytes;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// Octets queued per connection above which the session takes no more UPDATEs from its
/// owner until the peer has read some.
pub const HIGH_WATER: usize = 1 << 20;

/// Messages handed to one vectored write.
const MAX_SLICES: usize = 64;

/// How long a closing connection may take to write what is still queued (e.g. the
/// NOTIFICATION) before it is closed regardless (RFC 9687: a NOTIFICATION the peer cannot
/// take must not delay the close).
pub const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Encoded messages waiting to be written, in order.
#[derive(Debug, Default)]
pub struct Outbox {
    queue: VecDeque<Bytes>,
    /// Octets of the front message already written.
    head_written: usize,
    /// Octets not yet written.
    pending: usize,
}

impl Outbox {
    /// An empty outbox.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues one encoded message.
    pub fn push(&mut self, message: Bytes) {
        if message.is_empty() {
            return;
        }
        self.pending += message.len();
        self.queue.push_back(message);
    }

    /// Whether everything queued has been written.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Octets not yet written.
    pub const fn pending(&self) -> usize {
        self.pending
    }

    /// Whether the owner may queue more UPDATEs (less than [`HIGH_WATER`] octets pending).
    pub const fn has_room(&self) -> bool {
        self.pending < HIGH_WATER
    }

    /// One vectored write of what is queued; returns the octets the writer took (never 0:
    /// a writer that takes nothing is a `WriteZero` error). Pending, and nothing consumed,
    /// while the writer cannot take data.
    pub fn poll_write<W: AsyncWrite + Unpin>(&mut self, cx: &mut Context<'_>, w: &mut W) -> Poll<io::Result<usize>> {
        let mut slices = [IoSlice::new(&[]); MAX_SLICES];
        let mut n = 0;
        for (i, m) in self.queue.iter().take(MAX_SLICES).enumerate() {
            let from = if i == 0 { self.head_written } else { 0 };
            slices[i] = IoSlice::new(&m[from..]);
            n = i + 1;
        }
        if n == 0 {
            return Poll::Ready(Ok(0));
        }
        let written = ready!(Pin::new(w).poll_write_vectored(cx, &slices[..n]))?;
        if written == 0 {
            return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
        }
        self.consume(written);
        Poll::Ready(Ok(written))
    }

    /// [`Outbox::poll_write`] as a future. Cancel safe: dropped before it completes, it has
    /// written nothing.
    pub async fn write_some<W: AsyncWrite + Unpin>(&mut self, w: &mut W) -> io::Result<usize> {
        poll_fn(|cx| self.poll_write(cx, w)).await
    }

    /// Writes everything queued, then flushes and shuts the writing side down.
    pub async fn flush_and_close<W: AsyncWrite + Unpin>(&mut self, w: &mut W) -> io::Result<()> {
        while !self.is_empty() {
            self.write_some(w).await?;
        }
        w.flush().await?;
        w.shutdown().await
    }

    fn consume(&mut self, mut written: usize) {
        self.pending -= written;
        while let Some(front) = self.queue.front() {
            let left = front.len() - self.head_written;
            if written < left {
                self.head_written += written;
                return;
            }
            written -= left;
            self.head_written = 0;
            self.queue.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn queued_messages_arrive_in_order_and_closing_flushes_then_ends_the_stream() {
        let (mut a, mut b) = tokio::io::duplex(1 << 20);
        let mut out = Outbox::new();
        for i in 0..100u8 {
            out.push(Bytes::from(vec![i; 3]));
        }
        assert_eq!(out.pending(), 300);
        out.flush_and_close(&mut a).await.expect("write");
        assert!(out.is_empty());
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.expect("read");
        let want: Vec<u8> = (0..100u8).flat_map(|i| [i; 3]).collect();
        assert_eq!(got, want);
    }

    #[tokio::test]
    async fn a_partly_written_message_resumes_where_the_socket_stopped() {
        // A pipe with room for 5 octets: the first write takes 5 of 8.
        let (mut a, mut b) = tokio::io::duplex(5);
        let mut out = Outbox::new();
        out.push(Bytes::from_static(b"abcd"));
        out.push(Bytes::from_static(b"efgh"));
        let first = out.write_some(&mut a).await.expect("write");
        assert!(first > 0 && first < 8, "{first}");
        assert_eq!(out.pending(), 8 - first);
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            b.read_to_end(&mut got).await.map(|_| got)
        });
        out.flush_and_close(&mut a).await.expect("write");
        drop(a);
        assert_eq!(reader.await.expect("join").expect("read"), b"abcdefgh");
    }

    #[test]
    fn room_ends_at_the_high_water_mark() {
        let mut out = Outbox::new();
        out.push(Bytes::from(vec![0; HIGH_WATER - 1]));
        assert!(out.has_room());
        out.push(Bytes::from_static(b"x"));
        assert!(!out.has_room());
    }
}
