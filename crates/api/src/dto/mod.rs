//! The JSON shapes of the API, converted by hand from the layers below.

mod artifact;
mod command;
mod event;
mod health;
mod job;
mod log;
mod protocol;
mod runner;
mod step;
mod task;
mod text;
mod usage;
mod workspace;

pub use artifact::*;
pub use command::*;
pub use event::*;
pub use health::*;
pub use job::*;
pub use log::*;
pub use protocol::*;
pub use runner::*;
pub use step::*;
pub use task::*;
pub use text::Text;
pub use usage::*;
pub use workspace::*;
