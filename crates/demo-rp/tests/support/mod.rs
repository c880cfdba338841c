//! Test support: a scripted OP and the demo app as a child process.

pub mod mini_op;
pub mod rp;
