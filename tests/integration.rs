

#[cfg(feature = "revoke")]
mod revoke;
