//! UPDATE messages: the zero-copy [`UpdateView`], the owned [`Update`] and the packing
//! [`UpdateBuilder`].

mod builder;
mod model;
mod view;

pub use builder::{BuildError, UpdateBuilder};
pub use model::Update;
pub use view::{MpReachView, MpUnreachView, RawAttribute, UpdateView};
