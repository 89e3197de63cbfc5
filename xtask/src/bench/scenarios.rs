//! The scenarios, one module each; [`crate::bench`] runs them in this order (the peers
//! comparison only with `--peers`).

mod baseline;
mod batch_enqueue;
mod claim_cost;
mod end_to_end;
mod peers;
mod pickup_latency;
mod single_enqueue;
mod usage;

pub(super) use baseline::baseline;
pub(super) use batch_enqueue::batch_enqueue;
pub(super) use claim_cost::claim_cost;
pub(super) use end_to_end::end_to_end;
pub(super) use peers::{Peers, peers, prepare as prepare_peers};
pub(super) use pickup_latency::pickup_latency;
pub(super) use single_enqueue::single_enqueue;
pub(super) use usage::usage;
