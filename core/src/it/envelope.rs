//! The signed envelope is the protocol's (`televisit_protocol::envelope`); the phone uses it as is.

pub use televisit_protocol::envelope::*;
