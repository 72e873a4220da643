//! Shared helpers for peerlab end-to-end tests.
