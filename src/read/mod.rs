//! Stage 1, reading: inputs (files, standard input, a followed file,
//! gzip) opened and cut into chunks of whole lines.

pub(crate) mod chunk;
pub(crate) mod decode;
pub(crate) mod input;
