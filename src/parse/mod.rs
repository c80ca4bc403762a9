//! Stage 2, parsing: each physical line's envelope peeled (log heads,
//! carriers such as docker or journald), its text normalised, its time
//! checked, and lines grouped into events (an entry with its continuation
//! lines, a dump, a panic).

pub(crate) mod body;
pub(crate) mod envelope;
pub(crate) mod event;
pub(crate) mod normalize;
pub(crate) mod time;
pub(crate) mod tiny;
pub(crate) mod version;
