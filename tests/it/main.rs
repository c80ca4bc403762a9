//! The integration tests: one crate (one link step), one module per topic,
//! shared helpers in `util`. Every test drives the real binary or the
//! library through `alist_doctor::testing`.

mod bodies;
mod catalog;
mod check;
mod cli;
mod cmd;
mod doclinks;
mod encodings;
mod equivalence;
mod faq;
mod foreign;
mod frequent;
mod hostile;
mod loggen;
mod logs;
mod packaging;
mod pastes;
mod properties;
mod readme;
mod real;
mod real_cases;
mod redteam;
mod secrets;
mod suggestions;
mod util;
mod versions;
mod zh;
