//! placeholder
use crate::{ListError, Parsed};
pub(crate) fn parse(_file: &str, _bytes: &[u8]) -> Result<Parsed, ListError> { Ok(Parsed::default()) }
