//! The Resolute HTTP service and web UI.
