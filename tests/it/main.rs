//! The integration tests: one crate (one link step), one module per topic,
//! shared helpers in `util`. Every test drives the real binary or the
//! library through `alist_doctor::testing`.

mod catalog;
mod cli;
mod equivalence;
mod faq;
mod frequent;
mod hostile;
mod loggen;
mod logs;
mod packaging;
mod properties;
mod real;
mod secrets;
mod util;
