//! One module per command, each with a `run`.

pub mod build;
pub mod check;
pub mod new;
pub mod watch;
